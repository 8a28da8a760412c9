"""The headless core every front end shares: the app, the command line, exports.

Data flows one way (see ARCHITECTURE.md): seed text -> parser (``seeds``) ->
items -> TinyDB library and per-user annotation files (``storage``) -> this
layer -> the front ends (``tui``). The core owns one Shelf, the one search
index and its lock, change detection across processes, the list's row cache
and the export jobs, and it never imports Textual: what a front end needs is
a typed call here, not a file or a parser of its own.
"""
