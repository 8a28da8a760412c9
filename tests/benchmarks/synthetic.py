"""A deterministic synthetic library that looks like the seed corpus, at any size.

Benchmarks and stress tests need 1k–100k items whose shape matches real data:
a title of a few capitalised words (sometimes with a model name such as
``GPT-4`` or a subtitle after a colon), one to eight authors, a ~150-word
abstract whose word frequencies follow Zipf's law with a long tail of rare
terms (so the vocabulary grows with the library as a real one does), and tags
and notes on about 10% of the items.

The same ``(n, seed)`` always gives the same items, and ``synthetic_items(k)``
is a prefix of ``synthetic_items(n)`` for ``k <= n``, so a figure measured at
10k and one at 100k describe the same kind of data.
"""

from __future__ import annotations

import gc
import random
import re
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from seeds.model import Item, Update
from storage.model import Annotation, Note

__all__ = ["synthetic_annotations", "synthetic_items"]

_SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

_CATEGORIES = ("CL", "LG", "AI", "CV", "AS", "RO", "NE", "CR", "HC", "IR")
_CATEGORY_WEIGHTS = (30, 30, 12, 12, 3, 3, 2, 3, 3, 2)
_TAGS = (
    "rlhf", "agents", "vision", "scaling", "safety", "interpretability", "rl", "nlp",
    "diffusion", "alignment", "evals", "reasoning", "multimodal", "speech", "robotics",
    "theory", "optimization", "data", "benchmarks", "to-read", "must-read", "reread",
    "reproduce", "survey", "classic", "ml-systems", "efficiency", "retrieval", "code",
    "math", "privacy", "fairness", "policy", "game-theory", "world-models", "tokenizers",
)  # fmt: skip
_MODEL_NAMES = (
    "GPT-2", "GPT-3", "GPT-4", "GPT-4o", "DALL·E 2", "DALL·E 3", "CLIP", "Codex",
    "Whisper", "Jukebox", "BERT", "T5", "PaLM", "LLaMA-2", "Sora", "o1", "VQ-VAE",
    "ResNet-50", "ViT-L/14", "AlphaGo", "MuZero", "InstructGPT", "WebGPT", "ChatGPT",
)  # fmt: skip
_ACRONYM_PHRASES = (
    ("Proximal Policy Optimization", "PPO"),
    ("Reinforcement Learning from Human Feedback", "RLHF"),
    ("Generative Adversarial Networks", "GANs"),
    ("Large Language Models", "LLMs"),
    ("Chain-of-Thought", "CoT"),
    ("Variational Autoencoder", "VAE"),
    ("Mixture of Experts", "MoE"),
    ("Direct Preference Optimization", "DPO"),
    ("Retrieval-Augmented Generation", "RAG"),
    ("Trust Region Policy Optimization", "TRPO"),
)
_FIRST = (
    "Alec", "Ilya", "Jan", "John", "Wojciech", "Greg", "Dario", "Paul", "Jacob", "Lilian",
    "Mark", "Jerry", "Heewoo", "Aditya", "Prafulla", "Tom", "Jeff", "Sam", "Chris", "Yuri",
    "Tao", "Jong", "Sandhini", "Gretchen", "Miles", "Amanda", "Pamela", "Long", "Xu", "Wei",
    "Yann", "Yoshua", "Geoffrey", "Fei", "Andrej", "Oriol", "Quoc", "Noam", "Ashish", "Niki",
)  # fmt: skip
_LAST = (
    "Radford", "Sutskever", "Leike", "Schulman", "Zaremba", "Brockman", "Amodei",
    "Christiano", "Hilton", "Weng", "Chen", "Tworek", "Jun", "Ramesh", "Dhariwal",
    "Brown", "Wu", "Altman", "Olah", "Burda", "Kim", "Agarwal", "Krueger", "Brundage",
    "Askell", "Mishkin", "Ouyang", "LeCun", "Bengio", "Hinton", "Karpathy", "Vinyals",
    "Le", "Shazeer", "Vaswani", "Parmar", "Dupré la Tour", "Müller", "Łukasz", "Ødegaard",
)  # fmt: skip
_STOP = (
    "the", "of", "and", "to", "a", "in", "we", "that", "is", "for", "on", "with", "this",
    "as", "by", "our", "are", "from", "be", "an", "can", "it", "which", "at", "or", "these",
)  # fmt: skip
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")


@lru_cache(maxsize=4)
def _vocabulary(seed: int) -> tuple[tuple[str, ...], tuple[float, ...], tuple[str, ...]]:
    """Common words (Zipf-ranked, corpus words first) and a pool of rare terms."""
    counts: dict[str, int] = {}
    for path in sorted(_SEEDS_DIR.glob("*.txt")):
        for word in _WORD.findall(path.read_text(encoding="utf-8").lower()):
            counts[word] = counts.get(word, 0) + 1
    corpus = sorted(counts, key=lambda w: (-counts[w], w))
    rng = random.Random(seed * 7919 + 1)
    onsets = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v",
              "st", "tr", "pr", "gr", "br", "cl", "sp", "ch", "sh", "th", "qu", "z")  # fmt: skip
    vowels = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y")
    codas = ("", "", "n", "r", "s", "t", "l", "m", "x", "nd", "st", "ng", "ct", "rm")

    def pseudo(syllables: int) -> str:
        return "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )

    seen = set(corpus)
    common = list(corpus)
    while len(common) < 30_000:
        word = pseudo(rng.choice((2, 2, 3, 3, 4)))
        if word not in seen:
            seen.add(word)
            common.append(word)
    rare: list[str] = []
    while len(rare) < 200_000:
        word = pseudo(rng.choice((2, 3, 3, 4)))
        if word not in seen:
            seen.add(word)
            rare.append(word)
    weights = tuple(accumulate(1.0 / (rank + 2.7) for rank in range(len(common))))
    return tuple(common), weights, tuple(rare)


