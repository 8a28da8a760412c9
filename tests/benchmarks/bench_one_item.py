"""One-item commands at 73 / 100k (/ 1M) items, as whole processes, against the 73-item baseline.

The issue: ``shelf show|tag|read|note|rename ID`` cost the same at 100k items
as a whole library would, because resolving one id decoded all of them. The
target is the same command at 100k items (10k of them annotated by the user)
within 1.2x of it at 73. Each command runs as the user runs it
(``shelf --data-dir D --user U CMD ID ...``), on a different item each time so
that every run really changes something; sizes are interleaved run by run, so
that other work on a shared machine weighs on all of them alike. Prints the
median of each and its ratio to the 73-item library measured in the same run.

    python tests/benchmarks/bench_one_item.py                      # 73 and 100k
    python tests/benchmarks/bench_one_item.py --sizes 73,100000,1000000
    python tests/benchmarks/bench_one_item.py --shelf /tmp/base/.venv/bin/shelf   # another checkout

Data folders are made once under ``--work`` and reused: 73 is a fresh folder
(its first use imports the bundled corpus), larger sizes a ``gen_corpus.py``
corpus of that many works imported with ``shelf import``, then ``--annotated``
items annotated through the storage API. Setting up runs this checkout's
code; only the measured commands run ``--shelf``, so two checkouts can be
timed on the same folders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

USER = "bench"  # whose annotations; --user another name times a user who has none
COMMANDS = ("show", "tag", "read", "note", "rename")
BASELINE = 73


def _default_shelf() -> str:
    return str(Path(sys.executable).with_name("shelf"))


def _args_for(command: str, item_id: str, token: str) -> list[str]:
    """The command line; ``token`` makes each change new, so none is a no-op."""
    return {
        "show": ["show", item_id],
        "tag": ["tag", item_id, f"bench{token}"],
        "read": ["read", item_id],
        "note": ["note", item_id, f"bench note {token}"],
        "rename": ["rename", item_id, f"Bench title {token}"],
    }[command]


def prepare(work: Path, size: int, annotated: int, shelf: str) -> Path:
    """The data folder for ``size`` items, made on first use."""
    data = work / f"data-{size}"
    if size == BASELINE:
        if not data.exists():
            command = [shelf, "--data-dir", str(data), "--user", USER, "list"]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return data
    if not (data / "library.json").exists():
        corpus = work / f"corpus-{size}"
        if not (corpus / "manifest.json").exists():
            gen = Path(__file__).with_name("gen_corpus.py")
            subprocess.run(
                [sys.executable, str(gen), "--items", str(size), "--out", str(corpus)], check=True
            )
        documents = sorted(str(p) for p in corpus.glob("*.txt"))
        print(f"importing {size} items into {data} ...", file=sys.stderr, flush=True)
        subprocess.run([shelf, "--data-dir", str(data), "import", *documents], check=True)
    _annotate(data, annotated)
    return data


def _annotate(data: Path, count: int) -> None:
    """Give the user ``count`` annotations, once (what a long-time user has)."""
    import random

    from storage.model import Annotation, Note
    from storage.shelf import Shelf
    from tests.storage_helpers import set_annotations

    shelf = Shelf(data, USER, import_bundled=False)
    if len(shelf.all_annotations()) >= count:
        return
    ids = shelf.library.ids()
    rng = random.Random(1)
    anns = {}
    for i in sorted(rng.sample(range(len(ids)), min(count, len(ids)))):
        item_id = ids[i]
        anns[item_id] = Annotation(
            item_id,
            status=rng.choice(["read", "reading", "unread"]),
            status_at="2026-01-01T00:00:00Z",
            tags=sorted(rng.sample(["rl", "nlp", "vision", "todo", "theory", "survey"], 2)),
            notes=[Note("worth a second look", "2026-01-02T00:00:00Z")] if i % 3 == 0 else [],
        )
    set_annotations(shelf, anns)


def targets(data: Path, count: int) -> list[str]:
    """``count`` ids from all over the library, another choice each time the benchmark runs."""
    import random

    from storage.library import Library
    from storage.paths import DataDir

    ids = Library(DataDir(data)).ids()
    rng = random.Random()
    if count <= len(ids):
        return rng.sample(ids, count)
    return [rng.choice(ids) for _ in range(count)]


def time_command(shelf: str, data: Path, argv: list[str], user: str = USER) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [shelf, "--data-dir", str(data), "--user", user, *argv],
        capture_output=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=f"{BASELINE},100000", help="comma-separated")
    parser.add_argument("--work", type=Path, default=Path("/tmp/shelf-bench-one-item"))
    parser.add_argument("--shelf", default=_default_shelf(), help="the shelf executable timed")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--annotated", type=int, default=10_000, help="items the user annotated")
    parser.add_argument(
        "--user", default=USER, help="who runs the commands (another name: no annotations)"
    )
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = sorted({BASELINE, *(int(s) for s in args.sizes.split(","))})
    commands = [c for c in args.commands.split(",") if c]
    args.work.mkdir(parents=True, exist_ok=True)
    folders = {size: prepare(args.work, size, args.annotated, args.shelf) for size in sizes}
    # One id per run and command, plus a warm-up that may rebuild derived files.
    wanted = (args.repeats + 1) * len(commands)
    ids = {size: targets(folders[size], wanted) for size in sizes}
    times: dict[int, dict[str, list[float]]] = {s: {c: [] for c in commands} for s in sizes}
    load_before = os.getloadavg()
    for run in range(args.repeats + 1):
        token = f"{os.getpid()}x{run}"
        for c, command in enumerate(commands):
            for size in sizes:
                item_id = ids[size][run * len(commands) + c]
                if command == "read":  # a small library repeats items: make it a change again
                    time_command(args.shelf, folders[size], ["unread", item_id], args.user)
                elapsed = time_command(
                    args.shelf, folders[size], _args_for(command, item_id, token), args.user
                )
                if run:  # the first is the warm-up
                    times[size][command].append(elapsed)
    load_after = os.getloadavg()
    medians = {s: {c: statistics.median(t) for c, t in times[s].items()} for s in sizes}
    print(f"shelf: {args.shelf}, user: {args.user}")
    print(f"median of {args.repeats} whole processes, seconds (ratio to {BASELINE} items)")
    print(f"{'command':<8}" + "".join(f"{size:>22,}" for size in sizes))
    for command in commands:
        base = medians[BASELINE][command]
        cells = [
            f"{medians[s][command]:>12.3f} ({medians[s][command] / base:>5.2f}x)" for s in sizes
        ]
        print(f"{command:<8}" + "".join(f"{cell:>22}" for cell in cells))
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "shelf": args.shelf,
                    "repeats": args.repeats,
                    "times": {str(s): times[s] for s in sizes},
                    "medians": {str(s): medians[s] for s in sizes},
                    "load": [load_before, load_after],
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
