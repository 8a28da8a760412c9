"""The blog excerpt page (004): site description, then one untitled excerpt per line."""

from __future__ import annotations

import pytest

from seeds.formats.updates import extract_updates
from seeds.model import Update
from seeds.parse import parse_document
from tests.seed_fixtures import EXCERPTS, parsed_seed, render_blog_excerpts

# (derived title, update dates, first words of the summary; "" = update note only).
# Each title was checked against its excerpt: from the topic sentence, never
# from an acknowledgement or an update note unless the excerpt is nothing else;
# then from what the notes name (seeds.notes), not from the edits they describe.
GOLDEN = [
    ("Recent developments in how to effectively use test-time compute and why it helps",
     [], "Special thanks to John Schulman"),
    ("Reward hacking occurs when a reinforcement learning (RL) agent exploits flaws…",
     [], "Reward hacking occurs when"),
    ("Hallucination in large language models usually refers to the model generating…",
     [], "Hallucination in large language models"),
    ("Diffusion models have demonstrated strong results on image synthesis in past…",
     [], "Diffusion models have demonstrated"),
    ("High-quality data is the fuel for modern data deep learning model training",
     [], "[Special thank you to Ian Kivlichan"),
    ("The use of large language models in the real world has strongly accelerated…",
     [], "The use of large language models"),
    ("Building agents with LLM (large language model) as its core controller…",
     [], "Building agents with LLM"),
    ("Prompt Engineering, also known as In-Context Prompting",
     [], "Prompt Engineering, also known as"),
    ("Many new Transformer architecture improvements have been proposed since my last…",
     [], "Many new Transformer architecture"),
    ("Large transformer models are mainstream nowadays",
     ["2023-01-24"], "Large transformer models are mainstream"),
    ("Neural networks are well known to be over-parameterized and can often easily…",
     [], "Neural networks are well known"),
    ("One approach for solving vision language tasks",
     [], "Processing images to generate text"),
    ("Here comes the Part 3 on learning with not enough data…",
     [], "Here comes the Part 3"),
    ("This is part 2 of what to do when facing a limited amount of labeled data…",
     [], "This is part 2 of what to do"),
    ("When facing a limited amount of labeled data for supervised learning tasks…",
     [], "When facing a limited amount"),
    ("Training Large Neural Networks: expert choice routing",
     ["2022-03-13", "2022-06-10"], ""),
    ("Classifier-free guidance, GLIDE, unCLIP and Imagen; latent diffusion model",
     ["2021-09-19", "2022-08-27", "2022-08-31", "2024-04-13"], ""),
    ("The goal of contrastive representation learning is to learn such an embedding…",
     [], "The goal of contrastive representation"),
    ("Large pretrained language models are trained over a sizable collection…",
     [], "Large pretrained language models"),
    ("Prompt design: P-tuning and Prompt Tuning; unlikelihood training",
     ["2021-02-01", "2021-05-26", "2021-09-19"], ""),
    ("Several common approaches for building such an open-domain question answering…",
     ["2020-11-12"], "A model that can answer any question"),
    ("Although most popular and successful model architectures are designed by human…",
     [], "Although most popular and successful"),
    ("Exploitation versus exploration is a critical topic in Reinforcement Learning",
     ["2020-06-17"], "Exploitation versus exploration"),
    ("The Transformer Family",
     ["2023-01-27"], ""),
    ("Task-Specific Curriculum: PCG; curriculum through distillation",
     ["2020-02-03", "2020-02-04"], ""),
    ("Momentum Contrast: MoCo, SimCLR and CURL; Contrastive Predictive Coding",
     ["2020-01-09", "2020-04-13", "2020-07-08", "2020-09-12", "2021-05-31"], ""),
    ("Stochastic gradient descent is a universal choice for optimizing deep learning…",
     [], "Stochastic gradient descent"),
    ("In my earlier post on meta-learning, the problem is mainly defined…",
     [], "In my earlier post on meta-learning"),
    ("In Robotics, one of the hardest problems is how to make your model transfer…",
     [], "In Robotics, one of the hardest"),
    ("If you are like me, entering into the field of deep learning with experience…",
     ["2019-05-27"], "If you are like me"),
]  # fmt: skip


def test_kind_count_and_site_description():
    result = parsed_seed(EXCERPTS)
    assert result.kind == "blog_excerpts"
    assert len(result.entries) == 30
    assert result.skipped == [
        "site description 'Head of Safety Systems at OpenAI. Deep technical blog posts…'"
    ]
    assert not any(e.summary.startswith("Head of Safety") for e in result.entries)


@pytest.mark.parametrize("position,expected", list(enumerate(GOLDEN)))
def test_golden_entry(position, expected):
    title, dates, start = expected
    entry = parsed_seed(EXCERPTS).entries[position]
    assert entry.title == title
    assert entry.title_derived is True
    assert len(entry.title) <= 80
    assert [u.date for u in entry.updates] == dates
    assert "[Updated" not in entry.summary and "Updated on" not in entry.title
    if start:
        assert entry.summary.startswith(start)
    else:
        assert entry.summary == ""
    assert (entry.authors, entry.date, entry.category, entry.urls) == ([], None, None, [])


