"""Shared machinery for the robustness tests: file inventories, fault injection,
and the kill harness that SIGKILLs a writer at random moments.

The harness lives here rather than in a test module so that the short default
run and the long runs under ``tests/stress/`` exercise exactly the same code.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import random
import select
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from storage.atomic import TEMP_PREFIX, TEMP_SUFFIX
from storage.jsonstore import CorruptData, decode

FIGURES_ENV = "SHELF_FIGURES"


def release_frozen() -> None:
    """Let the collector free shelves this process opened and dropped.

    storage/library.py freezes every live object on each library load
    (gc.freeze), so a Shelf that was open then is never collected after it is
    dropped; runs that open thousands of shelves would grow by gigabytes.
    """
    import gc

    gc.unfreeze()
    gc.collect()


def record_figures(name: str, **figures: Any) -> None:
    """Print a test's figures (seen with ``-s``) and append them to $SHELF_FIGURES."""
    line = f"FIGURES {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    print(line)
    target = os.environ.get(FIGURES_ENV)
    if target:
        with open(target, "ab") as handle:
            handle.write(orjson.dumps({"test": name, **figures}, default=str) + b"\n")


# -- documents ---------------------------------------------------------------


def blog_document(n: int, entries: int, extra: str = "") -> str:
    """A blog listing the parser accepts, with titles unique to ``n``."""
    lines = []
    for i in range(entries):
        lines.append(f"Robust storage document {n} entry {i} number {n * 100000 + i}{extra}")
        lines.append(
            f"Summary of entry {i} of document {n}: nothing a user saved may be lost "
            "when the writing process is killed at a random moment.…"
        )
        lines.append("Read More")
    return "\n".join(lines) + "\n"


# -- inventories -------------------------------------------------------------


def temp_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob(f"{TEMP_PREFIX}*") if p.name.endswith(TEMP_SUFFIX) and p.is_file()
    )


def corrupt_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.corrupt-*"))


def snapshot_files(root: Path) -> list[Path]:
    """The TinyDB files shelf reads at start (not backups, locks or journals)."""
    found = [root / "library.json", root / "texts.json"]
    found += sorted((root / "annotations").glob("*.json"))
    return [p for p in found if p.exists()]


def journal_files(root: Path) -> list[Path]:
    folder = root / ".journal"
    return sorted(p for p in folder.glob("*.log")) if folder.is_dir() else []


def backup_generations(root: Path) -> int:
    """The most numbered backups (1, 2, …) any one file has; a stale 0 is not counted."""
    counts: Counter[str] = Counter()
    for p in (root / ".backups").rglob("*.[0-9]"):
        name, _, generation = p.name.rpartition(".")
        if generation != "0":
            counts[str(p.parent / name)] += 1
    return max(counts.values(), default=0)


