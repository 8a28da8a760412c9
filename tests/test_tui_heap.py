"""The app's garbage-collection policy: full passes only when the user is idle."""

from __future__ import annotations

import gc

import pytest

from tui.heap import IDLE_SECONDS, HeapPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def policy():
    clock = Clock()
    heap = HeapPolicy(clock)
    saved = gc.get_threshold()
    heap.install()
    try:
        yield heap, clock
    finally:
        heap.uninstall()
        assert gc.get_threshold() == saved


def _age_objects() -> None:
    """Make the collector run young passes, so a full pass becomes due."""
    keep = []
    for _ in range(20):
        keep.append([[] for _ in range(2000)])
        gc.collect(1)


def test_install_puts_off_automatic_full_passes_and_uninstall_restores(policy) -> None:
    heap, _ = policy
    assert gc.get_threshold()[2] >= 100_000


def test_no_full_pass_while_keys_arrive(policy) -> None:
    heap, clock = policy
    _age_objects()
    assert gc.get_count()[2] > 0
    heap.input_seen()
    clock.now += IDLE_SECONDS / 2
    assert heap.tick() is False
    assert heap.full_collections == 0


def test_a_full_pass_runs_once_idle_and_only_when_due(policy) -> None:
    heap, clock = policy
    _age_objects()
    heap.input_seen()
    clock.now += IDLE_SECONDS + 0.1
    assert heap.tick() is True
    assert gc.get_count()[2] == 0
    assert heap.tick() is False  # nothing grew old since
    assert heap.full_collections == 1


def test_settle_freezes_what_is_loaded() -> None:
    heap = HeapPolicy()
    before = gc.get_freeze_count()
    loaded = [{"id": i} for i in range(1000)]
    try:
        heap.settle()
        assert gc.get_freeze_count() >= before + len(loaded)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_app_holds_full_passes_while_open_and_gives_the_thresholds_back(tmp_path) -> None:
    import asyncio

    from core.session import Session
    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp

    saved = gc.get_threshold()
    seen = {}

    async def go() -> None:
        app = ShelfApp(Session(open_test_shelf(tmp_path / "data")))
        async with app.run_test() as pilot:
            await settle(pilot)
            seen["during"] = gc.get_threshold()

    asyncio.run(go())
    assert seen["during"][2] >= 100_000
    assert gc.get_threshold() == saved


def test_an_app_that_has_ended_can_be_freed(tmp_path) -> None:
    import asyncio
    import weakref

    from core.session import Session
    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp

    refs = []

    async def go() -> None:
        app = ShelfApp(Session(open_test_shelf(tmp_path / "data")))
        refs.append(weakref.ref(app))
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.index_ready  # loaded, so the policy froze the heap

    asyncio.run(go())
    gc.collect()
    assert refs[0]() is None
