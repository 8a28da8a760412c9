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
    from core.session import Session

    # Warnings (a damaged file set aside) are kept by the session and shown
    # by the app as notifications, where the user will see them.
    session = Session.open(args.data_dir, args.user, with_cached_rows=True)

    from core.config import config_path
    from tui.app import ShelfApp

    app = ShelfApp(session, config_path=config_path())
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
