"""BibTeX that BibTeX, Biber and bibtexparser all read back.

Entries are laid out exactly as bibtexparser v2's writer lays them out (two
spaces of indent, one blank line between entries); the tests hold the two
byte-for-byte equal. The entries are joined here rather than through
bibtexparser's ``Library``/``write_string`` because building its objects and
writing them costs about 7 s for 100,000 items on the project's 2-core
machine, over the 5 s budget for an export.

Field values come from other people's text, so each must end where its
closing brace says: braces are balanced for BibTeX, for TeX and for
bibtexparser (which ignores a brace after a backslash), and an ``@`` that a
tolerant reader could take for the start of an entry (first on its line, or
``@name(`` / ``@name{`` anywhere) is written ``{@}``, which prints ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from seeds.categories import category_id
from storage.export.base import Writer, items_of
from storage.export.common import (
    View,
    arxiv_id,
    clean_view,
    clean_views,
    date_parts,
    doi,
    http_urls,
    is_paper,
    note_texts,
    status_label,
)
from storage.export.latex import escape_abstract, escape_plain
from storage.export.layout import Step
from storage.export.names import split_name

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
INDENT = "  "

_TITLE_PART = re.compile(r"[^\s\-\u2010-\u2015/()\[\]:;,!?\"“”‘’]+")
_URL_UNSAFE = re.compile(r"[\s{}\\]")
_URL_MACRO_UNSAFE = re.compile(r"[%#~^\s{}\\]")
_NAME_ESCAPE = re.compile(r"(\\text[a-z]+)\{\}|(\\[%&$#_])")
_URL_FIELDS = frozenset({"url", "doi", "howpublished"})  # "@" in them is %40 instead
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_\-]*$")
# bibtexparser starts a new block at an ``@`` first on a line, even inside a
# value; another reader might at any ``@type(`` or ``@type{``.
_ENTRY_AT = re.compile(r"(?<=[\n\u2028\u2029])(\s*)@|@(?=\w*\s*[{(])")


def _needs_protection(part: str, title_start: bool) -> bool:
    rest = part[1:]
    if rest != rest.lower():
        return True  # GPT, PreTraining, LLMs, DALL·E
    # A lone capital ("Part B") would be lowercased; "A Study …" starts the title.
    return not title_start and len(part) == 1 and part.isupper()


def _protect(part: str) -> str:
    inner = escape_plain(part)
    # A brace group that starts with a command is a BibTeX "special character"
    # whose letters are case-changed anyway; doubling the braces prevents it.
    return "{{" + inner + "}}" if inner[0] == "\\" else "{" + inner + "}"


def _protect_word(word: str, title_start: bool) -> str:
    out = []
    pos = 0
    for m in _TITLE_PART.finditer(word):
        out.append(escape_plain(word[pos : m.start()]))
        part = m.group()
        starts = title_start and m.start() == 0
        out.append(_protect(part) if _needs_protection(part, starts) else escape_plain(part))
        pos = m.end()
    out.append(escape_plain(word[pos:]))
    return "".join(out)


#: What sends a title down the word-by-word path: a LaTeX special character, a
#: capital inside a word, a one-letter capital word. Titles in plain title case
#: ("Attention Is All You Need") have none and are already valid BibTeX.
_TITLE_WORK = re.compile(r"[\\{}&%$#_~^]|[^ ][A-Z]|(?:^| )[A-Z](?: |$)")


def bibtex_title(title: str) -> str:
    """Escape, and brace what sentence-casing styles must not lowercase."""
    if title.isascii() and _TITLE_WORK.search(title) is None:
        return title
    return title_by_words(title)


def title_by_words(title: str) -> str:
    out = []
    after_colon = True  # BibTeX keeps the first letter, and the one after ": "
    for word in title.split(" "):
        rest = word[1:]
        if rest == rest.lower() and (after_colon or len(word) != 1 or not word.isupper()):
            out.append(escape_plain(word))  # the common case, kept cheap
        else:
            out.append(_protect_word(word, after_colon))
        if word:
            after_colon = word.endswith(":")
    return " ".join(out)


def _escape_name(text: str) -> str:
    """Escapes as brace groups (``{\\%}``), what BibTeX calls special characters.

    bibtexparser's name splitter skips the character after a backslash
    without noting a word boundary, so a word of bare escapes before "and"
    (``\\# and others``) was lost, and one after "and" lost its backslash.
    """
    text = escape_plain(text)
    if "\\" not in text:
        return text
    return _NAME_ESCAPE.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", text)


@lru_cache(maxsize=1 << 16)  # the same authors recur across a library
def bibtex_name(name: str) -> str:
    """``von Last, Jr, First`` with braces where BibTeX would split wrongly."""
    # "and" would split the name in two, a last name "others" would read as "et al."
    if any(w.casefold() == "and" for w in name.split()) or name.strip().casefold() == "others":
        return "{" + _escape_name(" ".join(name.split())) + "}"  # an organisation
    given, particle, family, suffix = split_name(name)
    if not family:  # "," alone: nothing BibTeX would read as a name
        return "{" + _escape_name(" ".join(name.split())) + "}"
    family_tex = _escape_name(family)
    if " " in family and any(w[:1].islower() for w in family.split()[1:]):
        family_tex = "{" + family_tex + "}"  # "Dupré la Tour" is one surname
    last = f"{_escape_name(particle)} {family_tex}" if particle else family_tex
    if not given:
        return last
    given_tex = _escape_name(given)
    if suffix:
        return f"{last}, {_escape_name(suffix)}, {given_tex}"
    return f"{last}, {given_tex}"


def bibtex_authors(view: View) -> str:
    names = [bibtex_name(a) for a in view.get("authors") or () if a and a.strip()]
    if view.get("authors_truncated") and names:
        names.append("others")
    return " and ".join(names)


def guard_at(value: str) -> str:
    """``value`` with no ``@`` that could open an entry."""
    if "@" not in value:
        return value
    return _ENTRY_AT.sub(lambda m: (m.group(1) or "") + "{@}", value)


def _url_field(url: str) -> str:
    if _URL_UNSAFE.search(url) is not None:
        url = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
    if "@" in url:  # a URL has no line starts left, but may hold "@name("
        url = _ENTRY_AT.sub(lambda m: (m.group(1) or "") + "%40", url)
    return url


def entry_fields(view: View) -> tuple[str, list[tuple[str, str, bool]]]:
    """(entry type, [(field, value, whether the value is written in braces)])."""
    return _entry_fields(clean_view(view))


def _entry_fields(view: View) -> tuple[str, list[tuple[str, str, bool]]]:
    paper = is_paper(view)
    fields: list[tuple[str, str, bool]] = []
    add = fields.append
    kept: dict[str, str] = view.get("bib_fields") or {}
    authors = bibtex_authors(view)
    if authors:
        add(("author", authors, True))
    title = view.get("original_title") or view.get("title") or ""
    add(("title", bibtex_title(title), True))
    urls = http_urls(view)
    eprint = arxiv_id(urls)
    if kept:
        # An imported entry's own fields, as written (journal, booktitle, pages, …).
        fields.extend(
            (name, value, True) for name, value in kept.items() if _FIELD_NAME.match(name)
        )
    elif paper and (view.get("category") or eprint) and view.get("entry_type") in (None, "article"):
        # Only for an @article shelf makes up; an imported @misc said what it is.
        add(("journal", "arXiv preprint" + (f" arXiv:{eprint}" if eprint else ""), True))
    year, month, day = date_parts(view)
    if year:
        add(("year", str(year), True))
    if month:
        add(("month", MONTH_MACROS[month - 1], False))
    if year and month and day:
        add(("date", f"{year:04d}-{month:02d}-{day:02d}", True))
    if eprint:
        add(("eprint", eprint, True))
        add(("archiveprefix", "arXiv", True))
    category = view.get("category")
    full = (category if "." in category else category_id(category)) if category else None
    if paper and full:
        add(("primaryclass", escape_plain(full), True))
    d = doi(urls)
    if d:
        add(("doi", _url_field(d), True))
    if urls:
        url = _url_field(urls[0])
        add(("url", url, True))
        if not paper and _URL_MACRO_UNSAFE.search(url) is None:
            add(("howpublished", "\\url{" + url + "}", True))
    summary = view.get("summary")
    if summary:
        add(("abstract", escape_abstract(summary), True))
    tags = view.get("tags")
    if tags:
        add(("keywords", escape_plain(", ".join(tags)), True))
    notes = [f"Updated {u['date']}: {u['text']}" for u in view.get("updates") or ()]
    if view.get("title_derived"):
        notes.insert(0, "Title taken from the text (the source gives none)")
    if notes and "note" not in kept:
        add(("note", escape_plain("\n\n".join(notes)), True))
    annote = note_texts(view)
    if view.get("renamed") and view.get("title") and view.get("title") != title:
        annote.insert(0, f"Shelf title: {view['title']}")
    if annote:
        add(("annote", escape_plain("\n\n".join(annote)), True))
    add(("readstatus", escape_plain(status_label(view)), True))
    fields = [
        (n, guard_at(v), b) if b and n not in _URL_FIELDS else (n, v, b) for n, v, b in fields
    ]
    entry_type = str(view.get("entry_type") or "")
    if not _FIELD_NAME.match(entry_type):
        entry_type = "article" if paper else "misc"
    return entry_type, fields


class BibtexWriter(Writer):
    needs_keys = True

    def batch(self, steps: Sequence[Step], views: Sequence[View], index: int) -> bytes:
        # One flat list of pieces and a single join: the abstracts are most of
        # the output, and every intermediate string would copy them again.
        out: list[str] = []
        emit = out.extend
        keys = self.keys
        for position, view in items_of(steps, clean_views(views)):
            if index:
                out.append("\n")  # a blank line between entries, none after the last
            index += 1
            entry_type, fields = _entry_fields(view)
            emit(("@", entry_type, "{", keys[position], ",\n"))
            last = len(fields) - 1
            for i, (name, value, braced) in enumerate(fields):
                sep = ",\n" if i < last else "\n"
                if braced:
                    emit((INDENT, name, " = {", value, "}", sep))
                else:
                    emit((INDENT, name, " = ", value, sep))
            out.append("}\n")
        return "".join(out).encode("utf-8")
