"""The paper listing (003): category+date+Code / title+authors / abstract."""

from __future__ import annotations

import pytest

from seeds.formats.authors import split_byline
from seeds.latex import latex_to_unicode
from seeds.parse import parse_document
from tests.seed_fixtures import PAPERS, Paper, parsed_seed, render_paper_listing

# (category, date_text, ISO date, Code, title, authors, et al., affiliations),
# read line by line from 003_841ddd0b77768394.txt.
GOLDEN = [
    ("CL", "Oct 25, 2024", "2024-10-25", False, "GPT-4o System Card",
     ["Aaron Hurst", "Adam Lerer", "Adam P. Goucher"], True, ["openai"]),
    ("CL", "Mar 15, 2023", "2023-03-15", False, "GPT-4 Technical Report",
     ["Josh Achiam", "Steven Adler", "Sandhini Agarwal"], True, ["berkeley", "deepmind"]),
    ("AS", "Dec 6, 2022", "2022-12-06", False,
     "Robust Speech Recognition via Large-Scale Weak Supervision",
     ["Alec Radford", "Jong Wook Kim", "Tao Xu"], True, []),
    ("LG", "Feb 6", None, False, "Learning a Generative Meta-Model of LLM Activations",
     ["Grace Luo", "Jiahai Feng", "Trevor Darrell"], True, []),
    ("LG", "Jan 29", None, False, "Shaping capabilities with token-level data filtering",
     ["Neil Rathi", "Alec Radford"], False, []),
    ("LG", "Jun 6, 2024", "2024-06-06", True, "Scaling and evaluating sparse autoencoders",
     ["Leo Gao", "Tom Dupré la Tour", "Henk Tillman"], True, []),
    ("CV", "Feb 26, 2021", "2021-02-26", True,
     "Learning Transferable Visual Models From Natural Language Supervision",
     ["Alec Radford", "Jong Wook Kim", "Chris Hallacy"], True, []),
    ("AS", "Apr 30, 2020", "2020-04-30", True, "Jukebox: A Generative Model for Music",
     ["Prafulla Dhariwal", "Heewoo Jun", "Christine Payne"], True, []),
    ("CL", "Jan 24, 2022", "2022-01-24", False,
     "Text and Code Embeddings by Contrastive Pre-Training",
     ["Arvind Neelakantan", "Tao Xu", "Raul Puri"], True, []),
    ("CL", "Oct 11, 2021", "2021-10-11", False,
     "Unsupervised Neural Machine Translation with Generative Language Models Only",
     ["Jesse Michael Han", "Igor Babuschkin", "Harrison Edwards"], True, []),
    ("CV", "Aug 5, 2021", "2021-08-05", False,
     "Evaluating CLIP: Towards Characterization of Broader Capabilities and Downstream "
     "Implications",
     ["Sandhini Agarwal", "Gretchen Krueger", "Jack Clark"], True, []),
    ("LG", "Jul 7, 2021", "2021-07-07", False, "Evaluating Large Language Models Trained on Code",
     ["Mark Chen", "Jerry Tworek", "Heewoo Jun"], True, []),
    ("CV", "Feb 24, 2021", "2021-02-24", False, "Zero-Shot Text-to-Image Generation",
     ["Aditya Ramesh", "Mikhail Pavlov", "Gabriel Goh"], True, []),
    ("LG", "Oct 28, 2020", "2020-10-28", False,
     "Scaling Laws for Autoregressive Generative Modeling",
     ["Tom Henighan", "Jared Kaplan", "Mor Katz"], True, []),
    ("CL", "Sep 2, 2020", "2020-09-02", False, "Learning to summarize from human feedback",
     ["Nisan Stiennon", "Long Ouyang", "Jeff Wu"], True, []),
    ("CL", "May 28, 2020", "2020-05-28", False, "Language Models are Few-Shot Learners",
     ["Tom B. Brown", "Benjamin Mann", "Nick Ryder"], True, []),
    ("LG", "Jan 23, 2020", "2020-01-23", False, "Scaling Laws for Neural Language Models",
     ["Jared Kaplan", "Sam McCandlish", "Tom Henighan"], True, []),
    ("CL", "Sep 18, 2019", "2019-09-18", False,
     "Fine-Tuning Language Models from Human Preferences",
     ["Daniel M. Ziegler", "Nisan Stiennon", "Jeffrey Wu"], True, []),
    ("CL", "Aug 24, 2019", "2019-08-24", False,
     "Release Strategies and the Social Impacts of Language Models",
     ["Irene Solaiman", "Miles Brundage", "Jack Clark"], True, []),
    ("LG", "Apr 23, 2019", "2019-04-23", False,
     "Generating Long Sequences with Sparse Transformers",
     ["Rewon Child", "Scott Gray", "Alec Radford"], True, []),
    ("LG", "Mar 15, 2018", "2018-03-15", False, "Improving GANs Using Optimal Transport",
     ["Tim Salimans", "Han Zhang", "Alec Radford"], True, []),
    ("LG", "Jul 20, 2017", "2017-07-20", False, "Proximal Policy Optimization Algorithms",
     ["John Schulman", "Filip Wolski", "Prafulla Dhariwal"], True, []),
    ("LG", "Apr 5, 2017", "2017-04-05", False,
     "Learning to Generate Reviews and Discovering Sentiment",
     ["Alec Radford", "Rafal Jozefowicz", "Ilya Sutskever"], False, []),
    ("LG", "Jun 10, 2016", "2016-06-10", False, "Improved Techniques for Training GANs",
     ["Tim Salimans", "Ian Goodfellow", "Wojciech Zaremba"], True, []),
    ("LG", "Nov 19, 2015", "2015-11-19", False,
     "Unsupervised Representation Learning with Deep Convolutional Generative Adversarial "
     "Networks",
     ["Alec Radford", "Luke Metz", "Soumith Chintala"], False, []),
]  # fmt: skip

