"""Search: one engine and one query language for the TUI and the CLI.

    index = SearchIndex.build(items, annotations)      # or SearchIndex.load(...)
    result = index.search("difusion a:radford year:2020..2022", previous, limit=100)
    result.total                    # every match, even past ``limit``
    for hit in result.hits:         # relevance order; library order for filters only
        hit.id, hit.score, hit.matches.get("title")
    result.ids()                    # every matching id in order, no Hit objects
    item_id in result; result.position(item_id)   # keep the highlighted row

Keep it current with ``update_item``, ``update_annotation`` and ``remove``
(no rebuild); persist with ``index.save(path, signature)`` and
``SearchIndex.load(path, items, annotations, signature)``, where
``signature`` is anything that changes when the library does (loading then
skips re-checking every item). Pass each keystroke's result as ``previous``
to the next. Not thread-safe: one thread, or one lock.

A caller that keeps abstracts out of its items (they are most of a library's
memory) passes ``texts=``, item id -> abstract, to ``build``/``load``; the
index asks it whenever it needs an abstract and keeps none. It is asked for
the abstract an item has now, so it should know the new one by the time
``update_item`` is called; a removed item's may be gone (``KeyError``).

One query from a front end that does not keep an index (``shelf list
QUERY``) is :func:`storage.search.saved.query_hits`: it reads only what the
query needs from the saved index and ranks exactly as ``search`` does.

:mod:`storage.search.query` documents the language, :mod:`storage.search.index`
how it stays fast at 100k items, :mod:`storage.search.persist` the saved file.
"""

from storage.search.index import SearchIndex
from storage.search.query import FILTERS, Query, QueryError, parse_query
from storage.search.results import Hit, SearchResult

__all__ = ["FILTERS", "Hit", "Query", "QueryError", "SearchIndex", "SearchResult", "parse_query"]
