"""A Lil'Log-style RSS feed built from the Lil'Log excerpts of the bundled corpus.

The corpus holds Lil'Log's listing page: untitled, undated excerpts. The real
feed carries each post's title, date and link with a truncated beginning of
the same text. This builds such a feed from the corpus itself, so the test
follows the corpus if it changes: each entry's description is the excerpt
cut at a different length, mid-word or not, with the markers feeds use
("…", "[…]", "Read more"), escaped as HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from seeds.bundled import bundled_documents
from seeds.merge import merge_entries
from seeds.model import Entry, Item
from seeds.parse import parse_document

#: Opening words of an excerpt -> (title, date, slug) of the real post.
POSTS = {
    "Special thanks to John Schulman": ("Why We Think", "2025-05-01", "thinking"),
    "Reward hacking occurs when a": (
        "Reward Hacking in Reinforcement Learning",
        "2024-11-28",
        "reward-hacking",
    ),
    "Hallucination in large language models": (
        "Extrinsic Hallucinations in LLMs",
        "2024-07-07",
        "hallucination",
    ),
    "Diffusion models have demonstrated strong": (
        "Diffusion Models for Video Generation",
        "2024-04-12",
        "diffusion-video",
    ),
    "[Special thank you to Ian": (
        "Thinking about High-Quality Human Data",
        "2024-02-05",
        "human-data-quality",
    ),
    "The use of large language models": (
        "Adversarial Attacks on LLMs",
        "2023-10-25",
        "adv-attack-llm",
    ),
    "Building agents with LLM (large": ("LLM Powered Autonomous Agents", "2023-06-23", "agent"),
    "Prompt Engineering, also known as": ("Prompt Engineering", "2023-03-15", "prompt-engineering"),
    "Many new Transformer architecture improvements": (
        "The Transformer Family Version 2.0",
        "2023-01-27",
        "the-transformer-family-v2",
    ),
    "Large transformer models are mainstream": (
        "Large Transformer Model Inference Optimization",
        "2023-01-10",
        "inference-optimization",
    ),
    "Neural networks are well known": (
        "Some Math behind Neural Tangent Kernel",
        "2022-09-08",
        "ntk",
    ),
    "Processing images to generate text,": (
        "Generalized Visual Language Models",
        "2022-06-09",
        "vlm",
    ),
    "Here comes the Part 3": (
        "Learning with not Enough Data Part 3: Data Generation",
        "2022-04-15",
        "data-gen",
    ),
    "This is part 2 of": (
        "Learning with not Enough Data Part 2: Active Learning",
        "2022-02-20",
        "active-learning",
    ),
    "When facing a limited amount": (
        "Learning with not Enough Data Part 1: Semi-Supervised Learning",
        "2021-12-05",
        "semi-supervised",
    ),
    "The goal of contrastive representation": (
        "Contrastive Representation Learning",
        "2021-05-31",
        "contrastive",
    ),
    "Large pretrained language models are": (
        "Reducing Toxicity in Language Models",
        "2021-03-21",
        "toxic",
    ),
    "A model that can answer": (
        "How to Build an Open-Domain Question Answering System?",
        "2020-10-29",
        "odqa",
    ),
    "Although most popular and successful": ("Neural Architecture Search", "2020-08-06", "nas"),
    "Exploitation versus exploration is a": (
        "Exploration Strategies in Deep Reinforcement Learning",
        "2020-06-07",
        "exploration-drl",
    ),
    "Stochastic gradient descent is a": (
        "Evolution Strategies",
        "2019-09-05",
        "evolution-strategies",
    ),
    "In my earlier post on": ("Meta Reinforcement Learning", "2019-06-23", "meta-rl"),
    "In Robotics, one of the": (
        "Domain Randomization for Sim2Real Transfer",
        "2019-05-05",
        "domain-randomization",
    ),
    "If you are like me,": (
        "Are Deep Neural Networks Dramatically Overfitted?",
        "2019-03-14",
        "overfit",
    ),
}

#: Where descriptions are cut (characters), and what follows the cut.
CUTS = (140, 200, 260, 330, 170, 230)
MARKERS = ("…", " […]", " Read more", "...", "", " [&#8230;]")

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class Post:
    item_id: str  # the corpus item the entry was cut from
    title: str
    date: str
    link: str
    description: str  # as it appears in the feed, before XML escaping


def corpus_items() -> list[Item]:
    entries: list[Entry] = []
    for name, text in bundled_documents():
        entries.extend(parse_document(text, name).entries)
    return merge_entries(entries).items


def lillog_posts(items: list[Item]) -> list[Post]:
    posts = []
    for n, item in enumerate(i for i in items if "blog_excerpts" in i.kinds and i.summary):
        opening = next((o for o in POSTS if item.summary.startswith(o)), None)
        if opening is None:
            continue
        title, date, slug = POSTS[opening]
        text = item.summary
        cut = CUTS[n % len(CUTS)]
        marker = ""
        if len(text) > cut:
            marker = MARKERS[n % len(MARKERS)]
            # Every other cut falls inside a word, as teasers cut by characters do.
            text = text[:cut] if n % 2 else text[:cut].rsplit(" ", 1)[0]
        if item.updates:  # the feed still has the update note the listing parser took out
            note = item.updates[0]
            text = f"[Updated on {note.date}: {note.text}] {text}"
        body = html.escape(text, quote=False).replace("’", "&#8217;")
        posts.append(
            Post(
                item_id=item.id,
                title=title,
                date=date,
                link=f"https://lilianweng.github.io/posts/{date}-{slug}/",
                description=f"<p>{body}{marker}</p>",
            )
        )
    return posts


def _rfc822(date: str) -> str:
    year, month, day = date.split("-")
    return f"{day} {_MONTHS[int(month) - 1]} {year} 00:00:00 +0000"


def rss(posts: list[Post], extra: str = "") -> bytes:
    """Hugo's RSS template, as Lil'Log serves it."""
    items = "".join(
        "<item>"
        f"<title>{html.escape(p.title)}</title>"
        f"<link>{p.link}</link>"
        f"<pubDate>{_rfc822(p.date)}</pubDate>"
        f"<guid>{p.link}</guid>"
        f"<description>{html.escape(p.description)}</description>"
        "</item>"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        "<title>Lil&#39;Log</title><link>https://lilianweng.github.io/</link>"
        "<description>Recent content on Lil&#39;Log</description>"
        "<generator>Hugo -- gohugo.io</generator><language>en</language>"
        f"{items}{extra}</channel></rss>"
    ).encode()


def unrelated_item(title: str, description: str, date: str = "2025-06-01") -> str:
    link = f"https://lilianweng.github.io/posts/{date}-{title.lower().replace(' ', '-')}/"
    return (
        f"<item><title>{html.escape(title)}</title><link>{link}</link>"
        f"<pubDate>{_rfc822(date)}</pubDate><guid>{link}</guid>"
        f"<description>{html.escape(description)}</description></item>"
    )
