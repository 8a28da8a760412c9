"""The types front ends hold: items from the parser, annotations from storage.

Re-exported here so that a front end depends on the core alone; the
definitions stay where the data flow makes them.
"""

from __future__ import annotations

from seeds.collector import paused_gc
from seeds.model import Item
from storage.model import STATUSES, Annotation, Note

__all__ = ["STATUSES", "Annotation", "Item", "Note", "paused_gc"]
