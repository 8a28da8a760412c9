"""Shared material for the parser tests: the seed documents and synthetic ones.

Synthetic documents are rendered from plain field values in each of the five
formats, so tests can check that parsing gives those values back, and the
benchmark can build 100k-entry imports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from seeds.parse import ParseResult, parse_document

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
BLOG = "000_952a18cb5a777fa5.txt"
RESEARCH = "001_66637d14103855ee.txt"
ARXIV = "002_78351b184c53c6a6.txt"
PAPERS = "003_841ddd0b77768394.txt"
EXCERPTS = "004_c7da1ec205d5967c.txt"
SEED_FILES = (BLOG, RESEARCH, ARXIV, PAPERS, EXCERPTS)


def seed_text(name: str) -> str:
    return (SEEDS_DIR / name).read_text(encoding="utf-8")


@cache
def parsed_seed(name: str) -> ParseResult:
    return parse_document(seed_text(name), name)


# -- synthetic documents -------------------------------------------------------


def _split(words: str) -> list[str]:
    return words.split()


_WORDS = _split(
    "learning model models language neural training data reward policy agent vision "
    "image text scaling alignment safety robust sparse generative diffusion transformer "
    "attention feedback human reinforcement representation evaluation benchmark tasks "
    "optimization gradient network inference sampling compute tokens features latent "
    "adversarial supervision contrastive retrieval reasoning planning memory speech audio"
)
_FIRST = _split("Alec Ilya Jan John Lilian Mark Heewoo Aditya Prafulla Tom Jeff Sam Jong Łukasz")
_LAST = _split("Radford Sutskever Leike Weng Chen Jun Ramesh Dhariwal Brown Wu Kim Kaiser Zaremba")
_TRICKY_NAMES = (
    "Tom Dupré la Tour",
    "Adam P. Goucher",
    "Jean-Baptiste Alayrac",
    "Sam McCandlish",
    "Aäron van den Oord",
    "Daniel M. Ziegler",
    "Jesse Michael Han",
    "Chun-Liang Li",
)
_MONTHS = _split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
_CATEGORIES = ("CL", "LG", "CV", "AI", "AS", "RO", "CR", "HC", "NE", "IR")


@dataclass
class Paper:
    title: str
    authors: list[str]
    abstract: str
    category: str = "LG"
    month: str = "Jun"
    day: int = 6
    year: int | None = 2024
    code: bool = False
    et_al: bool = False
    affiliations: list[str] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return f"{self.month} {self.day}" + (f", {self.year}" if self.year else "")


def render_blog_listing(posts: list[tuple[str, str]], glue: bool = False) -> str:
    """Title, summary, ``Read More``; with ``glue`` the link runs into the next title."""
    lines: list[str] = []
    for title, summary in posts:
        if glue and lines:
            lines[-1] += title
        else:
            lines.append(title)
        lines += [summary, "Read More"]
    return "\n" + "\n".join(lines)


def render_research_page(posts: list[tuple[str, str]], header: str = "Research") -> str:
    blocks = [f"{header}\n{header}"]
    for title, summary in posts:
        blocks += [title, summary]
    return "\n\n".join(blocks)


def render_arxiv(abstracts: list[str]) -> str:
    return "\n".join(f"Abstract:{a}" for a in abstracts)


def render_paper_listing(papers: list[Paper]) -> str:
    lines: list[str] = []
    for p in papers:
        lines.append(f"{p.category}{p.date_text}{'Code' if p.code else ''}")
        byline = p.title + ", ".join(p.authors) + (" et al." if p.et_al else "")
        if p.affiliations:
            byline += " · " + ", ".join(p.affiliations)
        lines += [byline, p.abstract]
    return "\n".join(lines)


def render_blog_excerpts(excerpts: list[str], description: str = "") -> str:
    description = description or "Notes on machine learning research. Long-form posts."
    return "\n".join([description, *excerpts])


class Synth:
    """Deterministic random field values, unique per call so titles never collide."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.n = 0

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(_WORDS, k=k)

    def title(self) -> str:
        self.n += 1
        words = [w.capitalize() for w in self._words(self.rng.randint(2, 7))]
        words.insert(self.rng.randrange(len(words) + 1), f"Q{self.n}")
        return " ".join(words)

    def sentence(self, k: int | None = None) -> str:
        words = self._words(k or self.rng.randint(8, 20))
        return " ".join(words).capitalize() + "."

    def abstract(self, sentences: int = 5) -> str:
        self.n += 1
        body = " ".join(self.sentence() for _ in range(sentences))
        return f"We study problem {self.n} of {body[0].lower()}{body[1:]}"

    def authors(self) -> list[str]:
        names = [
            f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
            for _ in range(self.rng.randint(1, 4))
        ]
        if self.rng.random() < 0.3:
            names.insert(self.rng.randrange(len(names) + 1), self.rng.choice(_TRICKY_NAMES))
        return names

    def paper(self) -> Paper:
        rng = self.rng
        return Paper(
            title=self.title(),
            authors=self.authors(),
            abstract=self.abstract(),
            category=rng.choice(_CATEGORIES),
            month=rng.choice(_MONTHS),
            day=rng.randint(1, 28),
            year=rng.choice((None, *range(2015, 2026))),
            code=rng.random() < 0.3,
            et_al=rng.random() < 0.5,
            affiliations=rng.sample(["openai", "berkeley", "deepmind"], rng.randint(0, 2)),
        )


def synthetic_documents(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """About ``n`` distinct entries spread over documents of all five formats."""
    synth = Synth(seed)
    per_kind = n // 5
    docs: list[tuple[str, str]] = []
    chunk = 2000
    for start in range(0, per_kind, chunk):
        size = min(chunk, per_kind - start)
        posts = [(synth.title(), synth.abstract(3)[:300] + "…") for _ in range(size)]
        docs.append((f"blog_{start}.txt", render_blog_listing(posts, glue=start % 4000 == 0)))
        posts = [(synth.title(), synth.abstract(3)) for _ in range(size)]
        docs.append((f"research_{start}.txt", render_research_page(posts)))
        docs.append((f"arxiv_{start}.txt", render_arxiv([synth.abstract() for _ in range(size)])))
        docs.append(
            (f"papers_{start}.txt", render_paper_listing([synth.paper() for _ in range(size)]))
        )
        excerpts = [synth.abstract(4) for _ in range(size)]
        docs.append((f"excerpts_{start}.txt", render_blog_excerpts(excerpts)))
    return docs
