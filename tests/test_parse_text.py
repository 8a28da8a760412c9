"""Text helpers the parsers rely on: keys, LaTeX, categories and derived titles."""

from __future__ import annotations

import unicodedata

import pytest

from seeds.categories import category_id, category_name
from seeds.formats.common import extract_urls
from seeds.latex import latex_to_unicode
from seeds.normalize import abstract_key, abstract_keys, is_truncated, nfc, title_key
from seeds.titles import derive_title

ABSTRACT = (
    "We trained a neural network to play Minecraft by Video PreTraining (VPT) on a massive "
    "unlabeled video dataset of human Minecraft play, while using only a small amount of "
    "labeled contractor data. With fine-tuning, our model can learn to craft diamond tools, "
    "a task that usually takes proficient humans over 20 minutes (24,000 actions)."
)


@pytest.mark.parametrize(
    "a,b",
    [
        ("DALL·E 2", "DALL-E 2"),
        ("DALL·E 2", "DALL E 2"),
        ("DALL·E 2", "dall·e 2"),
        ("Learning to Play Minecraft", "Learning to play minecraft"),
        ("Pre-Training", "PreTraining"),
        ("Goodhart’s law", "Goodhart's Law"),
        (unicodedata.normalize("NFD", "Dupré"), "Dupré"),
        ("  Spaced   out ", "Spaced out"),
    ],
)
def test_title_key_equal(a, b):
    assert title_key(a) == title_key(b)


def test_title_key_differs_for_different_titles():
    assert title_key("Scaling Laws for Neural Language Models") != title_key(
        "Scaling Laws for Autoregressive Generative Modeling"
    )


def test_nfc():
    assert nfc(unicodedata.normalize("NFD", "Dupré")) == "Dupré"


def test_abstract_key_matches_cut_off_copies():
    full = abstract_key(ABSTRACT)
    assert full
    assert abstract_key(ABSTRACT[:200] + "…") == full  # cut with an ellipsis
    assert abstract_key(ABSTRACT[:215]) == full  # cut mid-word, no marker
    assert abstract_key(ABSTRACT.replace("(VPT)", "(VPT) ")) == full
    assert abstract_key(ABSTRACT.upper()) == full
    assert abstract_key("Thanks to Ann for feedback. " + ABSTRACT) == full


def test_abstract_key_latex_and_footnotes_do_not_matter():
    assert abstract_key("It is 50\\% cheaper. " + ABSTRACT) == abstract_key(
        "It is 50% cheaper. " + ABSTRACT
    )
    assert abstract_key(ABSTRACT.replace("dataset", "dataset[1]")) == abstract_key(ABSTRACT)


def test_abstract_key_rejects_generic_short_text():
    assert abstract_key("Coming soon.") == ""
    assert abstract_key("") == ""


def test_abstract_keys_tell_apart_abstracts_that_open_alike():
    opening = " ".join(f"word{i}" for i in range(60)) + ". "
    one = opening + " ".join(f"alpha{i}" for i in range(60)) + "."
    two = opening + " ".join(f"beta{i}" for i in range(60)) + "."
    keys_one, keys_two = abstract_keys(one), abstract_keys(two)
    assert abstract_key(one) == abstract_key(two)  # the coarse key cannot tell
    assert keys_one.probe not in keys_two.filed_under and keys_two.probe not in keys_one.filed_under
    cut = abstract_keys(one[:500] + "…")
    assert cut.probe in keys_one.filed_under and cut.probe in keys_two.filed_under


@pytest.mark.parametrize(
    "text,cut",
    [
        ("A sentence.", False),
        ("A question?", False),
        ("“A quote.”", False),
        ("(A bracket.)", False),
        ("Trailing ellipsis…", True),
        ("Three dots...", True),
        ("Cut mid", True),
        ("Code at https://github.com/openai/jukebox", False),
        ("", False),
        (")", True),
    ],
)
def test_is_truncated(text, cut):
    assert is_truncated(text) is cut


