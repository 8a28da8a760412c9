"""Opening the interactive app from the command line."""

from __future__ import annotations

import argparse
import sys


def launch(args: argparse.Namespace) -> int:
    print(
        "shelf: the interactive app is not built yet; use 'shelf list', 'shelf show ID', "
        "'shelf --help'",
        file=sys.stderr,
    )
    return 2
