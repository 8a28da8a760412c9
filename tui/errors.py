"""Keeping the app alive when one of its handlers fails.

Textual stops the whole app on an exception in a handler. For a reading list
that is the wrong trade: every change is already on disk, so the right thing
is to say what went wrong in one line and let the user carry on.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from core.errors import describe, is_expected
from core.text import visible

F = TypeVar("F", bound=Callable[..., Any])


def report(node: Any, exc: BaseException, doing: str | None = None) -> None:
    """Show ``exc`` as an error notification (and in the log), never raise."""
    try:
        app = node.app
        prefix = f"could not {doing}: " if doing else ""
        suffix = "" if is_expected(exc) else " (saved data is intact)"
        app.log.error(f"{doing or 'handler'} failed", exc)
        text = visible(f"{prefix}{describe(exc)}{suffix}")
        app.notify(text, severity="error", timeout=8, markup=False)
    except Exception:  # pragma: no cover - reporting must never be the next crash
        pass


def guarded(doing: str | None = None) -> Callable[[F], F]:
    """Catch and report exceptions of a handler instead of letting them stop the app."""

    def decorate(method: F) -> F:
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await method(self, *args, **kwargs)
                except Exception as exc:
                    report(self, exc, doing)
                    return None

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                report(self, exc, doing)
                return None

        return wrapper  # type: ignore[return-value]

    return decorate


def safe(node: Any, doing: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as a callback (a dialog's result) whose exceptions are reported, not fatal."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            report(node, exc, doing)
            return None

    return wrapper
