"""Opening the interactive app from the command line.

Only what the first frame needs is imported here; the search engine, the
abstracts and the other screens load after the list is on screen.
"""

from __future__ import annotations

import argparse
import gc


def launch(args: argparse.Namespace) -> int:
    # Loading a large library allocates millions of objects at once; the
    # collector would walk them again and again (most of a second at 100k
    # items). The app turns it back on, with the library frozen, once loaded.
    gc.disable()
    from storage.paths import DataDir, resolve_data_dir
    from storage.shelf import Shelf
    from storage.tui_support import read_row_cache

    # Rows cached from the last run show the list without parsing the
    # library, and prove it is not empty, which Shelf would otherwise parse
    # the whole library to find out (it imports the bundled corpus if so).
    cached = read_row_cache(DataDir(resolve_data_dir(args.data_dir)))
    # Warnings (a damaged file set aside) are kept on the shelf and shown by
    # the app as notifications, where the user will see them.
    shelf = Shelf(args.data_dir, args.user, import_bundled=not cached or not cached[0])

    from tui.app import ShelfApp

    app = ShelfApp(shelf, cached_rows=cached)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
