"""The cyclic garbage collector, held off while many acyclic objects are built.

Parsing, loading the library and exporting all build hundreds of thousands
of small objects that never form cycles; left on, the collector rescans the
growing heap over and over. This is the bottom layer's helper, so the parser,
storage and the command line can all use it without reaching into the
parser's internals.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic collector off while building many small acyclic objects.

    A 100k-entry import allocates millions of strings, lists and dataclasses
    that never form cycles; left on, the collector rescans the growing heap
    over and over and costs a third of the import.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