URLS = {
    3: ["https://generative-latent-prior.github.io"],
    6: ["https://github.com/OpenAI/CLIP"],
    7: ["https://jukebox.openai.com", "https://github.com/openai/jukebox"],
}


def test_kind_and_count():
    result = parsed_seed(PAPERS)
    assert result.kind == "paper_listing"
    assert len(result.entries) == 25
    assert result.skipped == []


@pytest.mark.parametrize("position,expected", list(enumerate(GOLDEN)))
def test_golden_entry(position, expected):
    category, date_text, date, code, title, authors, et_al, affiliations = expected
    entry = parsed_seed(PAPERS).entries[position]
    assert entry.category == category
    assert entry.date_text == date_text
    assert entry.date == date
    assert entry.has_code is code
    assert entry.title == title
    assert entry.title_derived is False
    assert entry.authors == authors
    assert entry.authors_truncated is et_al
    assert entry.affiliations == affiliations
    assert entry.urls == URLS.get(position, [])
    assert entry.summary_truncated is False
    assert entry.summary and not entry.summary.startswith(title)


def test_yearless_dates_keep_their_text_and_get_no_iso_date():
    undated = [(e.date_text, e.date) for e in parsed_seed(PAPERS).entries if e.date is None]
    assert undated == [("Feb 6", None), ("Jan 29", None)]


def test_latex_stays_as_written_and_renders_for_display():
    entries = parsed_seed(PAPERS).entries
    assert "50\\% cheaper" in entries[0].summary
    assert "50% cheaper" in latex_to_unicode(entries[0].summary)
    scaling = entries[13].summary
    assert "image$\\leftrightarrow$text" in scaling
    shown = latex_to_unicode(scaling)
    assert "image↔text" in shown
    assert "an 8×8 resolution" in shown
    assert "$" not in shown and "\\" not in shown


def test_url_at_the_very_end_is_complete_and_unpunctuated():
    jukebox = parsed_seed(PAPERS).entries[7]
    assert jukebox.summary.endswith("https://github.com/openai/jukebox")
    assert jukebox.summary_truncated is False


