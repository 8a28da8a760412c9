"""A deterministic synthetic corpus written as documents in the five seed formats.

The scale benchmarks must time ``shelf import`` end to end, parser included,
so they need documents rather than ready-made items: paper listings with
glued ``<category><date>Code`` headers and ``Title`` + ``Authors et al. ·
affiliations`` bylines, blog listings separated by (sometimes glued)
``Read More`` links, research pages of title / summary blocks, ``Abstract:``
dumps and blog excerpt pages with ``[Updated on …]`` notes. Every work gets
a coined name (unique by construction), so no two generated works share a
title or an abstract fingerprint, and importing ``n`` generated works adds
exactly ``n`` items. With ``overlap`` some listed papers reappear in an
abstract dump, which the import must merge back into one item.

Each generated entry knows the title the parser should find: real titles as
written, and for the untitled formats the opening sentence, which is short
and plain so that title derivation keeps it whole.

    python tests/benchmarks/gen_corpus.py --items 100000 --out DIR
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

__all__ = ["Document", "Work", "generate", "works", "write_corpus"]

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

#: Share of works per format, roughly what importing a few arXiv categories
#: next to some blogs looks like: mostly listings and abstract dumps.
FORMAT_WEIGHTS = {
    "paper_listing": 40,
    "arxiv_abstracts": 25,
    "blog_excerpts": 15,
    "blog_listing": 10,
    "research_page": 10,
}
KINDS = tuple(FORMAT_WEIGHTS)
DEFAULT_PER_DOC = 10_000

_CATEGORIES = ("CL", "LG", "AI", "CV", "AS", "RO", "NE", "CR", "HC", "IR", "ML", "SD")
_CATEGORY_WEIGHTS = (28, 30, 12, 12, 3, 3, 2, 3, 2, 2, 2, 1)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_AFFILIATIONS = ("openai", "deepmind", "berkeley", "stanford", "mit", "cmu", "meta", "google")
_FIRST = (
    "Alec", "Ilya", "Jan", "John", "Wojciech", "Greg", "Dario", "Paul", "Jacob", "Lilian",
    "Mark", "Jerry", "Heewoo", "Aditya", "Prafulla", "Tom", "Jeff", "Sam", "Chris", "Yuri",
    "Tao", "Jong Wook", "Sandhini", "Gretchen", "Miles", "Amanda", "Pamela", "Long", "Xu",
    "Wei", "Yann", "Yoshua", "Geoffrey", "Fei", "Andrej", "Oriol", "Quoc", "Noam", "Ashish",
    "Niki", "Łukasz", "Daniel M.", "Tom B.", "Adam P.", "Nisan", "Rewon", "Irene", "Rafal",
)  # fmt: skip
_LAST = (
    "Radford", "Sutskever", "Leike", "Schulman", "Zaremba", "Brockman", "Amodei",
    "Christiano", "Hilton", "Weng", "Chen", "Tworek", "Jun", "Ramesh", "Dhariwal",
    "Brown", "Wu", "Altman", "Olah", "Burda", "Kim", "Agarwal", "Krueger", "Brundage",
    "Askell", "Mishkin", "Ouyang", "Lecun", "Bengio", "Hinton", "Karpathy", "Vinyals",
    "Shazeer", "Vaswani", "Parmar", "Dupré la Tour", "Müller", "Kaiser", "Ødegaard",
    "McCandlish", "Goucher", "Salimans", "Jozefowicz", "Stiennon", "Solaiman", "Child",
)  # fmt: skip
_ADJECTIVES = (
    "sparse", "scalable", "robust", "efficient", "contrastive", "hierarchical", "causal",
    "multimodal", "recurrent", "adaptive", "generative", "latent", "modular", "compositional",
    "probabilistic", "self-supervised", "low-rank", "multilingual", "autoregressive", "diffusion",
)  # fmt: skip
_NOUNS = (
    "method", "model", "benchmark", "framework", "algorithm", "architecture", "objective",
    "dataset", "policy", "estimator", "tokenizer", "agent", "critic", "retriever", "protocol",
)  # fmt: skip
_TASKS = (
    "speech recognition", "code generation", "image synthesis", "theorem proving",
    "reward modeling", "machine translation", "video prediction", "protein folding",
    "instruction following", "open-domain question answering", "robot manipulation",
    "preference learning", "long-context retrieval", "tabular reasoning", "music generation",
    "red teaming", "summarization", "planning", "exploration", "calibration",
)  # fmt: skip
_TITLE_WORDS = (
    "Scaling", "Learning", "Training", "Aligning", "Evaluating", "Measuring", "Improving",
    "Understanding", "Language", "Models", "Agents", "Representations", "Transformers",
    "Attention", "Reinforcement", "Feedback", "Reasoning", "Vision", "Policies", "Rewards",
    "Generalization", "Interpretability", "Data", "Compute", "Memory", "Search", "Tools",
)  # fmt: skip
_SYLLABLES = (
    "ba", "be", "bi", "bo", "da", "de", "di", "do", "ka", "ke", "ki", "ko", "la", "le", "li",
    "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "ra", "re", "ri", "ro", "sa", "se",
    "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "vo", "za", "ze", "zi", "zo",
)  # fmt: skip
_UPDATE_NOTES = (
    "add a small section on distillation.", "add expert choice routing.",
    "add a new section on contrastive predictive coding.", "fix many typos.",
    "add a pointer to a follow-up post.", "add the section on evaluation.",
)  # fmt: skip
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
# Link labels that blog listings strip from a summary's end ("… tasks. Read paper…");
# a summary cut just after one of these opening a sentence would lose words.
_LINK_WORDS = frozenset(
    ("read", "more", "view", "download", "learn", "see", "watch", "listen", "try", "explore")
    + ("visit", "abstract")
)


@dataclass
class Work:
    """One generated work and what the parser should read back from its entry."""

    index: int
    kind: str
    title: str
    title_derived: bool
    summary: str
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    affiliations: list[str] = field(default_factory=list)
    date_text: str | None = None
    category: str | None = None
    has_code: bool = False
    updates: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Document:
    name: str
    kind: str
    text: str
    works: list[Work]  # in entry order; a work listed twice appears in two documents


@lru_cache(maxsize=4)
def _sentences(seed: int) -> tuple[str, ...]:
    """Abstract sentences drawn from the seed corpus's own words (Zipf-ranked)."""
    counts: dict[str, int] = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for word in _WORD.findall(path.read_text(encoding="utf-8").lower()):
            if word not in _LINK_WORDS:
                counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    weights = list(accumulate(1.0 / (rank + 2.5) for rank in range(len(words))))
    rng = random.Random(seed * 7919 + 11)
    pool = []
    for _ in range(20_000):
        chosen = rng.choices(words, cum_weights=weights, k=rng.randint(9, 26))
        if rng.random() < 0.1:
            chosen.insert(rng.randrange(1, len(chosen)), f"{rng.randint(2, 99)}%")
        if rng.random() < 0.03:
            chosen.insert(rng.randrange(1, len(chosen)), r"$O(n \log n)$")
        sentence = " ".join(chosen)
        pool.append(sentence[0].upper() + sentence[1:] + ".")
    return tuple(pool)


