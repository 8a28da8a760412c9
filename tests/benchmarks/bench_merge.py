"""How parsing and merging scale: 4k, 16k and 64k synthetic entries.

Linear is 4x per step; the figure that matters is the ratio, measured in
the same run, so a slow or busy machine does not change the verdict.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from seeds.merge import merge_entries  # noqa: E402
from seeds.parse import parse_document  # noqa: E402
from tests.seed_fixtures import synthetic_documents  # noqa: E402


def parse_and_merge(size: int, seed: int) -> float:
    documents = synthetic_documents(size, seed=seed)
    started = time.perf_counter()
    entries = [e for name, text in documents for e in parse_document(text, name).entries]
    merge_entries(entries)
    return time.perf_counter() - started


def main() -> None:
    sizes = [4_000, 16_000, 64_000]
    seconds = [min(parse_and_merge(n, seed) for seed in (1, 2, 3)) for n in sizes]
    print(f"{'entries':>8}  {'seconds':>8}  {'ratio to previous':>18}  (linear: 4.0)")
    for i, (n, s) in enumerate(zip(sizes, seconds, strict=True)):
        ratio = f"{s / seconds[i - 1]:.2f}" if i else "-"
        print(f"{n:>8}  {s:>8.3f}  {ratio:>18}")


if __name__ == "__main__":
    main()
