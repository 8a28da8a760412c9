"""Parse and match feeds against a large library: 10 feeds x 500 entries, 100k items.

Not a test (pytest ignores this folder); it prints its figures. Per library
size: building the truncation index, parsing the feeds (feedparser plus our
clean-up), and matching every entry's summary against the index. The match
must cost per entry, not per entry x item: the figures at 10k and 100k items
should show the same time per entry, and the index's bucket sizes show how
many items one lookup compares at most.

Two in five entries are truncated openings of library items (cut mid-word,
with "…" or "[…]"); the rest are new posts. Every expected match is checked.

    python tests/benchmarks/bench_refresh.py
    python tests/benchmarks/bench_refresh.py --sizes 100000 --feeds 10 --entries 500 --merge
"""

from __future__ import annotations

import argparse
import gc
import html
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from seeds.model import Item  # noqa: E402
from storage.feeds.match import TruncationIndex, merge_feed_entries  # noqa: E402
from storage.feeds.parse import parse_feed  # noqa: E402
from tests.benchmarks.synthetic import synthetic_items  # noqa: E402


def _feed(
    n: int, entries: int, items: list[Item], rng: random.Random
) -> tuple[bytes, list[str | None]]:
    """An RSS 2.0 document, and per entry the id of the item it was cut from (or None)."""
    expected: list[str | None] = []
    parts = []
    for e in range(entries):
        if rng.random() < 0.4:
            item = items[rng.randrange(len(items))]
            cut = rng.randint(150, 400)
            text = item.summary[:cut] + rng.choice(("…", " […]", " Read more"))
            expected.append(item.id)
            title = f"Post {n}-{e} about {item.title}"
        else:
            words = [f"novel{rng.randrange(10**6)}" for _ in range(rng.randint(30, 60))]
            text = "A new post. " + " ".join(words) + "."
            expected.append(None)
            title = f"New post {n}-{e}"
        link = f"https://blog{n}.example.com/posts/{e}/"
        parts.append(
            f"<item><title>{html.escape(title)}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>Mon, 01 Dec 2026 10:00:00 GMT</pubDate>"
            f"<description>{html.escape('<p>' + html.escape(text) + '</p>')}</description></item>"
        )
    document = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Blog {n}</title><link>https://blog{n}.example.com/</link>"
        + "".join(parts)
        + "</channel></rss>"
    )
    return document.encode("utf-8"), expected


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(size: int, feeds: int, entries: int, merge: bool) -> dict[str, float]:
    gc.collect()
    items = synthetic_items(size)
    rng = random.Random(size)
    documents = [_feed(n, entries, items, rng) for n in range(feeds)]
    total_bytes = sum(len(d) for d, _ in documents)

    start = time.perf_counter()
    index = TruncationIndex(items)
    index_s = time.perf_counter() - start
    buckets = [len(v) for v in index._by_key.values()]

    start = time.perf_counter()
    parsed = [parse_feed(data, f"feed:blog{n}") for n, (data, _) in enumerate(documents)]
    parse_s = time.perf_counter() - start

    start = time.perf_counter()
    found = [[index.match(e.entry.summary) for e in feed.entries] for feed in parsed]
    match_s = time.perf_counter() - start

    n_entries = feeds * entries
    pairs = [
        (got, want)
        for feed_found, (_, expected) in zip(found, documents, strict=True)
        for got, want in zip(feed_found, expected, strict=True)
    ]
    # A miss is a refusal: synthetic abstracts are drawn from a pool of
    # sentences, so two items can open alike and a short cut fits both.
    wrong = sum(got is not None and got != want for got, want in pairs)
    refused = sum(got is None and want is not None for got, want in pairs)
    matched = sum(got is not None for feed_found in found for got in feed_found)
    figures = {
        "items": size,
        "entries": n_entries,
        "feed_mb": total_bytes / 1e6,
        "index_s": index_s,
        "parse_s": parse_s,
        "parse_ms_per_entry": parse_s / n_entries * 1000,
        "match_s": match_s,
        "match_us_per_entry": match_s / n_entries * 1e6,
        "matched": matched,
        "wrong": wrong,
        "refused_ambiguous": refused,
        "bucket_mean": sum(buckets) / len(buckets),
        "bucket_max": max(buckets),
        "max_rss_mb": _rss_mb(),
    }
    if merge:
        start = time.perf_counter()
        result = merge_feed_entries([e.entry for e in parsed[0].entries], items)
        figures["merge_one_feed_s"] = time.perf_counter() - start
        figures["merge_changed"] = len(result.merged)
        figures["merge_added"] = len(result.added)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument(
        "--merge", action="store_true", help="also time merge_feed_entries on one feed"
    )
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        figures = run(size, args.feeds, args.entries, args.merge)
        print(f"\n{size:,} items, {args.feeds} feeds x {args.entries} entries")
        for key, value in figures.items():
            shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
            print(f"  {key:<22} {shown}")
        if figures["wrong"]:
            print("  ** some entries matched the wrong item **")


if __name__ == "__main__":
    main()
