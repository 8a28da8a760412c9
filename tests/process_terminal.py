"""``shelf`` as a real process on a pseudo-terminal, for tests of how it ends.

The app is started on a pty (as a terminal emulator would), its output is
drained by a thread so it never blocks on a full buffer, and the test can
type, send signals, or hang the terminal up by closing the master side.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path


class ProcessTerminal:
    def __init__(self, data_dir: Path, user: str = "alice", size: tuple[int, int] = (120, 40)):
        env = dict(os.environ, TERM="xterm-256color", SHELF_USER=user)
        env.pop("NO_COLOR", None)
        argv = [sys.executable, "-m", "tui.cli", "--data-dir", str(data_dir), "--user", user]
        pid, fd = pty.fork()
        if pid == 0:  # the child: a new session whose controlling terminal is the pty
            try:
                os.execve(sys.executable, argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        cols, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self._output = bytearray()
        self._lock = threading.Lock()
        self._closed = False
        self.status: int | None = None
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._closed:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if ready:
                    chunk = os.read(self.fd, 65536)
                    if not chunk:
                        return
                    with self._lock:
                        self._output += chunk
            except OSError:  # the child closed its side, or we hung up
                return

    @property
    def output(self) -> str:
        with self._lock:
            return self._output.decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.exited():
                raise AssertionError(f"{text!r} never appeared; output ends {self.output[-400:]!r}")
            time.sleep(0.02)

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def hang_up(self) -> None:
        """Close the terminal, as closing its window does: the kernel sends SIGHUP."""
        self._closed = True
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def exited(self) -> bool:
        if self.status is not None:
            return True
        with contextlib.suppress(ChildProcessError):
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:
                return False
            self.status = status
        return True

    def wait_exit(self, timeout: float) -> float | None:
        """Seconds until the process ended, or None if it was still running at ``timeout``."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.exited():
                return time.monotonic() - started
            time.sleep(0.01)
        return None

    def kill(self) -> None:
        if not self.exited():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        self.hang_up()