def hash_tree(root: Path) -> dict[str, str]:
    """sha256 of every regular file under ``root`` (lock files excluded: empty, touched)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.name.endswith(".lock"):
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def unreadable_files(root: Path, seen: dict[Path, tuple[int, ...]] | None = None) -> list[str]:
    """Snapshot files that do not decode, and journals with a damaged complete line.

    A torn last journal line (no newline) is a crash before the change was
    acknowledged; it is by design and not counted here. ``seen`` remembers
    the identity of files found good, so unchanged ones are not decoded again.
    """
    seen = {} if seen is None else seen
    bad = []
    for path in snapshot_files(root) + journal_files(root):
        st = path.stat()
        identity = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if seen.get(path) == identity:
            continue
        raw = path.read_bytes()
        problem = _journal_problem(raw) if path.suffix == ".log" else _snapshot_problem(raw)
        if problem:
            bad.append(f"{path.name}: {problem}")
        else:
            seen[path] = identity
    return bad


def _snapshot_problem(raw: bytes) -> str | None:
    try:
        decode(raw)
    except CorruptData as exc:
        return str(exc)
    return None


def _journal_problem(raw: bytes) -> str | None:
    for number, line in enumerate(raw[: raw.rfind(b"\n") + 1].splitlines(), 1):
        try:
            entry = orjson.loads(line)
            assert isinstance(entry["t"], str) and isinstance(entry["c"], dict)
        except Exception:  # noqa: BLE001 - any failure is a damaged line
            return f"line {number} is damaged"
    return None


def torn_journal_tails(root: Path) -> int:
    return sum(
        1 for p in journal_files(root) if (raw := p.read_bytes()) and not raw.endswith(b"\n")
    )


# -- fault injection ---------------------------------------------------------


class FaultPlan:
    """Make chosen ``os`` calls fail, optionally only for matching paths or after N calls.

    Installed with pytest's monkeypatch so every test restores the real calls.
    """

    def __init__(self, monkeypatch: Any) -> None:
        self.monkeypatch = monkeypatch
        self.fired: Counter[str] = Counter()

    def fail(
        self,
        name: str,
        err: int | BaseException,
        *,
        when: Callable[..., bool] = lambda *a, **k: True,
        after: int = 0,
        times: int | None = None,
    ) -> None:
        real = getattr(os, name)
        state = {"calls": 0, "failed": 0}

        def faulty(*args: Any, **kwargs: Any) -> Any:
            if when(*args, **kwargs):
                state["calls"] += 1
                if state["calls"] > after and (times is None or state["failed"] < times):
                    state["failed"] += 1
                    self.fired[name] += 1
                    if isinstance(err, BaseException):
                        raise err
                    raise OSError(err, os.strerror(err))
            return real(*args, **kwargs)

        self.monkeypatch.setattr(os, name, faulty)


def path_endswith(*suffixes: str) -> Callable[..., bool]:
    """A ``when`` for FaultPlan: the first path argument ends with one of ``suffixes``."""

    def match(*args: Any, **kwargs: Any) -> bool:
        for arg in args[:2]:
            if isinstance(arg, str | os.PathLike) and str(arg).endswith(suffixes):
                return True
        return False

    return match


def is_temp(*args: Any, **kwargs: Any) -> bool:
    return bool(args) and isinstance(args[0], str | os.PathLike) and TEMP_PREFIX in str(args[0])


def writes_new_file(path: Any, flags: int, *args: Any, **kwargs: Any) -> bool:
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


# -- the kill harness --------------------------------------------------------

#: The calls whose progress the child reports, so kills can be attributed.
PHASES = ("python", "open", "write", "fsync", "replace", "link", "unlink", "ftruncate", "read")
_PHASE_CODE = {name: i for i, name in enumerate(PHASES)}


def _track_phases(buf: mmap.mmap, inject: tuple[str, int, str] | None) -> None:
    """In the child: wrap os calls to publish the current phase; maybe self-kill at one."""
    counts: Counter[str] = Counter()
    for name in PHASES[1:]:
        real = getattr(os, name)
        code = _PHASE_CODE[name]

        def wrapper(*args: Any, _real: Any = real, _code: int = code, _name: str = name) -> Any:
            counts[_name] += 1
            if (
                inject
                and inject[0] == _name
                and inject[1] == counts[_name]
                and inject[2] == "before"
            ):
                os.kill(os.getpid(), signal.SIGKILL)
            buf[0] = _code
            try:
                result = _real(*args)
            finally:
                buf[0] = 0
            if (
                inject
                and inject[0] == _name
                and inject[1] == counts[_name]
                and inject[2] == "after"
            ):
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        setattr(os, name, wrapper)


@dataclass
class Ack:
    kind: str  # "S" small file tag, "L" large file tag, "I" library import
    seq: int
    item: str
    extra: list[str] = field(default_factory=list)


@dataclass
class KillStats:
    kills: int = 0
    signals: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    temp_after_kill: int = 0  # evidence that kills landed mid-save
    torn_tails: int = 0  # evidence that kills landed mid-append
    temp_after_start: int = 0
    max_backup_generations: int = 0  # generations 1.. kept for any one file
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        return {
            "kills": self.kills,
            "signals": dict(self.signals),
            "phase_at_kill": dict(self.phases),
            "injected_kills": sum(self.injected.values()),
            "acknowledged": dict(self.acknowledged),
            "lost_acknowledged": len(self.lost),
            "unreadable_files": len(self.unreadable),
            "temp_files_after_kill": self.temp_after_kill,
            "torn_journal_tails": self.torn_tails,
            "temp_files_after_start": self.temp_after_start,
            "max_backup_generations": self.max_backup_generations,
            "start_warnings": len(self.warnings),
            "seconds": round(self.seconds, 1),
        }


class KillHarness:
    """Run a writer child, SIGKILL it at a random moment, restart, check, repeat.

    The child applies changes through the real ``Shelf`` and writes a line to
    a pipe only after each call returned: that line is the acknowledgement.
    After every kill the parent checks every file decodes as it is on disk
    (before any recovery could hide damage), opens the data folder as the app
    does at start, and checks that every acknowledged change is there and no
    temp file survived the start.
    """

    SMALL, LARGE = "small", "large"

    def __init__(
        self,
        root: Path,
        seed: int,
        *,
        large_entries: int = 10_000,
        library_docs: int = 0,
        weights: dict[str, float] | None = None,
        max_delay: float = 0.15,
        inject_share: float = 0.3,
        scratch: Path | None = None,
    ) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.large_entries = large_entries
        self.library_docs = library_docs
        self.weights = weights or {"S": 4, "L": 4, "FS": 1, "FL": 1, "I": 0}
        self.max_delay = max_delay
        self.inject_share = inject_share
        self.scratch = scratch or root.parent / "docs"
        self.stats = KillStats()
        self.acks: list[Ack] = []
        self._checked: dict[Path, tuple[int, ...]] = {}
        self.life = 0
        self.item_ids: list[str] = []

    # -- set-up --------------------------------------------------------------

    def prepare(self) -> None:
        from storage.shelf import Shelf

        self.scratch.mkdir(parents=True, exist_ok=True)
        shelf = Shelf(self.root, self.SMALL)
        for n in range(self.library_docs):
            shelf.library.import_documents([(f"base-{n}.txt", blog_document(10_000 + n, 1000))])
        self.item_ids = list(shelf.items(with_text=False))
        large = Shelf(self.root, self.LARGE, import_bundled=False)
        # The large user's file: one entry for each of large_entries items
        # (ids need not be in the library for the store; the facade checks).
        ids = [f"bulk{i:06d}" for i in range(self.large_entries)]
        from storage.model import Annotation

        large.annotations.replace_all(
            {
                i: Annotation(
                    item_id=i, tags=["bulk"], status="reading", status_at="2026-01-01T00:00:00Z"
                )
                for i in ids
            },
            {i: f"Bulk item {i} with a title long enough to look real" for i in ids},
        )
        shelf.add_tags(self.item_ids[:3], ["seed"])
        shelf.flush()

    # -- one life ------------------------------------------------------------

    def _child(self, ack_fd: int, buf: mmap.mmap, inject: tuple[str, int, str] | None) -> None:
        from storage.shelf import Shelf

        rng = random.Random(self.rng.random())
        kinds = list(self.weights)
        weights = [self.weights[k] for k in kinds]
        # Opening happens before tracking so that kills are spent on writes.
        small = Shelf(self.root, self.SMALL, import_bundled=False)
        large = Shelf(self.root, self.LARGE, import_bundled=False)
        item_ids = self.item_ids
        large_items = [f"bulk{i:06d}" for i in range(self.large_entries)]
        small.annotations.storage.read()
        large.annotations.storage.read()
        small.items(with_text=False)
        os.write(ack_fd, b"R 0\n")  # ready: the kill clock starts now
        _track_phases(buf, inject)
        seq = self.life * 1_000_000
        while True:
            seq += 1
            kind = rng.choices(kinds, weights)[0]
            if kind == "S":
                item = item_ids[seq % len(item_ids)]
                small.add_tags([item], [f"k{seq}"])
                line = f"S {seq} {item}"
            elif kind == "L":
                item = large_items[rng.randrange(len(large_items))]
                large.annotations.change([item], lambda a, s=seq: (a.tags.append(f"k{s}"), True)[1])
                line = f"L {seq} {item}"
            elif kind == "FS":
                small.flush()
                continue
            elif kind == "FL":
                large.flush()
                continue
            else:
                doc = self.scratch / f"doc-{seq}.txt"
                doc.write_text(blog_document(seq, 3))
                report = small.import_paths([doc])
                if report.errors:
                    line = f"E {seq} {report.errors[0].error}"
                else:
                    ids = report.added + report.merged + report.unchanged
                    line = f"I {seq} {doc.name} " + " ".join(ids)
            os.write(ack_fd, (line + "\n").encode())

    def one_life(self) -> None:
        self.life += 1
        buf = mmap.mmap(-1, 16)
        inject = None
        if self.rng.random() < self.inject_share:
            inject = (
                self.rng.choice(["fsync", "replace", "link", "write", "unlink", "ftruncate"]),
                self.rng.randint(1, 6),
                self.rng.choice(["before", "after"]),
            )
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            code = 0
            try:
                os.close(read_end)
                self._child(write_end, buf, inject)
            except BaseException as exc:  # noqa: BLE001 - report, then die quietly
                with contextlib.suppress(Exception):
                    os.write(write_end, f"X 0 {type(exc).__name__}: {exc}\n".encode())
                code = 3
            finally:
                os._exit(code)
        os.close(write_end)
        data = bytearray()
        died_by_itself = not self._wait_ready(read_end, data)
        delay = self.rng.uniform(0.0, self.max_delay)
        deadline = time.monotonic() + delay
        while not died_by_itself and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([read_end], [], [], left)
            if ready:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    died_by_itself = True
                    break
                data += chunk
        sig = self.rng.choices([signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], [8, 1, 1])[0]
        phase = PHASES[buf[0]] if buf[0] < len(PHASES) else "?"
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        _, status = os.waitpid(pid, 0)  # reaped: its pid is dead for temp cleanup
        while chunk := os.read(read_end, 65536):
            data += chunk
        os.close(read_end)
        buf.close()
        if died_by_itself and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            self.stats.injected[f"{inject[0]}-{inject[2]}" if inject else "?"] += 1
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
            raise AssertionError(f"child failed: {bytes(data).decode(errors='replace')[-500:]}")
        else:
            self.stats.signals[signal.Signals(sig).name] += 1
            self.stats.phases[phase] += 1
        self.stats.kills += 1
        new_acks = self._parse_acks(bytes(data))
        self._check_after_kill(new_acks)

    @staticmethod
    def _wait_ready(read_end: int, data: bytearray, timeout: float = 60.0) -> bool:
        """Read until the child's ready line; False if it died first."""
        deadline = time.monotonic() + timeout
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the child did not get ready")
            ready, _, _ = select.select([read_end], [], [], left)
            if ready:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    return False
                data += chunk
        line, _, rest = bytes(data).partition(b"\n")
        if not line.startswith(b"R "):
            raise AssertionError(f"unexpected first line from the child: {line[:200]!r}")
        data[:] = rest
        return True

    def _parse_acks(self, data: bytes) -> list[Ack]:
        acks = []
        for line in data[: data.rfind(b"\n") + 1].decode().splitlines():
            kind, seq, *rest = line.split(" ")
            if kind in ("X", "E"):
                raise AssertionError(f"child reported an error: {line}")
            acks.append(Ack(kind, int(seq), rest[0] if rest else "", rest[1:]))
            self.stats.acknowledged[kind] += 1
        self.acks.extend(acks)
        return acks

    # -- checks --------------------------------------------------------------

    def _check_after_kill(self, new_acks: list[Ack]) -> None:
        self.stats.temp_after_kill += len(temp_files(self.root))
        self.stats.torn_tails += torn_journal_tails(self.root)
        bad = unreadable_files(self.root, self._checked)
        if bad:
            self.stats.unreadable.extend(f"life {self.life}: {b}" for b in bad)
            evidence = self.root.parent / f"evidence-{self.life}"
            shutil.copytree(self.root, evidence, symlinks=True)
        state = self.restart()
        self.stats.lost.extend(self.missing(new_acks, state))
        self.stats.max_backup_generations = max(
            self.stats.max_backup_generations, backup_generations(self.root)
        )
        del state
        release_frozen()

    def restart(self) -> dict[str, Any]:
        """Open the folder as the app does at start; return the raw state to check against."""
        from storage.shelf import Shelf

        warnings: list[str] = []
        small = Shelf(self.root, self.SMALL, import_bundled=False, on_warning=warnings.append)
        large = Shelf(self.root, self.LARGE, import_bundled=False, on_warning=warnings.append)
        state = {
            "S": small.annotations.storage.read() or {},
            "L": large.annotations.storage.read() or {},
            "items": small.library.items(with_text=False),
            "documents": small.library.documents(),
        }
        self.stats.warnings.extend(warnings)
        self.stats.temp_after_start += len(temp_files(self.root))
        return state

    @staticmethod
    def missing(acks: list[Ack], state: dict[str, Any]) -> list[str]:
        lost = []
        for ack in acks:
            if ack.kind in ("S", "L"):
                doc = state[ack.kind].get("annotations", {}).get(ack.item, {})
                if f"k{ack.seq}" not in doc.get("tags", []):
                    lost.append(f"{ack.kind} k{ack.seq} on {ack.item}")
            elif ack.kind == "I":
                if ack.item not in state["documents"]:
                    lost.append(f"import record {ack.item}")
                lost.extend(f"item {i} of {ack.item}" for i in ack.extra if i not in state["items"])
        return lost

    def run(self, kills: int, budget_seconds: float | None = None, min_kills: int = 0) -> KillStats:
        """``kills`` lives, or fewer (never under ``min_kills``) once the budget is spent."""
        started = time.monotonic()
        self.prepare()
        for n in range(kills):
            over = budget_seconds is not None and time.monotonic() - started > budget_seconds
            if over and n >= min_kills:
                break
            self.one_life()
        # The final, complete check: every change ever acknowledged.
        self.stats.lost = sorted(
            set(self.stats.lost) | set(self.missing(self.acks, self.restart()))
        )
        self.stats.seconds = time.monotonic() - started
        return self.stats


