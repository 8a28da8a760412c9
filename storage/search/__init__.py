"""Search: one engine and one query language for the TUI and the CLI.

    index = SearchIndex.build(items, annotations)
    result = index.search("difusion a:radford year:2020..2022", previous, limit=100)
    for hit in result.hits: hit.id, hit.score, hit.matches

See :mod:`storage.search.query` for the language and
:mod:`storage.search.index` for how it stays fast at 100k items.
"""

from storage.search.index import SearchIndex
from storage.search.query import FILTERS, Query, QueryError, parse_query
from storage.search.results import Hit, SearchResult

__all__ = ["FILTERS", "Hit", "Query", "QueryError", "SearchIndex", "SearchResult", "parse_query"]
