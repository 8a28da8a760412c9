"""The import progress bar: a rate and an ETA on a terminal, nothing at all when piped."""

from __future__ import annotations

import io
import sys

import pytest

from tui.progress import ProgressBar

pytest.importorskip("seeds.merge")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_count_rate_and_eta():
    bar = ProgressBar("importing", stream=io.StringIO())
    bar.phase("parsing", "entries")
    bar.started -= 2.0  # two seconds in
    line = bar.line(5_000, 20_000, now=bar.started + 2.0)
    assert "importing parsing" in line
    assert "5,000/20,000 entries" in line
    assert "2,500/s" in line
    assert "ETA  6.0s" in line
    assert bar.line(20_000, 20_000, now=bar.started + 8.0).endswith("done")


def test_each_phase_restarts_rate_and_eta():
    bar = ProgressBar("importing", stream=io.StringIO())
    bar.phase("parsing")
    first = bar.started
    bar.phase("saving", "items")
    assert bar.started >= first and bar.unit == "items" and bar.phase_label == "saving"


def test_redraws_are_throttled_but_the_end_is_always_drawn():
    stream = io.StringIO()
    bar = ProgressBar("importing", stream=stream)
    for done in range(1, 1001):
        bar(done, 1000)
    assert 1 <= stream.getvalue().count("\r") <= 3
    assert "1,000/1,000" in stream.getvalue()
    bar.finish()
    assert stream.getvalue().endswith("\r\033[K")


def test_no_eta_guess_in_the_first_moments():
    bar = ProgressBar("importing", stream=io.StringIO())
    assert "ETA  ?" in bar.line(1, 100, now=bar.started + 0.01)


def _import(tmp_path, monkeypatch, stderr):
    from seeds.bundled import bundled_documents
    from tui.cli import main

    folder = tmp_path / "docs"
    folder.mkdir()
    paths = []
    for name, text in bundled_documents():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    monkeypatch.setattr(sys, "stderr", stderr)
    data = tmp_path / "data"
    return main(["--data-dir", str(data), "--user", "u", "import", *paths])


def test_piped_import_prints_no_bar(tmp_path, monkeypatch, capsys):
    stderr = io.StringIO()
    assert _import(tmp_path, monkeypatch, stderr) == 0
    assert "\r" not in stderr.getvalue() and "ETA" not in stderr.getvalue()
    assert "\r" not in capsys.readouterr().out


def test_import_on_a_terminal_draws_and_clears_the_bar(tmp_path, monkeypatch, capsys):
    stderr = Terminal()
    assert _import(tmp_path, monkeypatch, stderr) == 0
    drawn = stderr.getvalue()
    assert "importing" in drawn and "/s" in drawn
    assert drawn.endswith("\r\033[K")  # the report then starts on a clean line
