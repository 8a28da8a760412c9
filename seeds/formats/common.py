"""Text clean-up every format needs before its fields can be compared or shown."""

from __future__ import annotations

import re

from seeds.normalize import clean_text, is_truncated, nfc, strip_footnotes

_URL = re.compile(r"https?://[^\s<>\"“”‘’]+")
_URL_TRAIL = ".,;:!?'\"”’»"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_JUNK = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def prepare(text: str) -> list[str]:
    """NFC lines without BOM, carriage returns or trailing spaces."""
    text = nfc(text).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def looks_binary(text: str) -> bool:
    """Control characters that no prose document contains in any quantity."""
    if "\x00" in text:
        return True
    sample = text[:20000]
    return bool(sample) and len(_JUNK.findall(sample)) > max(2, len(sample) // 100)


def extract_urls(text: str) -> list[str]:
    """http(s) URLs in order, without the sentence punctuation glued to their end."""
    urls: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0)
        while url:
            last = url[-1]
            if (
                last in _URL_TRAIL
                or last in _CLOSERS
                and url.count(_CLOSERS[last]) < url.count(last)
            ):
                url = url[:-1]
            else:
                break
        if len(url) > len("https://") and url not in urls:
            urls.append(url)
    return urls


def clean_summary(text: str) -> str:
    return strip_footnotes(clean_text(text))


def clean_title(text: str) -> str:
    return strip_footnotes(clean_text(text))


def truncated(text: str) -> bool:
    return is_truncated(text)


def excerpt(text: str, limit: int = 60) -> str:
    """A short quote of skipped text for the import report."""
    text = clean_text(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