def _coined(index: int, seed: int) -> str:
    """A pronounceable five-syllable name that no other index gets.

    ``index * A + B mod 44**5`` is a bijection (A is prime to 44), so names are
    unique up to 165 million works and neighbours do not look alike.
    """
    size = len(_SYLLABLES)
    n = (index * 2_654_435_761 + seed * 97_531 + 12_345) % size**5
    parts = []
    for _ in range(5):
        n, digit = divmod(n, size)
        parts.append(_SYLLABLES[digit])
    return "".join(parts).capitalize()


def _opening(rng: random.Random, name: str) -> str:
    """A short topic sentence; derived titles are this sentence without its period."""
    adjective, noun, task = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_TASKS)
    article = "an" if adjective[0] in "aeiou" else "a"
    options = (
        f"{name} is {article} {adjective} {noun} for {task}.",
        f"We introduce {name}, {article} {adjective} {noun} for {task}.",
        f"This post reviews {name} and {adjective} {noun}s for {task}.",
    )
    for sentence in (rng.choice(options), options[0]):
        if len(sentence) <= 78:
            return sentence
    return f"{name} is a {noun} for {task}."


def _title(rng: random.Random, name: str) -> str:
    words = rng.sample(_TITLE_WORDS, rng.randint(2, 5))
    task = rng.choice(_TASKS)
    shape = rng.randrange(4)
    if shape == 0:
        return f"{name}: {' '.join(words)} for {task.title()}"
    if shape == 1:
        return f"{' '.join(words)} with {name}"
    if shape == 2:
        return f"{name} {rng.choice(_NOUNS).title()}s for {task}"
    return f"{words[0]} {rng.choice(_ADJECTIVES)} {task} via {name}"


