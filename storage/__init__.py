"""Persistence, search and export for shelf. Never imports Textual."""