@lru_cache(maxsize=4)
def _sentences(seed: int) -> tuple[str, ...]:
    """A pool of abstract-like sentences; abstracts are drawn from it."""
    common, cum, _ = _vocabulary(seed)
    rng = random.Random(seed * 104_729 + 3)
    sentences = []
    for _ in range(12_000):
        words = rng.choices(common, cum_weights=cum, k=rng.randint(9, 26))
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), rng.choice(_MODEL_NAMES))
        if rng.random() < 0.06:
            phrase, acronym = rng.choice(_ACRONYM_PHRASES)
            words.insert(rng.randrange(len(words)), f"{phrase.lower()} ({acronym})")
        if rng.random() < 0.1:
            words.insert(rng.randrange(len(words)), f"{rng.randint(2, 99)}%")
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    return tuple(sentences)


def _title(rng: random.Random, pool: tuple[str, ...], rare: tuple[str, ...]) -> str:
    rand, size = rng.random, len(pool)
    content = [w for w in (pool[int(rand() * size)] for _ in range(12)) if w not in _STOP]
    words = [w.capitalize() for w in content[: rng.randint(3, 8)]]
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_MODEL_NAMES))
    if rng.random() < 0.08:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_ACRONYM_PHRASES)[0])
    if rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words) + 1), rng.choice(("for", "of", "with", "via")))
    if rng.random() < 0.3:
        words[0] = rng.choice(rare).capitalize() + ":" + " " + words[0]
    return " ".join(words)


def synthetic_items(n: int, seed: int = 0) -> list[Item]:
    """``n`` corpus-like items; deterministic in ``(n, seed)``, prefix-stable in ``n``."""
    # Millions of young objects make the cyclic collector rescan the growing
    # list over and over; nothing here forms cycles, so pause it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(n, seed)
    finally:
        if enabled:
            gc.enable()


def _generate(n: int, seed: int) -> list[Item]:
    common, _, rare = _vocabulary(seed)
    sentences = _sentences(seed)
    title_pool = tuple(w for w in common[:4000] if w not in _STOP and len(w) > 2)
    n_sentences, n_rare = len(sentences), len(rare)
    items = []
    for i in range(n):
        rng = random.Random((seed << 32) ^ (i * 2_654_435_761))
        rand = rng.random
        picked = [sentences[int(rand() * n_sentences)] for _ in range(6 + int(rand() * 5))]
        tail = " ".join(rare[int(rand() * n_rare)] for _ in range(2 + int(rand() * 5)))
        picked.insert(rng.randrange(len(picked) + 1), f"We call it {tail}.")
        n_authors = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8))
        authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(n_authors)]
        year = rng.randint(2012, 2025)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        known_date = rng.random() < 0.9
        updates = []
        if rng.random() < 0.03:
            updates.append(Update(f"{year + 1}-01-15", rng.choice(sentences)))
        items.append(
            Item(
                id=f"syn{seed}-{i:07d}",
                title=_title(rng, title_pool, rare),
                authors=authors,
                authors_truncated=n_authors == 8 and rng.random() < 0.5,
                affiliations=rng.sample(("openai", "deepmind", "berkeley", "stanford"), 1)
                if rng.random() < 0.3
                else [],
                date=f"{year:04d}-{month:02d}-{day:02d}" if known_date else None,
                date_text=f"{year}-{month:02d}-{day:02d}" if known_date else None,
                category=rng.choices(_CATEGORIES, weights=_CATEGORY_WEIGHTS)[0],
                has_code=rng.random() < 0.3,
                summary=" ".join(picked),
                urls=[f"https://arxiv.org/abs/{year % 100:02d}{month:02d}.{i % 100000:05d}"],
                updates=updates,
                sources=[f"synthetic_{rng.randrange(20):02d}.txt"],
                kinds=["paper_listing"],
                keys=[],
            )
        )
    return items


def synthetic_annotations(
    items: list[Item], fraction: float = 0.1, seed: int = 0
) -> dict[str, Annotation]:
    """Annotations (status, tags, notes, sometimes a rename) on ``fraction`` of ``items``."""
    sentences = _sentences(seed)
    rng = random.Random(seed * 31 + 17)
    out: dict[str, Annotation] = {}
    for item in items:
        if rng.random() >= fraction:
            continue
        notes = [
            Note(rng.choice(sentences), f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00Z")
            for _ in range(rng.choice((0, 1, 1, 2, 3)))
        ]
        status = rng.choice(("unread", "reading", "read", "read"))
        out[item.id] = Annotation(
            item_id=item.id,
            status=status,
            status_at="2024-05-01T12:00:00Z" if status != "unread" else None,
            read_at="2024-05-02T12:00:00Z" if status == "read" else None,
            tags=sorted(set(rng.sample(_TAGS, rng.randint(1, 4)))),
            notes=notes,
            title=f"{item.title} (my copy)" if rng.random() < 0.1 else None,
            updated="2024-05-02T12:00:00Z",
        )
    return out
