"""Driving the app in tests: a library of known items and a way to wait for quiet.

Snapshots must not change when the parser learns something new, so the app's
tests run on the items below rather than on the bundled corpus. ``settle``
waits until the storage thread, the workers and the debounce timers are done,
which is what a person would wait for before looking at the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from textual.worker import WorkerCancelled

from seeds.model import Item, Update

SAMPLE = [
    Item(
        id="a1",
        title="Language Models are Few-Shot Learners",
        authors=["Tom B. Brown", "Benjamin Mann", "Nick Ryder"],
        authors_truncated=True,
        affiliations=["openai"],
        date="2020-05-28",
        date_text="May 28, 2020",
        category="CL",
        has_code=True,
        summary=(
            "Recent work has demonstrated substantial gains on many NLP tasks by "
            "pre-training on a large corpus of text. GPT-3 is $10\\times$ larger than any "
            "previous non-sparse language model and improves accuracy by 50\\%."
        ),
        urls=["https://arxiv.org/abs/2005.14165"],
        sources=["papers.txt"],
        kinds=["paper_listing"],
    ),
    Item(
        id="b2",
        title="Proximal Policy Optimization Algorithms",
        authors=["John Schulman", "Filip Wolski"],
        date="2017-07-20",
        date_text="Jul 20, 2017",
        category="LG",
        summary="We propose a new family of policy gradient methods for reinforcement learning.",
        urls=["https://arxiv.org/abs/1707.06347"],
        sources=["papers.txt"],
        kinds=["paper_listing"],
    ),
    Item(
        id="c3",
        title="Reward hacking occurs when an agent exploits flaws in the reward",
        title_derived=True,
        summary=(
            "Reward hacking occurs when an agent exploits flaws in the reward function "
            "$R \\leftrightarrow R'$ to achieve high rewards without learning the task."
        ),
        updates=[Update(date="2024-12-02", text="Added a section on RLHF.")],
        sources=["lillog.txt"],
        kinds=["blog_excerpts"],
    ),
    Item(
        id="d4",
        title="Zero-Shot Text-to-Image Generation",
        authors=["Aditya Ramesh"],
        date="2021-02-24",
        date_text="Feb 24, 2021",
        category="CV",
        summary="Text-to-image generation has traditionally focused on finding better models.",
        urls=["https://arxiv.org/abs/2102.12092"],
        sources=["papers.txt"],
        kinds=["paper_listing"],
    ),
    Item(
        id="e5",
        title="Scaling Laws for Neural Language Models",
        authors=["Jared Kaplan", "Sam McCandlish"],
        authors_truncated=True,
        date="2020-01-23",
        date_text="Jan 23, 2020",
        category="LG",
        summary="We study empirical scaling laws for language model performance.",
        urls=["https://arxiv.org/abs/2001.08361"],
        sources=["papers.txt", "abstracts.txt"],
        kinds=["paper_listing", "arxiv_abstracts"],
    ),
    Item(
        id="f6",
        title="Our approach to alignment research",
        date_text="2022",
        summary="Our approach to aligning AGI is empirical and iterative.",
        sources=["research.txt"],
        kinds=["research_page"],
    ),
    Item(
        id="g7",
        title="WebGPT: Browser-assisted question-answering with human feedback",
        authors=["Reiichiro Nakano"],
        authors_truncated=True,
        date="2021-12-17",
        date_text="Dec 17, 2021",
        category="CL",
        summary="We fine-tune GPT-3 to answer long-form questions using a text-based browser.",
        urls=["https://arxiv.org/abs/2112.09332"],
        sources=["papers.txt"],
        kinds=["paper_listing"],
    ),
    Item(
        id="h8",
        title="Diffusion models have demonstrated strong results on image synthesis",
        title_derived=True,
        summary="Diffusion models have demonstrated strong results on image synthesis.",
        sources=["lillog.txt"],
        kinds=["blog_excerpts"],
    ),
]


def sample_items() -> list[Item]:
    """Fresh copies, so a test that changes one cannot leak into the next."""
    return [Item.from_dict(item.to_dict()) for item in SAMPLE]


def open_test_shelf(folder: str | Path, user: str = "alice", items: list[Item] | None = None):
    """A shelf on ``folder`` holding ``items`` (the sample by default), without the corpus."""
    from storage.shelf import Shelf
    from tests.storage_helpers import add_items

    shelf = Shelf(folder, user, import_bundled=False)
    if shelf.library.is_empty():
        add_items(shelf, sample_items() if items is None else items)
    return shelf


async def settle(pilot: Any, timeout: float = 15.0) -> None:
    """Wait until the app has finished everything it was asked to do."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        # A search cancelled by the next key's search is normal, not a failure.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.busy():
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not settle")
        await asyncio.sleep(0.01)
    await pilot.pause()
