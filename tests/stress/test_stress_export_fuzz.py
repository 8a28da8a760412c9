"""The export property test at length: thousands of hostile libraries, every format.

``tests/test_export_injection.py`` runs the same check on a hundred
examples, derandomized, in the default run; this one draws fresh examples
every run (and keeps failures in Hypothesis's database) so a long run keeps
finding new corners. ``SHELF_EXPORT_FUZZ_EXAMPLES`` sets how many.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.test_export_injection import check_every_format, hostile_views

EXAMPLES = int(os.environ.get("SHELF_EXPORT_FUZZ_EXAMPLES", "5000"))

pytestmark = pytest.mark.timeout(3600)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hostile_views())
def test_arbitrary_text_in_every_field_reads_back_from_every_format_at_length(
    views: list[dict],
) -> None:
    check_every_format(views)
