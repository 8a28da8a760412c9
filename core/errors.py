"""Errors as one line for a person: ours say what is wrong, anything else is a bug."""

from __future__ import annotations

from storage.atomic import StorageError


def describe(exc: BaseException) -> str:
    """One line for a notification: the message, with the class name only for bugs."""
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    if isinstance(exc, StorageError) or is_query_error(exc):
        return message or "storage error"
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def describe_for_cli(exc: BaseException) -> str:
    """One line for stderr: a bug also says how to see the traceback."""
    message = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, (StorageError, ValueError, LookupError)) and message:
        return message
    return f"internal error ({type(exc).__name__}: {message}); rerun with --debug for details"


def is_query_error(exc: BaseException) -> bool:
    """A query the user can fix (an unknown filter, a bad year): its message is for them."""
    from storage.search.query import QueryError

    return isinstance(exc, QueryError)


def is_expected(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure the user can act on, not a bug (data is intact either way)."""
    return isinstance(exc, StorageError)


__all__ = ["StorageError", "describe", "describe_for_cli", "is_expected", "is_query_error"]
