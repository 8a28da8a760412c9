"""The command line builds only the parser of the command it runs: that
must read every command line exactly as the whole parser does."""

from __future__ import annotations

import argparse

import pytest

from tui.cli import COMMANDS, _only, build_parser, main

LINES = [
    ["list"],
    ["list", "--json", "--sort", "date", "diffusion", "models"],
    ["--data-dir", "D", "--user", "bob", "list", "tag:rlhf"],
    ["--data-dir=D", "--user=bob", "--debug", "show", "abc"],
    ["import", "--bundled", "--dry-run", "--json"],
    ["import", "a.html", "--format", "bibtex"],
    ["remove", "a", "b"],
    ["add", "arxiv:1706.03762", "--json"],
    ["seen", "--all"],
    ["related", "abc", "-n", "3", "--json"],
    ["read", "a", "b"],
    ["unread", "a"],
    ["status", "reading", "a", "b"],
    ["tag", "a", "x", "y"],
    ["untag", "a", "x"],
    ["note", "a", "some", "text"],
    ["note", "a", "--edit", "1", "new", "text"],
    ["note", "a", "--delete", "2"],
    ["notes", "a", "--json"],
    ["undo", "3"],
    ["undo", "--list", "--json"],
    ["redo"],
    ["rename", "a", "My", "title"],
    ["set", "a", "authors", "A; B"],
    ["edit", "a"],
    ["export", "-f", "bib", "-o", "out.bib", "--force", "--group-by", "tag", "q"],
    ["cite", "a", "--style", "bibtex"],
    ["feed", "add", "http://x/feed", "--name", "x"],
    ["feed", "list", "--json"],
    ["feed", "remove", "x"],
    ["refresh", "--force", "x"],
    ["annotations", "export", "bob", "-o", "f.json"],
    ["annotations", "import", "f.json", "--as", "bob", "--json"],
    ["saved", "add", "n", "q", "r"],
    ["saved", "list", "--json"],
    ["config", "set", "theme", "textual-light"],
    ["config", "path"],
]


def test_every_command_is_named() -> None:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(commands.choices) == sorted(COMMANDS)


@pytest.mark.parametrize("words", LINES, ids=" ".join)
def test_the_one_command_parser_reads_as_the_whole_one(words: list[str]) -> None:
    only = _only(words)
    assert only is not None and only in words
    assert vars(build_parser(only).parse_args(words)) == vars(build_parser().parse_args(words))


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--help", "list"],
        ["-h", "list"],
        ["--version"],
        ["--us", "bob", "list"],  # argparse reads --us as --user: so must we
        ["--data", "list", "show", "a"],  # a folder named list
        ["lsit"],
        ["--debug"],
    ],
    ids=repr,
)
def test_anything_else_gets_the_whole_parser(words: list[str]) -> None:
    assert _only(words) is None


@pytest.mark.parametrize("words", [["list", "--bogus"], ["list", "--sort", "bogus"], ["show"]])
def test_a_bad_command_line_gets_the_whole_parsers_message(words: list[str], capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(words)
    expected = capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(words)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == expected


def test_help_lists_every_command(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)