def test_total_updates():
    assert sum(len(e.updates) for e in parsed_seed(EXCERPTS).entries) == 21


def test_malformed_update_notes():
    entries = parsed_seed(EXCERPTS).entries
    # "[Updated on 2022-06-10]: text" - the date bracketed on its own.
    assert entries[15].updates == [
        Update("2022-03-13", "add expert choice routing."),
        Update(
            "2022-06-10",
            "Greg and I wrote a shorted and upgraded version of this post, published on "
            "OpenAI Blog: “Techniques for Training Large Neural Networks”",
        ),
    ]
    # Unclosed notes end at the next note ...
    assert [u.text for u in entries[16].updates[1:3]] == [
        "Added classifier-free guidance, GLIDE, unCLIP and Imagen.",
        "Added latent diffusion model.",
    ]
    # ... or at the end of their first sentence, where the post text begins.
    assert entries[20].updates[0].text == (
        "add an example on closed-book factual QA using OpenAI API (beta)."
    )
    assert entries[20].summary.startswith("A model that can answer any question")
    assert entries[22].updates[0].text == (
        "Add “exploration via disagreement” in the “Forward Dynamics” section."
    )
    # A closed note may span several sentences.
    assert entries[23].updates[0].text.endswith("Please refer to that post on this topic.")
    # The last note of a cut-off line keeps what there is.
    assert entries[25].updates[-1].text.endswith("full post on “Contrastive Representati")


def test_acknowledgement_first_excerpt_titles_from_the_topic():
    entries = parsed_seed(EXCERPTS).entries
    assert not entries[0].title.lower().startswith(("special", "thank"))
    assert not entries[4].title.lower().startswith(("[special", "special", "thank"))


def test_update_only_excerpt_titles_from_what_its_notes_name():
    entries = parsed_seed(EXCERPTS).entries
    notes_only = [e for e in entries if e.updates and not e.summary]
    assert len(notes_only) == 6
    for entry in notes_only:
        assert entry.title_derived and len(entry.title) <= 80
        # No edit verb or edit boilerplate leads the title.
        first = entry.title.split()[0].lower()
        assert first not in {"add", "added", "mentioning", "updated", "after", "highly"}
        assert "typos" not in entry.title and "Greg" not in entry.title
    expert, diffusion, prompts, transformers, curriculum, contrastive = notes_only
    assert "expert choice routing" in expert.title.lower()
    assert "training large neural networks" in expert.title.lower()
    # Not the other item's title verbatim: the list would seem to hold it twice.
    assert expert.title != "Techniques for Training Large Neural Networks"
    assert "GLIDE" in diffusion.title and "Yang Song" not in diffusion.title
    assert "P-tuning" in prompts.title and "version 2.0" not in prompts.title
    assert transformers.title == "The Transformer Family"  # not "… Version 2.0", the newer post
    assert "PCG" in curriculum.title and "curriculum" in curriculum.title.lower()
    assert "contrastive" in contrastive.title.lower()


@pytest.mark.parametrize(
    "line,remaining,updates",
    [
        ("[Updated on 2020-01-01: a.] Body.", "Body.", [("2020-01-01", "a.")]),
        ("[Updated on 2020-01-01]: A note. Body.", "Body.", [("2020-01-01", "A note.")]),
        ("[Updated on 2020-01-01: a. Body text", "Body text", [("2020-01-01", "a.")]),
        (
            "[Updated on 2020-01-01: one [Updated on 2020-02-02: two]",
            "",
            [("2020-01-01", "one"), ("2020-02-02", "two")],
        ),
        (
            "[Updated on 2020-01-01: see [1] here.] Body.",
            "Body.",
            [("2020-01-01", "see [1] here.")],
        ),
        ("Body first. [Update on 2021-3-4: late.]", "Body first.", [("2021-03-04", "late.")]),
        (
            "[Updated on 2020-13-45: not a date.] Body.",
            "[Updated on 2020-13-45: not a date.] Body.",
            [],
        ),
        ("No notes here.", "No notes here.", []),
    ],
)
def test_extract_updates(line, remaining, updates):
    text, found = extract_updates(line)
    assert text == remaining
    assert [(u.date, u.text) for u in found] == updates


def test_synthetic_page_round_trips():
    excerpts = [
        "Transformers are a family of sequence models. They use attention.",
        "[Updated on 2024-01-02: add a section.] Diffusion models generate images well.",
        "[Updated on 2024-03-04: Rewrote the whole post on agents.]",
    ]
    entries = parse_document(render_blog_excerpts(excerpts), "e.txt").entries
    assert [e.title for e in entries] == [
        "Transformers are a family of sequence models",
        "Diffusion models generate images well",
        "Rewrote the whole post on agents",
    ]
    assert [len(e.updates) for e in entries] == [0, 1, 1]
