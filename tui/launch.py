"""Opening the interactive app from the command line.

Only what the first frame needs is imported here; the search engine, the
abstracts and the other screens load after the list is on screen.
"""

from __future__ import annotations

import argparse


def launch(args: argparse.Namespace) -> int:
    from storage.shelf import Shelf

    # Warnings (a damaged file set aside) are kept on the shelf and shown by
    # the app as notifications, where the user will see them.
    shelf = Shelf(args.data_dir, args.user)

    from tui.app import ShelfApp

    app = ShelfApp(shelf)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
