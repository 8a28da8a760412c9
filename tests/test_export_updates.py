"""Exports carry what the list shows: the derived-title mark and the source's update notes."""

from __future__ import annotations

import json

import pytest

from storage.export import export_views

VIEW = {
    "id": "c3",
    "title": "Reward hacking occurs when an agent exploits flaws in the reward",
    "title_derived": True,
    "authors": [],
    "date": None,
    "date_text": None,
    "summary": "Reward hacking occurs when an agent exploits flaws.",
    "urls": ["https://lilianweng.github.io/posts/2024-11-28-reward-hacking/"],
    "updates": [{"date": "2024-12-02", "text": "Added a section on\\nRLHF."}],
    "sources": ["lillog.txt"],
    "kinds": ["blog_excerpts"],
    "status": "unread",
    "tags": [],
    "notes": [],
}


@pytest.mark.parametrize("fmt", ["md", "html", "csl-json", "bib"])
def test_update_notes_and_the_derived_mark_are_exported(fmt: str) -> None:
    out = export_views([VIEW], fmt, exported_at="2026-12-01T00:00:00Z").decode()
    assert "2024-12-02" in out and "Added a section on" in out
    if fmt != "bib":
        assert "title derived from the text" in out


def test_csl_json_puts_them_in_the_note() -> None:
    data = json.loads(export_views([VIEW], "csl-json", exported_at="2026-12-01T00:00:00Z"))
    note = data[0]["note"]
    assert "updated 2024-12-02: Added a section on\\nRLHF." in note
    assert "Title: title derived from the text" in note
