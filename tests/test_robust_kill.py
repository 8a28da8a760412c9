"""kill -9 (and SIGTERM, SIGHUP) at random moments while changes are being saved.

The short version of tests/stress/test_stress_kill.py: a few hundred kills in
the default run. Every kill is followed by the same checks as the long run:
the files decode exactly as they are on disk, the app starts without having
to recover anything, every change the child acknowledged is there, and no
temp file survives the start.

SHELF_KILL_SEED picks another random sequence; the figures are printed with -s.
"""

from __future__ import annotations

import os

from tests.robust_helpers import KillHarness, KillStats, record_figures

SEED = int(os.environ.get("SHELF_KILL_SEED", "20261122"))
# On a quiet two-core machine both runs finish all their kills in about a
# minute together; on a busy one they stop at the budget, never below the floor.
BUDGET = float(os.environ.get("SHELF_KILL_BUDGET", "40"))


def assert_nothing_lost(stats: KillStats) -> None:
    assert stats.unreadable == [], stats.unreadable[:5]
    assert stats.lost == [], stats.lost[:10]
    assert stats.temp_after_start == 0
    assert 0 < stats.max_backup_generations <= 3
    assert stats.warnings == [], stats.warnings[:3]
    # The run proves something only if kills landed inside saves.
    in_save = sum(n for phase, n in stats.phases.items() if phase != "python")
    assert in_save + sum(stats.injected.values()) > 0
    assert sum(stats.acknowledged.values()) > stats.kills


def test_kills_while_tagging_a_small_and_a_10k_entry_annotation_file(tmp_path):
    harness = KillHarness(
        tmp_path / "data",
        seed=SEED,
        large_entries=10_000,
        weights={"S": 4, "L": 4, "FS": 1, "FL": 1},
        max_delay=0.1,
    )
    stats = harness.run(kills=180, budget_seconds=BUDGET, min_kills=100)
    record_figures("kill/annotations", **stats.figures())
    assert_nothing_lost(stats)


def test_kills_while_importing_into_a_large_library(tmp_path):
    harness = KillHarness(
        tmp_path / "data",
        seed=SEED + 1,
        large_entries=2_000,
        library_docs=2,  # 2,000 items besides the bundled corpus
        weights={"S": 2, "L": 1, "FS": 1, "I": 3},
        max_delay=0.25,
    )
    stats = harness.run(kills=100, budget_seconds=BUDGET * 0.6, min_kills=50)
    record_figures("kill/library", **stats.figures())
    assert_nothing_lost(stats)
    assert stats.acknowledged["I"] > 0
