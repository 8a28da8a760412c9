"""What every test module shares: a deterministic Hypothesis, and data folders.

Hypothesis is derandomized in the default run: a property test that found a
new example on a newcomer's machine made the README's test command red for
reasons unrelated to their change. Each test then sees the same examples on
every machine; the random exploration lives in the ``fuzz`` profile, which
the long runs under ``tests/stress/`` use (``HYPOTHESIS_PROFILE=fuzz``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from storage.paths import DataDir
from storage.shelf import Shelf

settings.register_profile(
    "default-run",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", derandomize=False, deadline=None, max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default-run"))

USER = "alice"


@pytest.fixture
def data_dirs(tmp_path: Path) -> DataDir:
    """An empty, created data folder."""
    dirs = DataDir(tmp_path / "data")
    dirs.create()
    return dirs


@pytest.fixture(scope="session")
def bundled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the bundled corpus imported once per run; copy it, never change it."""
    root = tmp_path_factory.mktemp("bundled") / "data"
    Shelf(root, USER)
    return root


@pytest.fixture
def bundled_data(bundled_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the bundled data folder, for a test that changes it."""
    target = tmp_path / "data"
    shutil.copytree(bundled_template, target)
    yield target


@pytest.fixture(autouse=True)
def _private_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """No test reads or writes the config file of the person running the tests."""
    monkeypatch.setenv("SHELF_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts every decode of the whole library and of single items (reset it to start)."""
    import storage.library as library_module
    from storage.library import Library

    calls = {"load_meta": 0, "decode_item": 0}
    real_load, real_decode = Library._load_meta, library_module.decode_item

    def load_meta(self: Library) -> None:
        calls["load_meta"] += 1
        return real_load(self)

    def decode_item(item_id: str, doc: dict) -> object:
        calls["decode_item"] += 1
        return real_decode(item_id, doc)

    monkeypatch.setattr(Library, "_load_meta", load_meta)
    monkeypatch.setattr(library_module, "decode_item", decode_item)
    return calls


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests go straight to the local server, whatever proxy the machine has set."""
    from tests.http_fixtures.server import PROXY_VARIABLES

    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
