"""The concurrency test at full size, through the real ``shelf`` command.

SHELF_STRESS_CHANGES=500 pytest tests/stress/test_stress_concurrency.py -s
"""

from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storage.shelf import Shelf
from tests.robust_helpers import record_figures, shelf_command, temp_files
from tests.test_robust_concurrency import (
    USER,
    expected_marks,
    marks_of,
    run_processes,
    shelf_worker,
)

CHANGES = int(os.environ.get("SHELF_STRESS_CHANGES", "500"))


def cli_loop(root: Path, worker: int, changes: int, ids: list[str]) -> list[str]:
    """One script running ``shelf tag``/``shelf note`` over and over."""
    errors = []
    base = [*shelf_command(), "--data-dir", str(root), "--user", USER]
    for n in range(changes):
        item = ids[(worker + n) % len(ids)]
        mark = f"w{worker}-{n}"
        args = ["note", item, mark] if n % 5 == 4 else ["tag", item, mark]
        done = subprocess.run(base + args, capture_output=True, text=True)
        if done.returncode != 0 or done.stderr:
            errors.append(f"{args}: {done.returncode} {done.stderr.strip()}")
    return errors


def test_four_shelf_commands_at_a_time_five_hundred_each(tmp_path):
    root = tmp_path / "data"
    ids = list(Shelf(root, USER).items(with_text=False))[:6]
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda w: cli_loop(root, w, CHANGES, ids), range(4)))
    seconds = time.monotonic() - started
    errors = [e for r in results for e in r]
    marks = marks_of(Shelf(root, USER, import_bundled=False).all_annotations())
    record_figures(
        "stress/concurrency/cli",
        processes=4,
        changes_each=CHANGES,
        expected=4 * CHANGES,
        present=len(set(marks)),
        duplicates=len(marks) - len(set(marks)),
        errors=len(errors),
        seconds=round(seconds, 1),
    )
    assert errors == [], errors[:3]
    assert sorted(marks) == sorted(expected_marks(4, CHANGES))
    assert temp_files(root) == []


def test_eight_processes_a_thousand_changes_each(tmp_path):
    root = tmp_path / "data"
    ids = list(Shelf(root, USER).items(with_text=False))[:6]
    errors, seconds = run_processes(shelf_worker, lambda w: (root, w, 1000, ids), 8)
    marks = marks_of(Shelf(root, USER, import_bundled=False).all_annotations())
    record_figures(
        "stress/concurrency/shelf-8x1000",
        processes=8,
        changes_each=1000,
        expected=8000,
        present=len(set(marks)),
        errors=len(errors),
        seconds=round(seconds, 1),
    )
    assert errors == [], errors[:3]
    assert sorted(marks) == sorted(expected_marks(8, 1000))
