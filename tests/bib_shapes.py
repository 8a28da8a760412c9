"""BibTeX entries in the shapes Zotero, Google Scholar, DBLP and arXiv write, a few hundred.

Made from small word lists so every run sees the same entries: different
entry types, field orders, month macros, doubled braces, LaTeX accents,
``and others``, DOIs and arXiv eprints, as the real exporters produce them.
"""

from __future__ import annotations

import itertools

FIRST = ["Ashish", "Noam", "Jörg", "José", "Łukasz", "Aidan", "Illia", "Niki", "Chloé", "Yann"]
LAST = [
    "Vaswani",
    "Shazeer",
    "Müller",
    "Cañete",
    "Kaiser",
    "Gomez",
    "Polosukhin",
    "Parmar",
    "Dubé",
    "LeCun",
]
TEX = {"ö": '{\\"o}', "ü": '{\\"u}', "é": "{\\'e}", "ñ": "{\\~n}", "Ł": "{\\L}", "ó": "{\\'o}"}
TOPICS = [
    "Attention",
    "Transformers",
    "Diffusion",
    "Scaling Laws",
    "Reward Models",
    "Sparse Experts",
]
VERBS = ["Is All You Need", "for Language Understanding", "at Scale", "Revisited", "in Practice"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
VENUES = [
    "Advances in Neural Information Processing Systems",
    "International Conference on Machine Learning",
]
JOURNALS = ["Journal of Machine Learning Research", "Transactions on Machine Learning Research"]


def tex(text: str) -> str:
    return "".join(TEX.get(ch, ch) for ch in text)


def _authors(n: int, k: int) -> str:
    names = [f"{LAST[(n + i) % len(LAST)]}, {FIRST[(n * 3 + i) % len(FIRST)]}" for i in range(k)]
    joined = " and ".join(tex(x) for x in names)
    return joined + (" and others" if n % 7 == 0 else "")


def entries(count: int = 320) -> str:
    out = []
    shapes = itertools.cycle(["zotero", "scholar", "dblp", "arxiv"])
    for n, shape in zip(range(count), shapes, strict=False):
        topic, verb = TOPICS[n % len(TOPICS)], VERBS[(n // 6) % len(VERBS)]
        title = f"{topic} {verb} {n}"
        year = 2015 + n % 10
        authors = _authors(n, 1 + n % 4)
        key = f"k{n:04d}"
        if shape == "zotero":
            out.append(
                f"@inproceedings{{{key},\n\ttitle = {{{{{title}}}}},\n\tbooktitle = {{{VENUES[n % 2]}}},\n"
                f"\tpublisher = {{Curran Associates, Inc.}},\n\tauthor = {{{authors}}},\n"
                f"\tyear = {{{year}}},\n\tpages = {{{n}--{n + 9}}},\n\tmonth = {MONTHS[n % 12]},\n}}\n"
            )
        elif shape == "scholar":
            out.append(
                f"@article{{{key},\n  title={{{title}}},\n  author={{{authors}}},\n"
                f"  journal={{{JOURNALS[n % 2]}}},\n  volume={{{n % 30 + 1}}},\n  number={{{n % 4 + 1}}},\n"
                f"  pages={{{n}--{n + 12}}},\n  year={{{year}}}\n}}\n"
            )
        elif shape == "dblp":
            out.append(
                f"@inproceedings{{DBLP:conf/icml/{key},\n  author    = {{{authors}}},\n"
                f"  title     = {{{title}}},\n  booktitle = {{{VENUES[(n + 1) % 2]}}},\n"
                f"  pages     = {{{n}--{n + 5}}},\n  year      = {{{year}}},\n"
                f"  doi       = {{10.5555/{3000000 + n}}},\n}}\n"
            )
        else:
            out.append(
                f"@misc{{{key},\n      title={{{title}}},\n      author={{{authors}}},\n"
                f"      year={{{year}}},\n      eprint={{{year % 100:02d}{n % 12 + 1:02d}.{10000 + n}}},\n"
                f"      archivePrefix={{arXiv}},\n      primaryClass={{cs.CL}}\n}}\n"
            )
    return "\n".join(out)
