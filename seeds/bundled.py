"""The seed documents shipped inside the package.

Read through ``importlib.resources`` rather than paths next to this file, so a
wheel or zip install finds them too.
"""

from __future__ import annotations


def bundled_documents() -> list[tuple[str, str]]:
    """(file name, text) of every shipped ``seeds/*.txt``, sorted by name."""
    from importlib import resources  # (with zipfile and tempfile: only a first run reads them)

    root = resources.files("seeds")
    documents = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in root.iterdir()
        if entry.is_file() and entry.name.endswith(".txt")
    ]
    return sorted(documents)


#: What each shipped document is, for people: the sidebar, the detail pane and
#: ``src:`` show these instead of file names made of hashes. The pages carry no
#: name of their own (the scrape kept only their entries), so they are named here,
#: with the corpus they describe.
BUNDLED_NAMES = {
    "000_952a18cb5a777fa5.txt": "OpenAI blog",
    "001_66637d14103855ee.txt": "OpenAI research",
    "002_78351b184c53c6a6.txt": "arXiv abstracts",
    "003_841ddd0b77768394.txt": "Paper listing",
    "004_c7da1ec205d5967c.txt": "Lil'Log",
}
