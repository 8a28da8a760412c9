"""The json export: the ``--json`` item objects under a small header.

Written in pieces (header, batches of items, closing brackets) that
concatenate to exactly what one ``orjson.dumps`` of the whole document with
two-space indents gives: each batch is an indented list dump with its
brackets cut off and every line indented one level more.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from storage.export.base import Writer
from storage.export.common import View, escape_c1
from storage.export.layout import Step

#: Bumped when the header changes incompatibly (items follow the ``--json``
#: contract and only ever gain fields).
JSON_FORMAT_VERSION = 1


class JsonWriter(Writer):
    def head(self) -> bytes:
        m = self.meta
        header = {
            "format": "shelf-export",
            "version": JSON_FORMAT_VERSION,
            "query": m.query,
            "user": m.user,
            "exported_at": m.stamp,
            "count": m.count,
        }
        text = escape_c1(orjson.dumps(header, option=orjson.OPT_INDENT_2))
        return text[: -len(b"\n}")] + b',\n  "items": ['

    def batch(self, steps: Sequence[Step], views: Sequence[View], index: int) -> bytes:
        if not views:
            return b""
        # Raw newlines only separate JSON tokens: orjson escapes them in strings.
        body = escape_c1(orjson.dumps(list(views), option=orjson.OPT_INDENT_2)[2:-2])
        return (b",\n  " if index else b"\n  ") + body.replace(b"\n", b"\n  ")

    def tail(self) -> bytes:
        return b"\n  ]\n}\n" if self.meta.count else b"]\n}\n"
