"""A Hypothesis state machine over everything that changes a data folder.

The running app and a second process (another Shelf on the same folder) tag,
untag, note, set status, rename, import and flush; the app's process is
killed mid-change and restarted; the file is edited by hand and damaged.
After every step the app's in-memory state, the other process's, and a fresh
reload from disk must all equal the model, and no temp file may survive a
start.

SHELF_STATEFUL_EXAMPLES raises the number of runs (tests/stress does).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from storage.atomic import StorageError
from storage.jsonstore import decode
from storage.model import Annotation
from storage.shelf import Shelf, normalize_tag
from tests.robust_helpers import blog_document, corrupt_files, release_frozen, temp_files

USER = "alice"
EXAMPLES = int(os.environ.get("SHELF_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("SHELF_STATEFUL_STEPS", "30"))

_TEMPLATE: Path | None = None


def template() -> Path:
    """The bundled corpus imported once per session."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = Path(tempfile.mkdtemp(prefix="shelf-stateful-")) / "data"
        Shelf(_TEMPLATE, USER)
    return _TEMPLATE


Projection = tuple[str, bool, tuple[str, ...], tuple[str, ...], str | None]
EMPTY: Projection = ("unread", False, (), (), None)


def project(ann: Annotation) -> Projection:
    """What the user said, without the timestamps a model cannot know."""
    return (
        ann.status,
        ann.status_at is not None,
        tuple(ann.tags),
        tuple(n.text for n in ann.notes),
        ann.title,
    )


def project_all(anns: dict[str, Annotation]) -> dict[str, Projection]:
    return {k: project(a) for k, a in anns.items() if not a.is_empty()}


def project_raw(tables: dict) -> dict[str, Projection]:
    anns = {k: Annotation.from_dict(k, d) for k, d in tables.get("annotations", {}).items()}
    return project_all(anns)


class Crash(BaseException):
    """An exception no code path expects, raised from inside a save."""


tags = st.sampled_from(["a", "b", "RLHF", "#rlhf", "long tag", "ü"])
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=20)
statuses = st.sampled_from(["unread", "reading", "read"])
kill_points = st.tuples(
    st.sampled_from(["write", "fsync", "replace", "link", "unlink", "ftruncate"]),
    st.integers(1, 4),
    st.sampled_from(["before", "after"]),
)


class ShelfMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="shelf-machine-"))
        self.root = self.tmp / "data"
        shutil.copytree(template(), self.root)
        self.warnings: list[str] = []
        self.expected_warnings = 0
        self.app = self._open()
        self.other = self._open()
        self.ids = list(self.app.items(with_text=False))[:5]
        self.model: dict[str, Projection] = {}
        self.library = set(self.app.items(with_text=False))
        self.docs = 0

    def _open(self) -> Shelf:
        return Shelf(self.root, USER, import_bundled=False, on_warning=self.warnings.append)

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.app = self.other = None  # type: ignore[assignment]
        release_frozen()

    # -- the model -----------------------------------------------------------------

    def _get(self, item: str) -> list:
        return list(self.model.get(item, EMPTY))

    def _put(self, item: str, value: list) -> None:
        proj: Projection = (value[0], value[1], tuple(value[2]), tuple(value[3]), value[4])
        if proj == EMPTY:
            self.model.pop(item, None)
        else:
            self.model[item] = proj

    def _actor(self, which: bool) -> Shelf:
        return self.app if which else self.other

    # -- changes ------------------------------------------------------------------------

    @rule(which=st.booleans(), i=st.integers(0, 4), tag=tags)
    def tag(self, which, i, tag):
        self._actor(which).add_tags([self.ids[i]], [tag])
        v = self._get(self.ids[i])
        t = normalize_tag(tag)
        if t not in v[2]:
            v[2] = sorted([*v[2], t])
        self._put(self.ids[i], v)

    @rule(which=st.booleans(), i=st.integers(0, 4), tag=tags)
    def untag(self, which, i, tag):
        self._actor(which).remove_tags([self.ids[i]], [tag])
        v = self._get(self.ids[i])
        v[2] = [t for t in v[2] if t != normalize_tag(tag)]
        self._put(self.ids[i], v)

    @rule(which=st.booleans(), i=st.integers(0, 4), text=texts)
    def note(self, which, i, text):
        try:
            self._actor(which).add_note(self.ids[i], text)
        except StorageError:
            assert not text.strip()
            return
        v = self._get(self.ids[i])
        v[3] = [*v[3], text.strip()]
        self._put(self.ids[i], v)

    @rule(which=st.booleans(), i=st.integers(0, 4), status=statuses)
    def status(self, which, i, status):
        self._actor(which).set_status([self.ids[i]], status)
        v = self._get(self.ids[i])
        if v[0] != status:
            v[0], v[1] = status, True
        self._put(self.ids[i], v)

    @rule(which=st.booleans(), i=st.integers(0, 4), title=st.one_of(st.none(), texts))
    def rename(self, which, i, title):
        self._actor(which).rename(self.ids[i], title)
        v = self._get(self.ids[i])
        v[4] = " ".join((title or "").split()) or None
        self._put(self.ids[i], v)

    @rule(which=st.booleans(), again=st.booleans())
    def import_document(self, which, again):
        n = (
            self.docs
            if not again or not self.docs
            else random.Random(self.docs).randrange(self.docs)
        )
        doc = self.tmp / f"doc-{n}.txt"
        doc.write_text(blog_document(n, 2))
        report = self._actor(which).import_paths([doc])
        assert not report.errors
        if not again or n == self.docs:
            self.docs += 1
        self.library |= set(report.added) | set(report.merged) | set(report.unchanged)

    @rule(which=st.booleans())
    def flush(self, which):
        self._actor(which).flush()

    # -- crashes --------------------------------------------------------------------------

    @rule(i=st.integers(0, 3), tag=tags, point=kill_points, fold=st.booleans())
    def crash_and_restart(self, i, tag, point, fold):
        """The app's process dies mid-change (SIGKILL at a chosen call); it restarts."""
        items = [self.ids[i], self.ids[i + 1]]
        mark = f"crash-{normalize_tag(tag)}-{len(self.warnings)}-{random.random():.6f}"
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                shelf = Shelf(self.root, USER, import_bundled=False)
                _kill_at(point)
                shelf.add_tags(items, [mark])
                if fold:
                    shelf.flush()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status)
        self.app = self._open()  # the restart
        assert temp_files(self.root) == [], "a start leaves no temp file"
        present = [mark in self.app.annotation(item).tags for item in items]
        assert present in ([True, True], [False, False]), "one change is all or nothing"
        event(
            f"crash: {'killed' if killed else 'finished'}, change {'kept' if present[0] else 'gone'}"
        )
        if present[0]:
            for item in items:
                v = self._get(item)
                v[2] = sorted([*v[2], normalize_tag(mark)])
                self._put(item, v)

    @rule(i=st.integers(0, 4), tag=tags, point=kill_points)
    def exception_mid_save(self, i, tag, point):
        """Any exception at any point inside a save: the app carries on, consistent."""
        mark = f"exc-{normalize_tag(tag)}-{random.random():.6f}"
        name, nth, _ = point
        real = getattr(os, name)
        calls = {"n": 0}

        def faulty(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == nth:
                raise Crash()
            return real(*args, **kwargs)

        setattr(os, name, faulty)
        try:
            self.app.add_tags([self.ids[i]], [mark])
            with contextlib.suppress(StorageError):
                self.app.flush()
        except (Crash, StorageError):
            pass
        finally:
            setattr(os, name, real)
        kept = mark in self._fresh().annotation(self.ids[i]).tags
        event(f"exception: {'raised' if calls['n'] >= nth else 'not reached'}, kept={kept}")
        if kept:
            v = self._get(self.ids[i])
            v[2] = sorted([*v[2], mark])
            self._put(self.ids[i], v)

    # -- the file from outside ------------------------------------------------------------

    @rule(i=st.integers(0, 4), tag=tags, in_place=st.booleans())
    def hand_edit(self, i, tag, in_place):
        """Someone edits the readable file (the journal folded first, as after any CLI use)."""
        self.other.flush()
        path = self.root / "annotations" / f"{USER}.json"
        if not path.exists():
            return
        data = orjson.loads(path.read_bytes())
        doc = data.setdefault("annotations", {}).setdefault(self.ids[i], {})
        t = normalize_tag(tag)
        doc["tags"] = sorted({*doc.get("tags", []), t})
        raw = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        if in_place:
            with open(path, "r+b") as handle:
                handle.write(raw)
                handle.truncate()
        else:
            tmp = path.with_name("edited.tmp")
            tmp.write_bytes(raw)
            os.replace(tmp, path)
        v = self._get(self.ids[i])
        if t not in v[2]:
            v[2] = sorted([*v[2], t])
        self._put(self.ids[i], v)
        event(f"hand edit {'in place' if in_place else 'by rename'}")

    @precondition(lambda self: (self.root / "annotations" / f"{USER}.json").exists())
    @rule(garbage=st.sampled_from([b"", b"{", b"\0" * 64, b"[]", b'{"annotations": 1}']))
    def damage_the_file(self, garbage):
        """The readable file is damaged: the app says so once and goes on from the backup."""
        self.other.flush()
        path = self.root / "annotations" / f"{USER}.json"
        backups = self.root / ".backups" / "annotations"
        expected: dict[str, Projection] = {}
        for generation in (0, 1, 2, 3):
            candidate = backups / f"{USER}.json.{generation}"
            try:
                expected = project_raw(decode(candidate.read_bytes()))
                break
            except Exception:  # noqa: BLE001 - missing or damaged: the next one
                continue
        with open(path, "r+b") as handle:  # damaged where it lies
            handle.write(garbage)
            handle.truncate()
        kept_before = len(corrupt_files(self.root))
        assert project_all(self.app.all_annotations()) == expected
        self.expected_warnings += 1
        assert len(self.warnings) == self.expected_warnings, self.warnings
        kept = corrupt_files(self.root)
        assert (
            len(kept) == kept_before + 1
            and kept[-1].read_bytes() == garbage
            or any(p.read_bytes() == garbage for p in kept)
        )
        self.model = dict(expected)
        event("damaged file recovered")

    # -- the invariant -----------------------------------------------------------------------

    def _fresh(self) -> Shelf:
        return Shelf(self.root, USER, import_bundled=False)

    @invariant()
    def memory_equals_disk(self):
        fresh = self._fresh()
        on_disk = project_all(fresh.all_annotations())
        assert on_disk == self.model
        assert project_all(self.app.all_annotations()) == self.model
        assert project_all(self.other.all_annotations()) == self.model
        assert set(fresh.items(with_text=False)) == self.library
        assert set(self.app.items(with_text=False)) == self.library
        assert len(self.warnings) == self.expected_warnings, self.warnings


def _kill_at(point: tuple[str, int, str]) -> None:
    name, nth, when = point
    real = getattr(os, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if calls["n"] == nth and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(os, name, wrapper)


ShelfMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_shelf_state_machine = pytest.mark.filterwarnings("ignore")(ShelfMachine.TestCase)
