"""The long kill runs: many thousands of kills, outside the default test run.

    pytest tests/stress -s            # figures printed per test
    SHELF_STRESS_KILLS=5000 pytest tests/stress/test_stress_kill.py -s

Same checks as tests/test_robust_kill.py after every kill; the CLI run uses
the installed ``shelf`` command, several processes at once on one user file.
"""

from __future__ import annotations

import os

from tests.robust_helpers import CliKillHarness, KillHarness, record_figures
from tests.test_robust_kill import assert_nothing_lost

KILLS = int(os.environ.get("SHELF_STRESS_KILLS", "2000"))
SEED = int(os.environ.get("SHELF_KILL_SEED", "7"))


def test_thousands_of_kills_on_small_and_large_annotation_files(tmp_path):
    harness = KillHarness(
        tmp_path / "data",
        seed=SEED,
        large_entries=10_000,
        weights={"S": 4, "L": 4, "FS": 1, "FL": 1},
        max_delay=0.1,
    )
    stats = harness.run(kills=KILLS)
    record_figures("stress/kill/annotations", **stats.figures())
    assert_nothing_lost(stats)


def test_thousands_of_kills_while_importing_into_a_10k_item_library(tmp_path):
    harness = KillHarness(
        tmp_path / "data",
        seed=SEED + 1,
        large_entries=10_000,
        library_docs=10,  # 10,000 items
        weights={"S": 2, "L": 2, "FS": 1, "FL": 1, "I": 3},
        max_delay=0.5,
    )
    stats = harness.run(kills=max(KILLS // 2, 1))
    record_figures("stress/kill/library", **stats.figures())
    assert_nothing_lost(stats)


def test_killing_real_shelf_commands_three_at_a_time(tmp_path):
    harness = CliKillHarness(tmp_path / "data", seed=SEED + 2, parallel=3)
    stats = harness.run(batches=max(KILLS // 3, 1))
    record_figures("stress/kill/cli", **stats.figures())
    assert stats.unreadable == [], stats.unreadable[:5]
    assert stats.lost == [], stats.lost[:10]
    assert stats.temp_after_start == 0 and stats.warnings == []
    assert stats.kills > 0 and sum(stats.acknowledged.values()) > 0
