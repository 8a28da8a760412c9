"""The list at scale: frame cost at 100k rows, model work at 100k, first frame at 10k.

These check that the list works at 100k rows (paging, a new order, facets)
and print what it cost (``pytest -s``); they assert no times, which depend on
the machine and its load. The budgets (a frame within 16 ms at 100k rows, the
first frame within 0.5 s at 10k items) are measured by
``tests/benchmarks/bench_scale.py``.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from core.listing import LibraryModel, ViewState
from seeds.model import Item
from storage.model import Annotation
from tui.widgets.item_list import ItemList

pytestmark = pytest.mark.timeout(600)


def many_items(n: int) -> dict[str, Item]:
    cats = ("CL", "LG", "CV", "AI")
    items = {}
    for i in range(n):
        item = Item(
            id=f"i{i:06d}",
            title=f"A study of scaling behaviour number {i} in large language models",
            authors=[f"Author {i % 997}", "Second Author"],
            date=f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            category=cats[i % 4],
            sources=[f"source_{i % 7}.txt"],
        )
        items[item.id] = item
    return items


def many_annotations(ids: list[str]) -> dict[str, Annotation]:
    statuses = ("read", "reading")
    return {
        i: Annotation(i, status=statuses[n % 2], tags=[f"tag{n % 30}"], updated=f"2026-{n}")
        for n, i in enumerate(ids[::10])
    }


class ListApp(App):
    def __init__(self, model: LibraryModel) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        yield ItemList(self.model, id="items")

    def on_mount(self) -> None:
        self.query_one(ItemList).set_order(self.model.library_order)
        self.query_one(ItemList).focus()


@pytest.fixture(scope="module")
def big_model() -> LibraryModel:
    items = many_items(100_000)
    model = LibraryModel(items, many_annotations(list(items)))
    model.rows(model.library_order)
    # As the app does once loaded: the collector never walks the library again.
    gc.freeze()
    yield model
    gc.unfreeze()


def test_paging_100k_rows_draws_every_line(big_model: LibraryModel) -> None:
    async def go() -> list[float]:
        app = ListApp(big_model)
        costs: list[float] = []
        async with app.run_test(size=(160, 50)) as pilot:
            items = app.query_one(ItemList)
            for keys in [["pagedown"]] * 20 + [["G"], ["pageup"], ["g"]] + [["j"]] * 20:
                await pilot.press(*keys)
                items._cache.clear()  # a cold page: every line drawn anew
                start = time.perf_counter()
                for y in range(items.size.height):
                    items.render_line(y)
                costs.append(time.perf_counter() - start)
            assert items.cursor == 20
        return costs

    costs = asyncio.run(go())
    worst = max(costs)
    print(
        f"\n100k rows: cold page {sum(costs) / len(costs) * 1000:.2f} ms avg, {worst * 1000:.2f} max"
    )
    assert len(costs) == 43 and worst > 0


def test_every_key_while_paging_100k_rows_updates_the_screen(big_model, monkeypatch) -> None:
    """Times Textual's whole screen update (compositor included) for each keypress."""
    from textual._compositor import Compositor

    frames: list[float] = []
    real = Compositor.render_update

    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return real(self, *args, **kwargs)
        finally:
            frames.append(time.perf_counter() - start)

    monkeypatch.setattr(Compositor, "render_update", timed)

    async def go() -> None:
        async with ListApp(big_model).run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            frames.clear()
            for key in ["pagedown"] * 20 + ["j"] * 20 + ["G", "pageup", "g"]:
                await pilot.press(key)

    asyncio.run(go())
    frames.sort()
    median, p90 = frames[len(frames) // 2], frames[int(len(frames) * 0.9)]
    print(f"\n100k rows: frame {median * 1000:.1f} ms median, {p90 * 1000:.1f} ms p90")
    assert frames, "every key press updated the screen"


def test_new_order_for_100k_rows_is_one_array_not_a_rebuild(big_model: LibraryModel) -> None:
    state = ViewState(sort="date", filters={"status": frozenset({"unread"})})
    start = time.perf_counter()
    order = big_model.order(state, None)
    facets = big_model.facets(big_model.library_order, state.filters, order)
    took = time.perf_counter() - start
    print(f"\n100k rows: filter+sort+facets {took * 1000:.0f} ms (in a worker thread)")
    assert len(order) == 90_000 and facets
    dates = [big_model.row(i).sort_date for i in order if big_model.row(i).sort_date]
    assert dates == sorted(dates, reverse=True)


FIRST_FRAME = """
import argparse, sys, time
from tui import launch
from tui.app import ShelfApp
apps = []
real_run = ShelfApp.run
def run(self, *args, **kwargs):
    apps.append(self)
    self.call_later(lambda: self.set_interval(0.01, lambda: self.first_frame_at and self.exit()))
    return real_run(self, headless=True, size=(120, 40))
ShelfApp.run = run
launch.launch(argparse.Namespace(data_dir=sys.argv[1], user="bench"))
print(apps[0].first_frame_at)
"""


def first_frame_seconds(folder: Path) -> float:
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(folder)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1]) - start


def test_first_frame_at_10k_items(tmp_path: Path) -> None:
    import compileall

    from storage.shelf import Shelf
    from tests.storage_helpers import add_items

    # An installed shelf has its bytecode compiled; an editable checkout run
    # with PYTHONDONTWRITEBYTECODE would compile every module on each start.
    root = Path(__file__).resolve().parents[1]
    for package in ("tui", "storage", "seeds"):
        compileall.compile_dir(root / package, quiet=1)

    shelf = Shelf(tmp_path / "data", "bench", import_bundled=False)
    add_items(shelf, many_items(10_000).values())
    cold = first_frame_seconds(tmp_path / "data")  # no row cache yet: parses the library
    warm = min(first_frame_seconds(tmp_path / "data") for _ in range(3))
    print(f"\n10k items: first frame {warm:.3f} s (first start, no row cache: {cold:.3f} s)")
    assert warm > 0 and cold > 0