def _authors(rng: random.Random) -> list[str]:
    count = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8))
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name not in names:
            names.append(name)
    return names


def _cut(text: str, limit: int) -> str:
    """Cut mid-text the way scraped listings do (at a word boundary)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0]


def works(n: int, seed: int = 0) -> Iterator[Work]:
    """The ``n`` works, each from its own random stream: prefix-stable in ``n``."""
    pool = _sentences(seed)
    kinds = list(FORMAT_WEIGHTS)
    cum = list(accumulate(FORMAT_WEIGHTS.values()))
    for index in range(n):
        rng = random.Random(seed * 1_000_003 + index * 2_654_435_761)
        kind = rng.choices(kinds, cum_weights=cum)[0]
        name = _coined(index, seed)
        opening = _opening(rng, name)
        body = " ".join(rng.sample(pool, rng.randint(6, 10)))
        summary = f"{opening} {body}"
        work = Work(index=index, kind=kind, title="", title_derived=False, summary=summary)
        if kind in ("arxiv_abstracts", "blog_excerpts"):
            work.title, work.title_derived = opening[:-1], True
        else:
            work.title = _title(rng, name)
        if kind == "paper_listing":
            authors = _authors(rng)
            work.authors = authors[:3]
            work.authors_truncated = len(authors) > 3
            if rng.random() < 0.25:
                work.affiliations = rng.sample(_AFFILIATIONS, rng.randint(1, 2))
            month, day = rng.choice(_MONTHS), rng.randint(1, 28)
            year = rng.randint(2012, 2025)
            recent = rng.random() < 0.05
            work.date_text = f"{month} {day}" if recent else f"{month} {day}, {year}"
            work.category = rng.choices(_CATEGORIES, weights=_CATEGORY_WEIGHTS)[0]
            work.has_code = rng.random() < 0.3
        elif kind == "blog_listing":
            work.summary = _cut(summary, rng.randint(280, 420)).rstrip(" ,.;:") + "…"
        elif kind == "research_page":
            work.summary = _cut(summary, rng.randint(280, 420))
        elif kind == "blog_excerpts":
            work.summary = _cut(summary, 500)
            if rng.random() < 0.2:
                year = rng.randint(2018, 2025)
                date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                work.updates = [(date, rng.choice(_UPDATE_NOTES))]
        yield work


def _render(kind: str, batch: list[Work], rng: random.Random) -> str:
    if kind == "paper_listing":
        lines = []
        for w in batch:
            lines.append(f"{w.category}{w.date_text}{'Code' if w.has_code else ''}")
            byline = w.title + ", ".join(w.authors) + (" et al." if w.authors_truncated else "")
            if w.affiliations:
                byline += " · " + ", ".join(w.affiliations)
            lines += [byline, w.summary]
        return "\n".join(lines) + "\n"
    if kind == "arxiv_abstracts":
        return "".join(f"Abstract:{w.summary}\n" for w in batch)
    if kind == "blog_listing":
        out = ["\n"]
        for w in batch:
            # Scraping glues the link text to the next title now and then.
            glue = out[-1] == "Read More" and rng.random() < 0.3
            if glue:
                out[-1] = f"Read More{w.title}"
            else:
                out.append(w.title)
            out += [w.summary, "Read More"]
        return "\n".join(out).lstrip("\n") + "\n"
    if kind == "research_page":
        blocks = ["Research\nResearch"]
        for n, w in enumerate(batch):
            blocks += [w.title, w.summary]
            if n == 0:
                blocks += ["Introduction", "Our"]  # page chrome the parser skips
        return "\n\n".join(blocks) + "\n"
    if kind == "blog_excerpts":
        lines = ["Head of Safety Systems at a lab. Deep technical blog posts on AI research."]
        for w in batch:
            notes = "".join(f"[Updated on {date}: {text}] " for date, text in w.updates)
            lines.append(notes + w.summary)
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown kind {kind!r}")


def generate(
    n: int, seed: int = 0, per_doc: int = DEFAULT_PER_DOC, overlap: float = 0.0
) -> list[Document]:
    """Documents holding ``n`` distinct works, at most ``per_doc`` entries each.

    ``overlap`` is the share of paper-listing works whose abstract is listed a
    second time in an extra abstract dump, as happens when a category listing
    and an abstract dump cover the same papers; importing still gives ``n`` items.
    """
    by_kind: dict[str, list[Work]] = {kind: [] for kind in KINDS}
    again: list[Work] = []
    rng = random.Random(seed * 31 + 7)
    for work in works(n, seed):
        by_kind[work.kind].append(work)
        if work.kind == "paper_listing" and overlap and rng.random() < overlap:
            again.append(work)
    documents: list[Document] = []
    for kind in KINDS:
        batch_all = by_kind[kind]
        for start in range(0, len(batch_all), per_doc):
            batch = batch_all[start : start + per_doc]
            name = f"{len(documents):03d}_{kind}.txt"
            documents.append(Document(name, kind, _render(kind, batch, rng), batch))
    for start in range(0, len(again), per_doc):
        batch = again[start : start + per_doc]
        name = f"{len(documents):03d}_arxiv_abstracts_overlap.txt"
        text = _render("arxiv_abstracts", batch, rng)
        documents.append(Document(name, "arxiv_abstracts", text, batch))
    return documents


def write_corpus(
    n: int,
    out: Path,
    seed: int = 0,
    per_doc: int = DEFAULT_PER_DOC,
    overlap: float = 0.0,
) -> list[Path]:
    """Write the documents and a ``manifest.json`` saying what importing them should give."""
    out.mkdir(parents=True, exist_ok=True)
    documents = generate(n, seed, per_doc, overlap)
    paths = []
    for doc in documents:
        path = out / doc.name
        path.write_text(doc.text, encoding="utf-8")
        paths.append(path)
    manifest = {
        "items": n,
        "seed": seed,
        "per_doc": per_doc,
        "overlap": overlap,
        "entries": sum(len(d.works) for d in documents),
        "documents": [
            {"name": d.name, "kind": d.kind, "entries": len(d.works), "bytes": len(d.text.encode())}
            for d in documents
        ],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, required=True, help="number of distinct works")
    parser.add_argument("--out", type=Path, required=True, help="folder for the documents")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-doc", type=int, default=DEFAULT_PER_DOC, help="entries per file")
    parser.add_argument(
        "--overlap", type=float, default=0.0, help="share of papers listed twice (merged)"
    )
    args = parser.parse_args(argv)
    paths = write_corpus(args.items, args.out, args.seed, args.per_doc, args.overlap)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} documents ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
