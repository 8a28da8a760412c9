"""How long ``shelf`` takes to end after SIGTERM or a closed terminal, per phase.

Target: gone within 2 s in every phase, with every acknowledged change on
disk. The default test run only checks that the process ends (see
tests/test_app_signals.py); this prints the latency. With ``--data-dir`` of a
large library (say 100k items from gen_corpus.py) it also covers the phases
that are too short to hit on the test corpus: loading and indexing, signalled
0.1-1.5 s after start.

    python tests/benchmarks/bench_signals.py [--data-dir DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage.lock import FileLock  # noqa: E402
from tests.process_terminal import ProcessTerminal  # noqa: E402
from tests.tui_helpers import open_test_shelf  # noqa: E402


def one(folder: Path, phase: str, how: str) -> float | None:
    term = ProcessTerminal(folder)
    held = None
    try:
        if phase.startswith("after"):
            time.sleep(float(phase.split()[1]))
        else:
            term.wait_for("items")
        if phase == "dialog":
            term.type("n")
            term.wait_for("ctrl+s")
        if phase == "save blocked":
            held = FileLock(folder / ".locks" / "user-alice.lock").held()
            held.__enter__()
            term.type("r")
            time.sleep(0.2)
        if how == "SIGTERM":
            term.signal(signal.SIGTERM)
        else:
            term.hang_up()
        return term.wait_exit(30)
    finally:
        if held is not None:
            held.__exit__(None, None, None)
        term.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, help="a large library to signal while loading")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-signals-"))
    small = work / "small"
    open_test_shelf(small)
    cases = [(small, p) for p in ("idle", "dialog", "save blocked")]
    if args.data_dir is not None:
        cases += [(args.data_dir, f"after {s} s") for s in ("0.1", "0.5", "1.0", "1.5")]
    print(f"{'library':<10} {'phase':<16} {'signal':<8} {'median s':>9} {'max s':>7}")
    for folder, phase in cases:
        for how in ("SIGTERM", "hang-up"):
            runs = [one(folder, phase, how) for _ in range(args.repeat)]
            ended = [r for r in runs if r is not None]
            label = "large" if folder == args.data_dir else "8 items"
            if len(ended) < len(runs):
                print(f"{label:<10} {phase:<16} {how:<8} {'HUNG':>9}")
                continue
            print(
                f"{label:<10} {phase:<16} {how:<8} {statistics.median(ended):>9.2f} {max(ended):>7.2f}"
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
