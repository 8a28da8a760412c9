"""Update notes read for what they name: a title for a post known only by its notes,
and the titles of other works a note points to.

Some Lil'Log excerpts are nothing but ``[Updated on …]`` notes. Their first
note ("add expert choice routing.", "Updated to version 2.0 with … many typos
fixed") made a poor title: it describes an edit, not the post. The notes do
name the post's subject, in the sections they add and the methods they cover,
so the title is built from those (see ``notes_title``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from seeds.titles import LIMIT, derive_title, iter_sentences, shorten

#: Characters of a note read for its phrase and score: a title is at most ``LIMIT``
#: long, and the anchored patterns below must not scan a hostile note's megabytes.
_HEAD = 400
#: Longer than this, what follows "published on …:" is prose, not a title.
_LONGEST_NAME = 160
_QUOTED = re.compile(r"[“\"]([^“”\"]{2,160})[”\"]")
# "published on OpenAI Blog: NAME", "The enhanced version of this post is here: NAME."
_AFTER_COLON = re.compile(
    r"\b(?:published\s+(?:on|in|at)\b[^:.]{0,60}|(?:is|are)\s+here):\s*(?P<name>[^“\"\s].*?)"
    r"(?=\.\s|\.?$)",
    re.IGNORECASE,
)
# A note saying the post exists in another version: what that version is
# called is the post's topic.
_OTHER_VERSION = re.compile(r"\bversion\s+of\s+this\s+post\b", re.IGNORECASE)
# What a note says about the edit itself, not about the subject.
_BOILERPLATE = re.compile(
    r"\b(?:I|we|my|our|me)\b|\bthis\s+(?:blog\s+)?post\b|\btypos?\b|\bversion\s+\d"
    r"|\brecommend|\brefactor|\bthanks?\b",
    re.IGNORECASE,
)
_EDIT_VERB = re.compile(
    r"^(?:add(?:ed|s|ing)?|mention(?:ed|s|ing)?|updated?|updating|include[sd]?|including"
    r"|introduc(?:e|ed|es|ing)|cover(?:ed|s|ing)?)\b[\s:,]*",
    re.IGNORECASE,
)
_REMOVAL = re.compile(r"^(?:remov|delet|fix|correct|renam|mov)\w*\b", re.IGNORECASE)
_SECTION_ON = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:new|small|short|brief)\s+)?"
    r"(?:section|example|part|paragraph|discussion)s?\s+(?:on|about|of)\s+",
    re.IGNORECASE,
)
_QUOTED_SECTION = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:new|small|short|brief)\s+)?[“\"](?P<head>[^”\"]+)[”\"]\s+"
    r"section(?:\s+(?:on|about|with|for)\s+(?P<body>.+))?$",
    re.IGNORECASE,
)
_IN_SECTION = re.compile(
    r"^(?P<body>.+?)\s+(?:in|to|into)\s+the\s+[“\"](?P<head>[^”\"]+)[”\"]\s+section$",
    re.IGNORECASE,
)
_LEADING_ARTICLE = re.compile(r"^(?:(?:a|an|the)\s+)?(?:(?:new|small|short|brief)\s+)?", re.I)
_WHOLE_QUOTE = re.compile(r"^[“\"]([^“”\"]+)[”\"]$")
# Words that introduce a title without being its subject ("Techniques for …").
_GENERIC_HEAD = re.compile(
    r"^(?:(?:some|a\s+few|useful)\s+)?(?:techniques|methods|tips|tricks|notes|lessons)\s+"
    r"(?:for|on|of|in)\s+|^(?:an?\s+)?(?:introduction|overview|guide|survey)\s+(?:to|of)\s+",
    re.IGNORECASE,
)
_VERSION_MARK = re.compile(r"[\s,:(-]*\b(?:version|ver\.?|v)\s*\d+(?:\.\d+)*\)?$", re.IGNORECASE)


def named_titles(note: str) -> list[str]:
    """Names a note gives in quotes or after "published on …:", in order, each once.

    These are candidates for another work's title; whether one is, only the
    library can say, by exact title (the caller's look-up), never by guessing.
    """
    found = [m.group(1).strip() for m in _QUOTED.finditer(note)]
    found += [m.group("name").strip(" .,;") for m in _AFTER_COLON.finditer(note)]
    return list(dict.fromkeys(name for name in found if 0 < len(name) <= _LONGEST_NAME))


def _topic_of_version(notes: Sequence[str]) -> str | None:
    """The subject of the post, when a note names another version of it.

    That version's title is the best description of the post there is, but
    copied whole it would make the list show two items with the same title
    (the other version is usually in the library too). Its generic head
    ("Techniques for") and version mark ("Version 2.0") are dropped: what is
    left is the topic the two versions share.
    """
    for note in notes:
        if not _OTHER_VERSION.search(note):
            continue
        for name in named_titles(note):
            topic = _VERSION_MARK.sub("", _GENERIC_HEAD.sub("", name)).strip(" ,:;-")
            if len(topic.split()) >= 2:
                return topic[:1].upper() + topic[1:]
    return None


def _phrase(note: str) -> str | None:
    """What the note adds, as a noun phrase ("Momentum Contrast: MoCo, SimCLR and CURL").

    None for notes about the edit rather than the subject: thanks, typos,
    versions, first-person remarks, removals.
    """
    text = next(iter_sentences(note[:_HEAD]), "").strip().rstrip(" .;:,")
    if not text or _BOILERPLATE.search(text) or _REMOVAL.match(text):
        return None
    text = _EDIT_VERB.sub("", text, count=1)
    text = _SECTION_ON.sub("", text, count=1)
    section = _QUOTED_SECTION.match(text) or _IN_SECTION.match(text)
    if section:
        head, body = section.group("head"), section.group("body")
        text = f"{head}: {_LEADING_ARTICLE.sub('', body)}" if body else head
    else:
        text = _LEADING_ARTICLE.sub("", text, count=1)
    whole = _WHOLE_QUOTE.match(text)
    if whole:
        text = whole.group(1)
    return text.strip() or None


def _score(note: str) -> int:
    """How much a note names: quoted names, then capitalised words and acronyms
    (GLIDE, SimCLR), then hyphenated terms (classifier-free); plain prose least."""
    note = note[:_HEAD]
    quoted = len(_QUOTED.findall(note))
    rest = _QUOTED.sub(" ", note).split()[1:]  # the first word is capitalised as a sentence
    names = sum(1 for word in rest if any(c.isupper() for c in word))
    hyphenated = sum(1 for word in note.split() if "-" in word.strip("-"))
    return 3 * quoted + 2 * names + hyphenated + 1


def _head(phrase: str) -> str:
    return phrase.partition(": ")[0].casefold() if ": " in phrase else phrase.casefold()


def notes_title(notes: Sequence[str]) -> str:
    """A title for a post known only by its update notes (oldest first); "" when there are none.

    The notes describe edits; the title should describe the post. So edit
    verbs ("add", "mentioning") and notes about the edit itself (typos,
    versions, thanks) are left out, and the note that names the most (quoted
    sections, method names, acronyms) leads, since a reader scanning the list
    recognises a post by the things it covers. The other notes follow in
    date order while they fit in ``LIMIT``: the title reads as the post's
    history. A note pointing to another version of the post gives its topic,
    which goes first (see ``_topic_of_version``). With nothing to go on, the
    first note's own sentence is the title, as for any untitled text.
    """
    notes = [n for n in notes if n.strip()]
    if not notes:
        return ""
    topic = _topic_of_version(notes)
    phrases = [(p, _score(n), i) for i, n in enumerate(notes) if (p := _phrase(n))]
    if not phrases and topic is None:
        return derive_title(" ".join(notes[:1]))
    parts: list[str] = []
    if phrases:
        lead = max(phrases, key=lambda found: (found[1], -found[2]))
        parts.append(lead[0])
        for phrase, _, _ in phrases:
            if _head(phrase) in {_head(p) for p in parts}:
                continue
            if len("; ".join([*parts, phrase])) + (len(topic) + 2 if topic else 0) <= LIMIT:
                parts.append(phrase)
    body = "; ".join(parts)
    if topic is None:
        title = body
    elif not body:
        title = topic
    else:
        joiner = " — " if ": " in parts[0] else ": "
        title = topic + joiner + body if len(topic + joiner + body) <= LIMIT else topic
    if len(title) > LIMIT:
        title = shorten(title, noun_phrase=True)
    return title[:1].upper() + title[1:]
