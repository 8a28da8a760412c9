"""BibTeX files (a Zotero, Google Scholar or JabRef export) read as library entries.

The entries go through the same merge as parsed documents
(``seeds.merge.merge_entries``), so a paper already in the corpus gains the
file as a source instead of appearing twice; this module only turns BibTeX
into ``Entry`` objects shaped like the parser's.

Titles and names become plain Unicode (braces that protect capitals are
BibTeX syntax, not text). Abstracts keep their LaTeX as the corpus does
(``$\\leftrightarrow$``, ``50\\%``): only accents and protective braces are
resolved, and ``seeds.latex`` renders the rest at display time. Nothing is
invented: ``year = 2021`` alone gives no ISO date, only ``date_text``.
``keywords`` are the exporting tool's subject terms, not the user's tags, so
they are reported instead of imported.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator

import bibtexparser
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock

from seeds.categories import CATEGORIES
from seeds.latex import latex_to_unicode
from seeds.model import Entry

KIND = "bibtex"

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_LABELS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NOT_ENTRIES = frozenset({"string", "preamble", "comment"})
_ENTRY_START = re.compile(
    r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t\r\n]*[^\s,{}()]*[ \t\r\n]*,", re.M
)

_COMBINING = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_SPECIAL_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
_SYMBOL_ACCENT = re.compile(r"\\([\'`^\"~=.])\s*(?:\{\s*(" + _BASE + r")\s*\}|(" + _BASE + r"))")
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*(" + _BASE + r")\s*\}|\s+([A-Za-z]))")
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\s*\{\})?\s?")
_TOKENS = re.compile(r"\$\$.*?\$\$|\$(?:\\.|[^$\\])*\$|\\[A-Za-z]+\s*|\\.|[{}]|[^\\{}$]+|\$", re.S)
_SPACES = re.compile(r"\s+")
_ARXIV_ID = re.compile(
    r"(?:arxiv:\s*|arxiv\.org/abs/)(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.I
)
_BARE_ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$|^[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?$")
_URL = re.compile(r"\\url\{([^{}\s]+)\}|(https?://[^\s{}]+)")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_YEAR = re.compile(r"\b(\d{4})\b")
_ISO_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_TEXT_SYMBOL = re.compile(
    r"\\(textbraceleft|textbraceright|textasciitilde|textasciicircum|textbackslash)"
    r"(?![A-Za-z])(?:\{\})?"
)
_LITERALS = {
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbackslash": "\\",
}
_PARKED = {name: chr(0xE000 + i) for i, name in enumerate(_LITERALS)}
_UNPARK = {ord(_PARKED[name]): char for name, char in _LITERALS.items()}
_PRIVATE = re.compile("[\ue000-\uf8ff]")
_AS_LATEX = {"textbraceleft": "\\{", "textbraceright": "\\}"}
#: Fields the item holds in its own fields (title, authors, date, links,
#: category, abstract) or that are the user's (keywords, annote, readstatus):
#: every other field is kept verbatim and written back by the export.
_NOT_KEPT = frozenset(
    {
        "title",
        "author",
        "year",
        "month",
        "day",
        "date",
        "url",
        "doi",
        "eprint",
        "archiveprefix",
        "eprinttype",
        "primaryclass",
        "eprintclass",
        "abstract",
        "keywords",
        "annote",
        "readstatus",
    }
)
_FULL_CATEGORY = {full.casefold(): code for code, (full, _name) in CATEGORIES.items()}


def looks_like_bibtex(text: str) -> bool:
    """True when the text has at least one ``@type{key,`` entry (not just @string/@comment)."""
    return any(m.group(1).lower() not in _NOT_ENTRIES for m in _ENTRY_START.finditer(text))


def entries_from_bibtex(text: str, source: str) -> tuple[list[Entry], list[str]]:
    """(entries in file order, one line per thing skipped or left out).

    Raises ValueError (one line) when the text is not BibTeX or no entry in it
    could be read at all.
    """
    if not looks_like_bibtex(text):
        raise ValueError(f"{source} is not a BibTeX file: no @type{{key, ...}} entry in it")
    library = _parse(text, source)
    skipped: list[str] = []
    entries: list[Entry] = []
    with_keywords = 0
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            skipped.append(f"{source}:{line}: second entry with key {block.key!r} skipped")
        else:
            skipped.append(f"{source}:{line}: unreadable BibTeX skipped ({_one_line(block.error)})")
    for raw in library.entries:
        fields = {f.key.lower(): f.value for f in raw.fields if isinstance(f.value, str)}
        title = clean_text(fields.get("title", ""))
        if not title:
            line = (raw.start_line or 0) + 1
            skipped.append(f"{source}:{line}: entry {raw.key!r} has no title; skipped")
            continue
        if fields.get("keywords", "").strip():
            with_keywords += 1
        entry = _entry(fields, title, source, len(entries))
        entry.entry_type = raw.entry_type.lower()
        entry.bib_fields = {k: v.strip() for k, v in fields.items() if k not in _NOT_KEPT}
        entries.append(entry)
    if with_keywords:
        skipped.append(
            f"{source}: keywords of {with_keywords} "
            f"entr{'y' if with_keywords == 1 else 'ies'} not imported (they are not your tags)"
        )
    if not entries and library.failed_blocks:
        raise ValueError(f"no BibTeX entry could be read: {skipped[0]}")
    return entries, skipped


def _parse(text: str, source: str) -> bibtexparser.Library:
    # bibtexparser logs each bad block; the caller reports them from
    # ``skipped`` instead, and stray log lines would tear a terminal UI.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return bibtexparser.parse_string(text)
    except Exception as err:  # the library's errors are not one class
        raise ValueError(f"{source}: cannot read BibTeX: {_one_line(err)}") from None
    finally:
        logger.setLevel(level)


def _one_line(err: object) -> str:
    detail = getattr(err, "abort_reason", None) or getattr(err, "message", None) or err
    text = _SPACES.sub(" ", str(detail)).strip()
    return text[:200] or type(err).__name__


def _entry(fields: dict[str, str], title: str, source: str, position: int) -> Entry:
    authors, truncated = _authors(fields.get("author") or fields.get("editor") or "")
    date, date_text = _date(fields)
    return Entry(
        source=source,
        kind=KIND,
        position=position,
        title=title,
        authors=authors,
        authors_truncated=truncated,
        date=date,
        date_text=date_text,
        category=_category(fields),
        summary=clean_text(fields.get("abstract", ""), keep_latex=True),
        urls=_urls(fields),
    )


# --- text -----------------------------------------------------------------------


def _accent(m: re.Match[str]) -> str:
    base = m.group(2) or m.group(3)
    if base.startswith("\\"):
        base = base[1]  # \'{\i}: the dotless i only exists to carry the accent
    return unicodedata.normalize("NFC", base + _COMBINING[m.group(1)])


def _resolve_accents(text: str) -> str:
    if "\\" not in text:
        return text
    text = _SYMBOL_ACCENT.sub(_accent, text)
    text = _LETTER_ACCENT.sub(_accent, text)
    return _LETTER.sub(lambda m: _SPECIAL_LETTERS[m.group(1)], text)


def _strip_protective_braces(text: str) -> str:
    """Drop ``{GPT}``-style braces; keep math and the arguments of commands."""
    if "{" not in text and "}" not in text:
        return text
    out: list[str] = []
    kept: list[bool] = []  # per open brace: was it kept?
    after_command = False
    for token in _TOKENS.findall(text):
        if token == "{":
            kept.append(after_command)
            if after_command:
                out.append(token)
        elif token == "}":
            if kept.pop() if kept else False:
                out.append(token)
                after_command = True  # \frac{a}{b}: the next group is an argument too
                continue
        else:
            out.append(token)
            after_command = token.startswith("\\") and token[1:2].isalpha()
            continue
        after_command = False
    return "".join(out)


def clean_text(value: str, *, keep_latex: bool = False) -> str:
    """BibTeX field text → what the library stores (see the module docstring)."""
    if keep_latex:
        text = _TEXT_SYMBOL.sub(lambda m: _AS_LATEX.get(m.group(1), m.group()), value)
        text = _strip_protective_braces(_resolve_accents(text))
        return _SPACES.sub(" ", text).strip()
    # Literal characters that LaTeX spells as commands (shelf's own export
    # writes them) are parked in private-use code points so that brace
    # stripping and LaTeX rendering leave them alone.
    value, restore = _hide_private(value)
    text = _TEXT_SYMBOL.sub(lambda m: _PARKED.get(m.group(1), m.group()), value)
    text = latex_to_unicode(_strip_protective_braces(_resolve_accents(text)))
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    text = text.replace("``", "\u201c").replace("''", "\u201d")
    text = text.translate(_UNPARK)
    if restore:
        text = text.translate(restore)
    return _SPACES.sub(" ", text).strip()


def _hide_private(text: str) -> tuple[str, dict[int, str]]:
    """``text`` with its BMP private-use characters swapped for unused
    supplementary ones, and the table that swaps them back.

    The parking above and ``latex_to_unicode`` both use BMP private-use code
    points as markers, so a title that already held one (someone's icon
    font glyph) came back with a brace or a backslash in its place.
    """
    found = sorted(set(_PRIVATE.findall(text)))
    if not found:
        return text, {}
    spare = (chr(c) for c in range(0xF0000, 0x10FFFE) if chr(c) not in text)
    swap = {ch: next(spare) for ch in found}
    return text.translate({ord(k): v for k, v in swap.items()}), {
        ord(v): k for k, v in swap.items()
    }


# --- fields ---------------------------------------------------------------------


def _authors(value: str) -> tuple[list[str], bool]:
    if not value.strip():
        return [], False
    names = split_multiple_persons_names(value)
    truncated = bool(names) and names[-1].strip().lower() == "others"
    if truncated:
        names = names[:-1]
    out = []
    for name in names:
        try:
            parts = parse_single_name_into_parts(name, strict=False)
            display = " ".join(parts.first + parts.von + parts.last + parts.jr)
        except InvalidNameError:
            display = name
        cleaned = clean_text(display)
        if cleaned:
            out.append(cleaned)
    return out, truncated


def _month(value: str) -> int | None:
    value = _strip_protective_braces(value).strip().lower()
    if value.isdigit():
        month = int(value)
        return month if 1 <= month <= 12 else None
    return _MONTHS.index(value[:3]) + 1 if value[:3] in _MONTHS else None


def _date(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """(ISO date when year, month and day are all known; the date as text)."""
    year = month = day = None
    iso = _ISO_DATE.match(fields.get("date", ""))
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
    else:
        y = _YEAR.search(fields.get("year", ""))
        year = int(y.group(1)) if y else None
        month = _month(fields.get("month", ""))
        d = fields.get("day", "").strip()
        day = int(d) if d.isdigit() else None
    if month is not None and not 1 <= month <= 12:
        month = None
    if month is None or day is None or not 1 <= day <= 31:
        day = None
    if year and month and day:
        return f"{year:04d}-{month:02d}-{day:02d}", f"{_MONTH_LABELS[month - 1]} {day}, {year}"
    label = " ".join(
        p
        for p in (
            _MONTH_LABELS[month - 1] if month else "",
            f"{day}," if day and year else (str(day) if day else ""),
            str(year) if year else "",
        )
        if p
    )
    return None, label or None


def _is_arxiv(fields: dict[str, str]) -> bool:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if prefix:
        return prefix == "arxiv"
    eprint = fields.get("eprint", "").strip()
    return bool(_BARE_ARXIV_ID.match(eprint)) or "arxiv" in fields.get("journal", "").lower()


def _category(fields: dict[str, str]) -> str | None:
    primary = (fields.get("primaryclass") or fields.get("eprintclass") or "").strip()
    if not primary or not (_is_arxiv(fields) or "." in primary):
        return None
    return _FULL_CATEGORY.get(primary.casefold())


def _urls(fields: dict[str, str]) -> list[str]:
    def found() -> Iterator[str]:
        yield from fields.get("url", "").split()
        eprint = fields.get("eprint", "").strip()
        if eprint and _is_arxiv(fields):
            yield f"https://arxiv.org/abs/{re.sub(r'v[0-9]+$', '', eprint)}"
        for name in ("journal", "note", "howpublished"):
            m = _ARXIV_ID.search(fields.get(name, ""))
            if m:
                yield f"https://arxiv.org/abs/{m.group(1)}"
        doi = _DOI_PREFIX.sub("", fields.get("doi", "").strip())
        if doi:
            yield f"https://doi.org/{doi}"
        for name in ("howpublished", "note"):
            for m in _URL.finditer(fields.get(name, "")):
                yield m.group(1) or m.group(2)

    # Zotero writes http://arxiv.org/abs/… in url and arXiv:… in note: one link.
    out: dict[str, str] = {}
    for url in found():
        url = url.strip()
        same = re.sub(r"^https?://(?:www\.)?", "", url).rstrip("/").lower()
        if url and same not in out:
            out[same] = url
    return list(out.values())
