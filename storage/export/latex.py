"""Text made safe for BibTeX fields, and LaTeX that is already there kept valid.

Two kinds of text reach a .bib file. Plain fields (titles, names, notes, tags)
are literal text: every character LaTeX treats specially is escaped. Abstracts
arrive with LaTeX already in them (``$\\leftrightarrow$``, ``50\\%``): escaping
that again would print backslashes, so well-formed math and the usual escapes
are kept and everything else is escaped as in plain fields.

BibTeX counts braces even when they are backslash-escaped, so a lone ``\\{``
breaks the entry; literal braces become ``\\textbraceleft{}`` instead, and
kept math must balance both ways (raw and as TeX reads it).
"""

from __future__ import annotations

import re

_PLAIN = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_PLAIN_RE = re.compile(r"[\\{}&%$#_~^]")


def _plain_sub(m: re.Match[str]) -> str:
    return _PLAIN[m.group()]


def _escape_simple(text: str) -> str:
    """``& % $ # _`` only: five C-level replaces beat a Python callback per match."""
    if "&" in text:
        text = text.replace("&", r"\&")
    if "%" in text:
        text = text.replace("%", r"\%")
    if "$" in text:
        text = text.replace("$", r"\$")
    if "#" in text:
        text = text.replace("#", r"\#")
    if "_" in text:
        text = text.replace("_", r"\_")
    return text


def _has_latex_syntax(text: str) -> bool:
    # ``in`` is a memchr per character; a regex character class scans about
    # ten times slower, which adds up over 100,000 abstracts.
    return "\\" in text or "{" in text or "}" in text or "$" in text or "~" in text or "^" in text


def escape_plain(text: str) -> str:
    """Literal text → LaTeX that prints exactly that text."""
    if "\\" in text or "{" in text or "}" in text or "~" in text or "^" in text:
        return _PLAIN_RE.sub(_plain_sub, text)
    return _escape_simple(text)


_ACCENT = r"""['"`^~=.]"""
_ABSTRACT_TOKEN = re.compile(
    r"(?P<dmath>\$\$(?=\S)(?:[^$\\]|\\.)+?(?<=\S)\$\$)"
    r"|(?P<math>\$(?=[^\s$])(?:[^$\\\n]|\\.)+?(?<=\S)\$(?!\d))"
    r"|(?P<cmd>\\(?:emph|textit|textbf|texttt|textsc|textsl|underline|mbox|text)\{(?P<arg>[^{}\\]*)\})"
    rf"|(?P<accent>\{{\\{_ACCENT}[A-Za-z]\}}|\\{_ACCENT}(?:[A-Za-z]|\{{[A-Za-z]\}})"
    r"|\{\\[uvHcdbkr](?: [A-Za-z]|\{[A-Za-z]\})\}|\\[uvHcdbkr](?:\{[A-Za-z]\}| [A-Za-z]))"
    r"|(?P<word>\\(?:ldots|dots|LaTeX|TeX|textendash|textemdash|ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)"
    r"(?![A-Za-z])(?:\{\})?)"
    r"|(?P<esc>\\[%&$#_])"
    r"|(?P<brace>\\[{}])"
    r"|(?P<special>[\\{}&%$#_~^])"
)
_ABSTRACT_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_MATH_UNSAFE = re.compile(r"(?<!\\)[%#&]")


def _balanced(text: str) -> bool:
    """Balanced as BibTeX counts (every brace), as TeX does (not ``\\{``), and
    as bibtexparser does (no brace right after a backslash, so not the one in
    ``\\\\{`` either): a value one of them reads as closed early would end the
    field, or the entry, inside other people's text."""
    raw = tex = lax = 0
    escaped = False
    prev = ""
    for ch in text:
        if ch in "{}" and prev != "\\":
            lax += 1 if ch == "{" else -1
            if lax < 0:
                return False
        prev = ch
        if escaped:
            escaped = False
            if ch in "{}":
                raw += 1 if ch == "{" else -1
                if raw < 0:
                    return False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "{":
            raw += 1
            tex += 1
        elif ch == "}":
            raw -= 1
            tex -= 1
            if raw < 0 or tex < 0:
                return False
    return raw == 0 and tex == 0 and lax == 0 and not escaped


def _abstract_sub(m: re.Match[str]) -> str:
    kind = m.lastgroup
    text = m.group()
    if kind in ("dmath", "math"):
        if "\n\n" in text or not _balanced(text):
            return escape_plain(text)
        return _MATH_UNSAFE.sub(lambda x: "\\" + x.group(), text)
    if kind == "cmd":
        arg = m.group("arg")
        return text[: len(text) - len(arg) - 1] + escape_plain(arg) + "}"
    if kind in ("accent", "word", "esc"):
        return text
    if kind == "brace":
        return _PLAIN[text[1]]
    return _PLAIN[text]


def escape_abstract(text: str) -> str:
    """Abstract text that may already hold LaTeX → valid, brace-balanced LaTeX."""
    if not _has_latex_syntax(text):
        return _escape_simple(text)  # no math, commands or groups: plain text
    search = _ABSTRACT_SPECIAL.search
    found = search(text)
    # Every token starts with a special character, so jump from one to the
    # next and match there: scanning with the whole alternation at every
    # position is about twenty times slower.
    match = _ABSTRACT_TOKEN.match
    out = []
    pos = 0
    while found is not None:
        start = found.start()
        token = match(text, start)
        assert token is not None  # the last branch matches any special
        out.append(text[pos:start])
        out.append(_abstract_sub(token))
        pos = token.end()
        found = search(text, pos)
    out.append(text[pos:])
    return "".join(out)