@pytest.mark.parametrize(
    "line,title,authors,et_al,affiliations",
    [
        ("GPT-4 Technical ReportOpenAI", "GPT-4 Technical Report", ["OpenAI"], False, []),
        (
            "Video PreTrainingOpenAI, Bowen Baker et al. · openai",
            "Video PreTraining",
            ["OpenAI", "Bowen Baker"],
            True,
            ["openai"],
        ),
        (
            "Learning with CLIPAlec Radford, Jean-Baptiste Alayrac",
            "Learning with CLIP",
            ["Alec Radford", "Jean-Baptiste Alayrac"],
            False,
            [],
        ),
        (
            "Scaling (VPT)Aäron van den Oord, Chun-Liang Li, Sam McCandlish",
            "Scaling (VPT)",
            ["Aäron van den Oord", "Chun-Liang Li", "Sam McCandlish"],
            False,
            [],
        ),
        (
            "Is Attention All You Need?Ashish Vaswani, Noam Shazeer",
            "Is Attention All You Need?",
            ["Ashish Vaswani", "Noam Shazeer"],
            False,
            [],
        ),
        (
            "GPT-4oJ. R. R. Tolkien, Mary O'Neil et al. · openai, berkeley",
            "GPT-4o",
            ["J. R. R. Tolkien", "Mary O'Neil"],
            True,
            ["openai", "berkeley"],
        ),
        (
            "Models of LLMsGoogle DeepMind, Ilya Sutskever",
            "Models of LLMs",
            ["Google DeepMind", "Ilya Sutskever"],
            False,
            [],
        ),
        # An unusual name later in the list does not hide the split.
        (
            "A Title HereJane Doe, danah boyd, John Roe",
            "A Title Here",
            ["Jane Doe", "danah boyd", "John Roe"],
            False,
            [],
        ),
    ],
)
def test_title_author_split(line, title, authors, et_al, affiliations):
    byline = split_byline(line)
    assert (byline.title, byline.authors, byline.truncated, byline.affiliations) == (
        title,
        authors,
        et_al,
        affiliations,
    )


def test_title_without_authors_stays_whole():
    assert split_byline("Learning to Play Minecraft with Video PreTraining").authors == []
    assert split_byline("Learning to Play Minecraft with Video PreTraining").title == (
        "Learning to Play Minecraft with Video PreTraining"
    )


@pytest.mark.parametrize(
    "header,category,date_text,date,code",
    [
        ("LGJun 6, 2024Code", "LG", "Jun 6, 2024", "2024-06-06", True),
        ("CLFeb 6", "CL", "Feb 6", None, False),
        ("ASDec 6, 2022", "AS", "Dec 6, 2022", "2022-12-06", False),
        ("MAMay 1, 2020Code", "MA", "May 1, 2020", "2020-05-01", True),
        ("stat.MLSep 30, 2019", "stat.ML", "Sep 30, 2019", "2019-09-30", False),
        ("LGFeb 30, 2024", "LG", "Feb 30, 2024", None, False),  # no such day: no ISO date
    ],
)
def test_header_line(header, category, date_text, date, code):
    text = f"{header}\nSome TitleAda Lovelace\nAn abstract."
    entry = parse_document(text, "p.txt").entries[0]
    assert (entry.category, entry.date_text, entry.date, entry.has_code) == (
        category,
        date_text,
        date,
        code,
    )


def test_synthetic_listing_round_trips():
    papers = [
        Paper("Alpha Model", ["Ada Lovelace", "Tom Dupré la Tour"], "Alpha works.", year=None),
        Paper(
            "Beta: A Study of GPT-4",
            ["Grace Hopper"],
            "Beta costs 50\\% less, see https://b.example/x).",
            code=True,
            et_al=True,
            affiliations=["openai", "deepmind"],
        ),
    ]
    entries = parse_document(render_paper_listing(papers), "p.txt").entries
    assert [(e.title, e.authors, e.authors_truncated, e.affiliations) for e in entries] == [
        ("Alpha Model", ["Ada Lovelace", "Tom Dupré la Tour"], False, []),
        ("Beta: A Study of GPT-4", ["Grace Hopper"], True, ["openai", "deepmind"]),
    ]
    assert [(e.date, e.date_text, e.has_code) for e in entries] == [
        (None, "Jun 6", False),
        ("2024-06-06", "Jun 6, 2024", True),
    ]
    assert entries[1].urls == ["https://b.example/x"]
