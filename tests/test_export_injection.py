"""A teammate's file can never hurt you: hostile text stays inside each export's syntax.

Notes, tags, titles and authors come from other people's annotation files
and imported documents. Whatever they contain, every export must still read
back, with an independent parser, as exactly one record per item holding
exactly the text that went in (modulo the normalisations documented in
``storage.export.common``), and nothing in it may reach a terminal that
``cat``s the file as a control sequence.
"""

from __future__ import annotations

import json

import pytest

from storage.export import FORMATS
from tests.export_pins import DIGESTS, EXTENSIONS, PIN_DIR, ordinary_digests, sample_export

pytestmark = pytest.mark.timeout(60)


# --- ordinary input keeps its bytes ---------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_exports_are_pinned(fmt: str) -> None:
    assert sample_export(fmt) == (PIN_DIR / f"sample.{EXTENSIONS[fmt]}").read_bytes()


def test_ordinary_exports_are_pinned() -> None:
    pinned = json.loads(DIGESTS.read_text())
    assert ordinary_digests() == pinned