@contextlib.contextmanager
def real_mount(size: str = "2m", options: str = "") -> Iterator[Path]:
    """A small tmpfs of our own (root only) for a real full disk or read-only folder."""
    import subprocess
    import tempfile

    if os.geteuid() != 0 or shutil.which("mount") is None:
        import pytest

        pytest.skip("needs root to mount a tmpfs")
    point = Path(tempfile.mkdtemp(prefix="shelf-mnt-"))
    opts = f"size={size}" + (f",{options}" if options else "")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], capture_output=True
    )
    if done.returncode != 0:
        point.rmdir()
        import pytest

        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
        with contextlib.suppress(OSError):
            point.rmdir()


def remount(point: Path, options: str) -> None:
    import subprocess

    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


def fill_disk(folder: Path, leave: int = 0) -> Path:
    """Fill the file system holding ``folder`` until at most ``leave`` bytes remain."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                if os.write(fd, block) == 0:
                    break
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
        # Fill the last partial block too, byte by byte in small steps.
        for size in (4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    if leave:
        size = filler.stat().st_size
        os.truncate(filler, max(0, size - leave))
    return filler


# -- the real CLI under kills --------------------------------------------------


def shelf_command() -> list[str]:
    """The installed ``shelf`` script beside this Python, else ``python -m tui.cli``."""
    import sys

    script = Path(sys.executable).with_name("shelf")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui.cli"]


class CliKillHarness:
    """Several real ``shelf tag``/``shelf note`` processes at once, killed at random.

    Acknowledged = the command printed its result line, which it does only
    after the change returned (the flush that follows may still be killed).
    """

    USER = "alice"

    def __init__(self, root: Path, seed: int, *, parallel: int = 3, max_delay: float = 0.35):
        self.root = root
        self.rng = random.Random(seed)
        self.parallel = parallel
        self.max_delay = max_delay
        self.stats = KillStats()
        self.acks: list[Ack] = []
        self.notes: Counter[str] = Counter()  # acknowledged notes per item
        self.seq = 0
        self.item_ids: list[str] = []
        self._checked: dict[Path, tuple[int, ...]] = {}

    def prepare(self) -> None:
        from storage.shelf import Shelf

        shelf = Shelf(self.root, self.USER)
        self.item_ids = list(shelf.items(with_text=False))

    def _launch(self) -> tuple[Any, Ack]:
        import subprocess

        self.seq += 1
        item = self.item_ids[self.rng.randrange(len(self.item_ids))]
        base = [*shelf_command(), "--data-dir", str(self.root), "--user", self.USER]
        if self.rng.random() < 0.8:
            args, ack = ["tag", item, f"k{self.seq}"], Ack("S", self.seq, item)
        else:
            args, ack = ["note", item, f"note {self.seq}"], Ack("N", self.seq, item)
        proc = subprocess.Popen(
            base + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        return proc, ack

    def batch(self) -> None:
        launched = [self._launch() for _ in range(self.parallel)]
        started = time.monotonic()
        deadlines = [started + self.rng.uniform(0.02, self.max_delay) for _ in launched]
        for (proc, ack), deadline in zip(launched, deadlines, strict=True):
            left = deadline - time.monotonic()
            with contextlib.suppress(Exception):
                proc.wait(timeout=max(left, 0.0))
            sig = self.rng.choices([signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], [8, 1, 1])[0]
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, sig)
                self.stats.kills += 1
                self.stats.signals[signal.Signals(sig).name] += 1
            out, err = proc.communicate()
            if proc.returncode == 0 or out.strip():
                line = out.decode(errors="replace")
                if "\n" in line:  # the result line was complete: acknowledged
                    self.acks.append(ack)
                    self.stats.acknowledged[ack.kind] += 1
                    if ack.kind == "N":
                        self.notes[ack.item] += 1
            elif proc.returncode not in (-signal.SIGKILL, -signal.SIGTERM, -signal.SIGHUP):
                raise AssertionError(f"shelf failed ({proc.returncode}): {err.decode()[-500:]}")
        self.stats.temp_after_kill += len(temp_files(self.root))
        self.stats.torn_tails += torn_journal_tails(self.root)
        bad = unreadable_files(self.root, self._checked)
        self.stats.unreadable.extend(bad)

    def check(self) -> None:
        from storage.shelf import Shelf

        warnings: list[str] = []
        shelf = Shelf(self.root, self.USER, import_bundled=False, on_warning=warnings.append)
        self.stats.warnings.extend(warnings)
        self.stats.temp_after_start += len(temp_files(self.root))
        anns = shelf.all_annotations()
        lost = []
        for ack in self.acks:
            ann = anns.get(ack.item)
            if ack.kind == "S" and (ann is None or f"k{ack.seq}" not in ann.tags):
                lost.append(f"tag k{ack.seq} on {ack.item}")
            if ack.kind == "N" and (
                ann is None or f"note {ack.seq}" not in {n.text for n in ann.notes}
            ):
                lost.append(f"note {ack.seq} on {ack.item}")
        self.stats.lost = lost

    def run(self, batches: int, check_every: int = 10) -> KillStats:
        started = time.monotonic()
        self.prepare()
        for n in range(1, batches + 1):
            self.batch()
            if n % check_every == 0:
                self.check()
                release_frozen()
        self.check()
        self.stats.seconds = time.monotonic() - started
        return self.stats
