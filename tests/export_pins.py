"""Ordinary exports pinned byte for byte, so hardening against hostile text
cannot quietly change what everyone else's files look like.

``python -m tests.export_pins`` rewrites the pins; do that only for a change
of ordinary output that is meant, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from seeds.bundled import bundled_documents
from seeds.merge import merge_entries
from seeds.parse import parse_document
from storage.export import FORMATS, export_views
from storage.views import item_view
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items
from tests.test_export_samples import sample_views

PIN_DIR = Path(__file__).parent / "fixtures" / "export_samples"
DIGESTS = PIN_DIR / "ordinary_digests.json"
STAMP = "2025-01-02T03:04:05Z"
EXTENSIONS = {"md": "md", "json": "json", "csv": "csv", "bib": "bib", "ris": "ris",
              "csl-json": "csl.json", "html": "html"}  # fmt: skip
_LATEX = r" It is 50\% cheaper, maps $x \leftrightarrow y$ with $\{a_i\}$, costs $5 & {b}_~^."


def ordinary_views() -> list[dict[str, Any]]:
    """The bundled corpus, half of it annotated, and synthetic corpus-shaped items."""
    corpus = [e for name, text in bundled_documents() for e in parse_document(text, name).entries]
    items = merge_entries(corpus).items
    anns = synthetic_annotations(items, fraction=0.5)
    extra = synthetic_items(400, seed=7)
    extra_anns = synthetic_annotations(extra, fraction=0.3, seed=7)
    for i, item in enumerate(extra):
        if i % 10 == 0:
            item.summary += _LATEX
    return [item_view(it, anns.get(it.id)) for it in items] + [
        item_view(it, extra_anns.get(it.id)) for it in extra
    ]


def sample_export(fmt: str) -> bytes:
    return export_views(sample_views(), fmt, exported_at=STAMP, query="q", user="ann")


def ordinary_digests() -> dict[str, str]:
    views = ordinary_views()
    out = {}
    for fmt in FORMATS:
        for group_by in (None, "tag"):
            data = export_views(views, fmt, exported_at=STAMP, group_by=group_by)
            out[f"{fmt}/{group_by}"] = hashlib.sha256(data).hexdigest()
    return out


def write_pins() -> None:
    PIN_DIR.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        (PIN_DIR / f"sample.{EXTENSIONS[fmt]}").write_bytes(sample_export(fmt))
    DIGESTS.write_text(json.dumps(ordinary_digests(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_pins()