@pytest.mark.parametrize(
    "source,shown",
    [
        ("multimodal image$\\leftrightarrow$text models", "multimodal image↔text models"),
        ("50\\% cheaper", "50% cheaper"),
        ("an $8\\times 8$ resolution", "an 8×8 resolution"),
        ("$a \\times b$", "a×b"),
        ("$\\alpha$ and $\\Omega$", "α and Ω"),
        ("R\\&D~lab", "R&D lab"),
        ("$x^2 + y_{10}$", "x² + y₁₀"),
        ("$D_{\\mathrm{KL}}$", "D_KL"),
        ("$O(n \\sqrt{n})$", "O(n √n)"),
        ("$f(x): \\mathbb{R}^n \\to \\mathbb{R}$", "f(x): ℝⁿ → ℝ"),
        ("$\\frac{1}{2}$", "1/2"),
        ("costs $5 and $10", "costs $5 and $10"),
        ("$\\widetilde{x}$ stays", "\\widetilde{x} stays"),
        ("\\unknown{cmd}", "\\unknown{cmd}"),
        ("no latex at all", "no latex at all"),
    ],
)
def test_latex_to_unicode(source, shown):
    assert latex_to_unicode(source) == shown


@pytest.mark.parametrize(
    "code,name",
    [
        ("CL", "Computation and Language"),
        ("cs.CL", "Computation and Language"),
        ("LG", "Machine Learning"),
        ("CV", "Computer Vision and Pattern Recognition"),
        ("AS", "Audio and Speech Processing"),
        ("AI", "Artificial Intelligence"),
        ("CR", "Cryptography and Security"),
        ("CY", "Computers and Society"),
        ("HC", "Human-Computer Interaction"),
        ("RO", "Robotics"),
        ("NE", "Neural and Evolutionary Computing"),
        ("IR", "Information Retrieval"),
        ("MA", "Multiagent Systems"),
        ("SD", "Sound"),
        ("stat.ML", "Machine Learning (Statistics)"),
        ("XX", None),
    ],
)
def test_category_name(code, name):
    assert category_name(code) == name


def test_category_id():
    assert category_id("AS") == "eess.AS"
    assert category_id("CL") == "cs.CL"
    assert category_id("nope") is None


@pytest.mark.parametrize(
    "text,urls",
    [
        ("See https://github.com/OpenAI/CLIP.", ["https://github.com/OpenAI/CLIP"]),
        ("At https://a.io, and http://b.io/x;", ["https://a.io", "http://b.io/x"]),
        ("(https://en.wikipedia.org/wiki/A_(b))", ["https://en.wikipedia.org/wiki/A_(b)"]),
        ("“https://q.example/”", ["https://q.example/"]),
        ("twice https://a.io https://a.io", ["https://a.io"]),
        ("no urls", []),
    ],
)
def test_extract_urls(text, urls):
    assert extract_urls(text) == urls


@pytest.mark.parametrize(
    "text,title",
    [
        (
            "Short and sweet topic sentence. More text follows here.",
            "Short and sweet topic sentence",
        ),
        (
            "Special thanks to Ann for edits. The real topic is here. More.",
            "The real topic is here",
        ),
        (
            "In this paper, we present a new method for fast sampling which uses caching and "
            "several other tricks that are described later in much more detail.",
            "A new method for fast sampling",
        ),
        (
            "Reward hacking occurs when a reinforcement learning (RL) agent exploits flaws or "
            "ambiguities in the reward function to achieve high rewards.",
            "Reward hacking occurs when a reinforcement learning (RL) agent exploits flaws…",
        ),
        ("as of today (e.g. now) it works.", "As of today it works"),
        ("", ""),
    ],
)
def test_derive_title(text, title):
    assert derive_title(text) == title


def test_derived_title_never_leaves_a_bracket_open():
    text = "Test-time compute is studied here (in particular for models trained " + "x " * 60
    title = derive_title(text)
    assert len(title) <= 80
    assert title.count("(") == title.count(")")
