"""The import progress bar: a rate and an ETA on a terminal, nothing at all when piped."""

from __future__ import annotations

import io
import sys
import time

from tui.progress import ProgressBar


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


def test_a_silent_step_still_shows_time_passing():
    stream = io.StringIO()
    with ProgressBar("importing", stream=stream) as bar:
        bar.phase("merging", "entries")
        bar(0, 1000)
        time.sleep(0.7)
        ticks = stream.getvalue().count("\r")
        assert ticks >= 2  # redrawn by the ticker although nothing was reported
        assert "merging" in stream.getvalue().split("\r")[-1]
        bar.idle()
        time.sleep(0.4)
        assert stream.getvalue().count("\r") == ticks
    assert stream.getvalue().endswith("\r\033[K")
    assert bar._ticker is None


def test_parser_and_merger_progress_is_used_when_they_offer_it(tmp_path, monkeypatch):
    import seeds.merge
    import seeds.parse
    from seeds.bundled import bundled_documents
    from storage.library import Library
    from storage.paths import DataDir

    real_parse, real_merge = seeds.parse.parse_document, seeds.merge.merge_entries
    inside: list[str] = []

    def parse_document(text, source, progress=None):
        progress(len(text) // 2, len(text))
        inside.append("parse")
        return real_parse(text, source)

    def merge_entries(entries, existing=(), progress=None):
        progress(len(entries) // 2, len(entries))
        inside.append("merge")
        return real_merge(entries, existing)

    monkeypatch.setattr(seeds.parse, "parse_document", parse_document)
    monkeypatch.setattr(seeds.merge, "merge_entries", merge_entries)
    seen: list[tuple[int, int]] = []
    data = DataDir(tmp_path / "data")
    data.create()
    report = Library(data).import_documents(bundled_documents(), lambda d, t: seen.append((d, t)))
    assert report.added
    assert inside.count("merge") == 1 and inside.count("parse") == len(bundled_documents())
    assert all(0 <= d <= t for d, t in seen)
