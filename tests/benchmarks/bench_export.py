"""Export timings per format at 1k / 10k / 100k items (budget: 100k in ≤ 5 s).

Run: ``python tests/benchmarks/bench_export.py [--sizes 1000,10000,100000] [--check]``.
Views come from ``synthetic.py`` (corpus-shaped items, annotations on 10%) and
one in twenty abstracts gets LaTeX (math, ``\\%``, braces, ``&``) so the
BibTeX escaping's slow path is part of the figure. Each cell is wall-clock
seconds with the process's CPU seconds in brackets (the machine is shared, so
the CPU figure is the steadier one). ``--check`` exits 1 when a 100k export
is over budget (wall clock).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.export import FORMATS, export_views  # noqa: E402
from storage.views import item_view  # noqa: E402
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items  # noqa: E402

BUDGET_S = 5.0
_LATEX = (
    r" It is 50\% cheaper, maps $x \leftrightarrow y$ with $\{a_i\}$, costs $5 & uses {braces}_~^."
)


def build_views(n: int) -> list[dict]:
    items = synthetic_items(n)
    anns = synthetic_annotations(items)
    views = []
    for i, item in enumerate(items):
        if i % 20 == 0:
            item.summary += _LATEX
        views.append(item_view(item, anns.get(item.id)))
    return views


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    over = []
    print(f"{'format':<10}" + "".join(f"{n:>15,}" for n in sizes) + "   (wall s (cpu s); MB)")
    results: dict[str, list[str]] = {f: [] for f in formats}
    sizes_mb: dict[str, float] = {}
    for n in sizes:
        views = build_views(n)
        for fmt in formats:
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            data = export_views(views, fmt, query="bench", user="bench", group_by="tag")
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
            results[fmt].append(f"{elapsed:7.2f} ({cpu:5.2f})")
            sizes_mb[fmt] = len(data) / 1e6
            if n >= 100_000 and elapsed > BUDGET_S:
                over.append(f"{fmt} {elapsed:.2f}s")
        del views
    for fmt in formats:
        print(f"{fmt:<10}" + "".join(f"{r:>15}" for r in results[fmt]) + f"   {sizes_mb[fmt]:.1f}")
    if over:
        print("over the 5 s budget: " + ", ".join(over))
    return 1 if (over and args.check) else 0


if __name__ == "__main__":
    raise SystemExit(main())
