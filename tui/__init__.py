"""The Textual app and the ``shelf`` command."""
