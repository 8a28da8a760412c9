"""Related items at 73 and 100k: the lookup in-process and ``shelf related ID`` as a process.

Run as a script (not collected by pytest)::

    python tests/benchmarks/bench_related.py                       # 73 and 100k
    python tests/benchmarks/bench_related.py --sizes 73,10000 --repeats 3

Data folders come from ``bench_one_item.prepare`` under ``--work`` (made on
first use and reused: 73 is the bundled corpus, larger sizes a
``gen_corpus.py`` corpus imported with ``shelf import``, 10k items annotated).
For each size, on a few items spread over the library, medians of:

* ``app``: ``SearchService.related`` on the app's open index (the detail
  view's worker; the index is opened once, beforehand, as the app does);
* ``inproc``: ``core.related.find_related`` in a started process with no
  index open (the command line's path: the saved index, only the item's
  terms' postings read), Session opening included;
* ``cli``: the whole ``shelf related ID`` process;
* ``list``: the whole ``shelf list QUERY`` process, QUERY the rarest word
  of the item's title in quotes (a query matching a few items), run
  interleaved with ``cli`` so that ``cli/list`` compares like with like on a
  shared machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_one_item import USER, _default_shelf, prepare  # noqa: E402

SAMPLES = 5


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _samples(data: Path) -> list[tuple[str, str]]:
    """(id, the rarest word of its title) of items spread over the library: a
    query matching a few items, so that ``shelf list`` prints a few lines too
    (its cost grows with the lines it prints)."""
    from storage.search.saved import load_for_query
    from storage.shelf import Shelf

    shelf = Shelf(data, USER, import_bundled=False)
    index = load_for_query(shelf.dirs, USER, None, texts=shelf.library.text)
    assert index is not None, "no saved index: run shelf list first"
    ids = shelf.library.ids()
    step = max(1, len(ids) // SAMPLES)
    out = []
    for item_id in ids[step // 2 :: step][:SAMPLES]:
        title = shelf.title(item_id) or ""
        words = sorted({"".join(filter(str.isalnum, w)).lower() for w in title.split()} - {""})
        counts = index._post.counts(words)  # type: ignore[union-attr]
        word = min(zip(counts, words, strict=True), default=(0, "model"))[1]
        out.append((item_id, f'"{word}"'))  # quoted: the word itself, not its typos
    return out


def _run(cmd: list[str], lines: list[int] | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-3:])} failed: {proc.stderr.decode()[-300:]}")
    if lines is not None:
        lines.append(proc.stdout.count(b"\n"))
    return took


def measure(size: int, data: Path, shelf: str, repeats: int) -> dict[str, Any]:
    from core.related import find_related
    from core.session import Session

    base = [shelf, "--data-dir", str(data), "--user", USER]
    _run([*base, "list", "warm"])  # the saved index exists and is this code's
    samples = _samples(data)
    _run([*base, "related", samples[0][0]])

    # The app's path: an open index (opened once, like the app at start).
    session = Session.open(data, USER, import_bundled=False)
    shelf_ = session.shelf
    t0 = time.perf_counter()
    items = shelf_.items(with_text=False)
    session.search.open(items.values(), session.annotations(), {}, shelf_.library.text)
    open_s = time.perf_counter() - t0
    app: list[float] = []
    for _ in range(repeats):
        for item_id, _word in samples:
            t0 = time.perf_counter()
            session.search.related(item_id, 5)
            app.append(time.perf_counter() - t0)
    del session, items, shelf_

    inproc: list[float] = []
    cli: list[float] = []
    lst: list[float] = []
    listed: list[int] = []
    for _ in range(repeats):
        for item_id, word in samples:
            t0 = time.perf_counter()
            fresh = Session.open(data, USER, import_bundled=False)
            find_related(fresh, item_id, 5)
            inproc.append(time.perf_counter() - t0)
            cli.append(_run([*base, "related", item_id]))
            lst.append(_run([*base, "list", word], listed))
    med = {
        "app_ms": _ms(statistics.median(app)),
        "app_max_ms": _ms(max(app)),
        "inproc_ms": _ms(statistics.median(inproc)),
        "cli_ms": _ms(statistics.median(cli)),
        "list_ms": _ms(statistics.median(lst)),
    }
    med["cli/list"] = round(med["cli_ms"] / med["list_ms"], 2)
    med["list_lines"] = statistics.median(listed)
    med["index_open_s"] = round(open_s, 1)
    med["items"] = size
    return med


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="73,100000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/shelf-bench-related"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--annotated", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    shelf = _default_shelf()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        data = prepare(args.work, size, min(args.annotated, size // 10), shelf)
        results[size] = measure(size, data, shelf, args.repeats)
        print(json.dumps({size: results[size]}), flush=True)
    print()
    keys = ("app_ms", "app_max_ms", "inproc_ms", "cli_ms", "list_ms", "cli/list", "list_lines")
    print(f"{'items':>8} | " + " | ".join(f"{k:>12}" for k in keys))
    for size, row in results.items():
        print(f"{size:>8} | " + " | ".join(f"{row[k]:>12}" for k in keys))
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        for key in ("app_ms", "inproc_ms", "cli_ms"):
            print(f"{key} {sizes[-1]} / {sizes[0]}: {large[key] / max(small[key], 0.1):.1f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
