"""Feed documents and a local HTTP server for the feed tests (nothing here goes online)."""
