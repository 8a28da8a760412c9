"""The bundled corpus and the code that reads seed documents into items."""
