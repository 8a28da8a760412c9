"""Item views for the export tests, built through ``storage.views.item_view``.

Building them with the real view function keeps the tests honest about the
input shape: a field added to or renamed in the view shows up here first.
The samples cover what the corpus has (arXiv listings with categories and
yearless dates, blog posts with neither authors nor dates) and what users
type (``<script>`` in notes, formulas in titles, LaTeX specials).
"""

from __future__ import annotations

from typing import Any

from seeds.model import Item
from storage.model import Annotation, Note
from storage.views import item_view

CLIP_SUMMARY = (
    "State-of-the-art vision systems map images $\\leftrightarrow$ text and are 50\\% cheaper; "
    "code at https://github.com/OpenAI/CLIP_v1?x=1&y=2#top costs $5 & {braces} ~ ^ _ #1."
)


def make_view(
    item_id: str,
    title: str,
    *,
    ann: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    item = Item(id=item_id, title=title, **fields)
    annotation = None
    if ann is not None:
        notes = [Note(text, "2024-05-01T10:00:00Z") for text in ann.pop("notes", [])]
        annotation = Annotation(item_id=item_id, notes=notes, **ann)
    return item_view(item, annotation)


def sample_views() -> list[dict[str, Any]]:
    return [
        make_view(
            "clip0000001",
            "Learning Transferable Visual Models From Natural Language Supervision",
            authors=["Alec Radford", "Jong Wook Kim", "Chris Hallacy"],
            authors_truncated=True,
            date="2021-02-26",
            date_text="Feb 26, 2021",
            category="CV",
            has_code=True,
            summary=CLIP_SUMMARY,
            urls=["https://arxiv.org/abs/2103.00020", "https://github.com/OpenAI/CLIP"],
            kinds=["paper_listing"],
            ann={
                "status": "read",
                "status_at": "2024-05-02T10:00:00Z",
                "read_at": "2024-05-02T10:00:00Z",
                "tags": ["vision", "must-read"],
                "notes": [
                    "<script>alert('x')</script> & [link](javascript:alert(1))",
                    '=HYPERLINK("http://evil")\nsecond line with 100% {odd} brace',
                ],
            },
        ),
        make_view(
            "sae00000002",
            "Scaling and evaluating sparse autoencoders",
            authors=["Leo Gao", "Tom Dupré la Tour", "Henk Tillman"],
            authors_truncated=True,
            date=None,
            date_text="Feb 6",
            category="LG",
            summary="We train a 16 million latent autoencoder on GPT-4 activations.",
            ann={"status": "reading", "status_at": "2024-05-03T10:00:00Z", "tags": ["interp"]},
        ),
        make_view(
            "blog0000003",
            "[RE] *Bold* claims_about <script>alert(1)</script> DALL·E 2",
            summary="A blog post. It costs $5 — or $10 — to run.",
            urls=["https://openai.com/blog/dall-e-2-extending-creativity"],
            ann={"notes": ["- looks like a list\n# and a heading"]},
        ),
        make_view(
            "blog0000004",
            "Attention? Attention! 50% & $100 #1 {x} ~y ^z \\ back_slash",
            summary="",
        ),
        make_view(
            "rad00000005",
            "Learning to Summarize from Human Feedback",
            authors=["Alec Radford"],
            date="2021-09-01",
            date_text="Sep 1, 2021",
            category="CL",
            summary="Summaries.",
            urls=["https://doi.org/10.48550/arXiv.2009.01325"],
        ),
        make_view(
            "form0000006",
            "=SUM(A1:A9) is not a title",
            authors=["-Bob Minus", "@alice"],
            date="2020-01-15",
            date_text="Jan 15, 2020",
            category="AI",
            summary="+cmd|' /C calc'!A0",
            urls=["javascript:alert(1)"],
            ann={"tags": ["@at", "-minus"], "notes": ["\tTabbed", "\rCR"], "title": None},
        ),
        make_view(
            "ren00000007",
            "GPT-4 Technical Report",
            authors=["OpenAI"],
            date="2023-03-15",
            date_text="Mar 15, 2023",
            category="CL",
            summary="We report the development of GPT-4.",
            ann={"title": "My GPT-4 notes copy", "tags": ["llm"]},
        ),
        make_view(
            "beet0000008",
            "Über die Symphonie: Ludwig's Notes",
            authors=["Ludwig van Beethoven", "Martin Luther King Jr.", "José Ortega y Gasset"],
            date_text="2019",
            summary="Müller and Ødegaard wrote $\\sum_i x_i^2$ and $$\\{a\\}$$ here.",
        ),
    ]


def test_samples_have_the_view_shape() -> None:
    views = sample_views()
    keys = set(views[0])
    assert all(set(v) == keys for v in views)
    assert {"title", "original_title", "authors", "notes", "tags", "status", "others"} <= keys
