"""Search benchmarks: per-keystroke latency, build/load time, memory, UI stalls.

Run as a script (not collected by pytest)::

    python tests/benchmarks/bench_search.py            # 1k, 10k, 100k
    python tests/benchmarks/bench_search.py 10000      # one size
    python tests/benchmarks/bench_search.py --json out.json

For each size it builds the index over a deterministic synthetic library
(tests/benchmarks/synthetic.py), then types ~30 queries one character at a
time as the TUI does (each keystroke passes the previous result, asks for the
first 50 hits and reads the title and author spans of the 20 rows on screen),
and prints p50/p95/max per keystroke, as wall time and as this process's CPU
time (on a machine shared with other work the wall time includes waiting for
a core; ``loadavg`` is printed for that reason). A ticker thread that wants to wake every 2 ms
measures the longest time it was kept waiting: how long the UI thread would
stall if searches ran in a worker. Where ``fzf`` is installed, ``fzf --filter``
runs the complete queries over the same items, one line each, for comparison.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage.search import SearchIndex  # noqa: E402
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
PAGE = 50  # hits the TUI asks for per keystroke
SHOWN = 20  # hits whose highlights it reads


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i] + word[i:]


def make_queries(items: list, seed: int = 1) -> list[str]:
    """Realistic queries over the library: title words, authors, typos, filters."""
    rng = random.Random(seed)
    out: list[str] = []
    picks = [items[rng.randrange(len(items))] for _ in range(40)]
    for item in picks[:10]:
        words = [w for w in item.title.replace(":", " ").split() if len(w) > 3]
        out.append(" ".join(words[:2]).lower())
    for item in picks[10:15]:
        out.append(item.authors[0].split()[-1].lower())
    for item in picks[15:21]:
        words = [w for w in item.summary.split() if len(w) > 6 and w.isalpha()]
        out.append(_typo(rng.choice(words).lower(), rng) if words else "model")
    for item in picks[21:25]:
        words = [w.strip(".,").lower() for w in item.summary.split() if w.isalpha()]
        out.append(" ".join(words[3:6]))
    out += [
        "language models",
        "reinforcement learning from human feedback",
        "gpt4",
        "dall-e",
        "ppo",
        "tag:rlhf safety",
        "a:radford scaling",
        "year:2019..2021 policy",
        '"language model"',
        "is:read has:note",
        "diffusion -image",
        "scal",
    ]
    return out


def keystrokes(
    index: SearchIndex, queries: list[str], cpu: list[float] | None = None
) -> list[float]:
    """Wall time per keystroke (and, into ``cpu``, this process's CPU time:
    on a shared machine the two differ by however long others held the CPU)."""
    times = []
    for query in queries:
        previous = None
        for end in range(1, len(query) + 1):
            typed = query[:end]
            c0 = time.process_time()
            t0 = time.perf_counter()
            try:
                result = index.search(typed, previous=previous, limit=PAGE)
            except ValueError:
                result = None
            else:
                for hit in result.hits[:SHOWN]:
                    _ = hit.matches.get("title"), hit.matches.get("authors")
                _ = result.total
            times.append(time.perf_counter() - t0)
            if cpu is not None:
                cpu.append(time.process_time() - c0)
            previous = result
    return times


class Ticker(threading.Thread):
    """Wants to run every 2 ms; records how late it got to (the UI's stall)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.worst = 0.0
        self.lates: list[float] = []

    def run(self) -> None:
        while not self.stop.is_set():
            t0 = time.perf_counter()
            time.sleep(0.002)
            late = time.perf_counter() - t0 - 0.002
            self.lates.append(late)
            self.worst = max(self.worst, late)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def fzf_compare(items: list, annotations: dict, queries: list[str], ours: SearchIndex) -> dict:
    fzf = shutil.which("fzf")
    if fzf is None:
        return {"fzf": "not installed (apt-get install -y fzf)"}
    plain = [q for q in queries if ":" not in q and '"' not in q and "-" not in q]
    if len(items) >= 50_000:
        plain = plain[::4]  # fzf takes ~20 s a query at 100k; a sample tells the ratio
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for item in items:
            ann = annotations.get(item.id)
            extra = ""
            if ann is not None:
                extra = " ".join(ann.tags) + " " + " ".join(n.text for n in ann.notes)
            line = f"{item.title} | {', '.join(item.authors)} | {item.summary} {extra}"
            f.write(line.replace("\n", " ") + "\n")
        path = f.name
    try:
        fzf_times, our_times = [], []
        for q in plain:
            t0 = time.perf_counter()
            with open(path) as src:
                subprocess.run(
                    [fzf, "--filter", q], stdin=src, stdout=subprocess.DEVNULL, check=False
                )
            fzf_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result = ours.search(q, limit=PAGE)
            for hit in result.hits[:SHOWN]:
                _ = dict(hit.matches)
            our_times.append(time.perf_counter() - t0)
    finally:
        os.unlink(path)
    fzf_med, our_med = statistics.median(fzf_times), statistics.median(our_times)
    return {
        "queries": len(plain),
        "fzf_median_ms": round(fzf_med * 1000, 1),
        "shelf_median_ms": round(our_med * 1000, 2),
        "ratio": round(fzf_med / our_med, 1),
    }


def run(n: int) -> dict:
    items = synthetic_items(n)
    annotations = synthetic_annotations(items)
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    index = SearchIndex.build(items, annotations)
    build = time.perf_counter() - t0
    gc.collect()
    rss1 = _rss_mb()

    out: dict = {
        "items": n,
        "loadavg_before": os.getloadavg()[0],
        "build_s": round(build, 3),
        "index_rss_mb": round(rss1 - rss0, 1),
    }
    out["index_estimate_mb"] = round(index.memory_bytes() / 2**20, 1)
    save = getattr(index, "save", None)
    if save is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "index.bin"
            t0 = time.perf_counter()
            save(path, signature="bench")
            out["save_s"] = round(time.perf_counter() - t0, 3)
            out["file_mb"] = round(path.stat().st_size / 2**20, 1)
            for key, sig in (("load_s", "bench"), ("load_verify_s", None)):
                gc.collect()
                c0, t0 = time.process_time(), time.perf_counter()
                loaded = SearchIndex.load(path, items, annotations, signature=sig)
                out[key] = round(time.perf_counter() - t0, 3)
                out[key.replace("_s", "_cpu_s")] = round(time.process_time() - c0, 3)
                del loaded

    queries = make_queries(items)
    keystrokes(index, queries[:3])  # warm the typo structures, as a session would
    # The ticker alone first: how late it wakes on this machine when nothing
    # here holds the GIL (on a busy machine, the OS scheduler's share).
    idle = Ticker()
    idle.start()
    time.sleep(3)
    idle.stop.set()
    idle.join()
    out["ui_idle_p99_ms"] = round(pct(idle.lates, 99) * 1000, 2)
    out["ui_idle_max_ms"] = round(idle.worst * 1000, 2)
    ticker = Ticker()
    ticker.start()
    cpu: list[float] = []
    times = keystrokes(index, queries, cpu)
    ticker.stop.set()
    ticker.join()
    out.update(
        keystrokes=len(times),
        p50_ms=round(pct(times, 50) * 1000, 2),
        p95_ms=round(pct(times, 95) * 1000, 2),
        max_ms=round(max(times) * 1000, 2),
        cpu_p50_ms=round(pct(cpu, 50) * 1000, 2),
        cpu_p95_ms=round(pct(cpu, 95) * 1000, 2),
        cpu_max_ms=round(max(cpu) * 1000, 2),
        ui_stall_p99_ms=round(pct(ticker.lates, 99) * 1000, 2),
        ui_stall_max_ms=round(ticker.worst * 1000, 2),
    )

    # Incremental updates: tag, note, rename, import — each without a rebuild.
    ann = next(iter(annotations.values()))
    t0 = time.perf_counter()
    for i in range(100):
        ann.tags = [*ann.tags[:3], f"t{i}"]
        index.update_annotation(ann)
    out["update_annotation_ms"] = round((time.perf_counter() - t0) * 10, 3)
    extra = synthetic_items(n + 100)[n:]
    t0 = time.perf_counter()
    for item in extra:
        index.update_item(item)
    out["update_item_ms"] = round((time.perf_counter() - t0) * 10, 3)
    out["fzf"] = fzf_compare(items, annotations, queries, index)
    out["loadavg_after"] = os.getloadavg()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        row = run(n)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    head = ("items", "build s", "load s", "RSS MB", "p50 ms", "p95 ms", "max ms", "cpu p50",
            "cpu p95", "stall ms", "fzf ms", "fzf/shelf")  # fmt: skip
    print(" | ".join(f"{h:>9}" for h in head))
    for r in rows:
        fz = r["fzf"]
        cells = (
            r["items"], r["build_s"], r.get("load_s", "-"), r["index_rss_mb"], r["p50_ms"],
            r["p95_ms"], r["max_ms"], r["cpu_p50_ms"], r["cpu_p95_ms"], r["ui_stall_max_ms"],
            fz.get("fzf_median_ms", "-"), fz.get("ratio", "-"),
        )  # fmt: skip
        print(" | ".join(f"{c:>9}" for c in cells))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
