"""``crewkit ui``: serve the browser UI over a run journal (needs the ``ui`` extra)."""

from __future__ import annotations

import argparse
import os
import sys

from crewkit._cli._common import OK, UsageError


def run_ui(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; a bad binding or a missing journal is reported before anything binds."""
    from crewkit.journal._reader import default_path

    token = os.environ.get("CREWKIT_UI_TOKEN") or None
    journal = args.journal or default_path()
    try:
        import crewkit.ui as ui
    except ImportError as exc:
        raise UsageError(
            f"crewkit ui needs the ui extra ({exc.name or exc} is missing): "
            "pip install 'crewkit[ui]'"
        ) from None

    def announce(address: str) -> None:
        hint = f" (open {address}?token=<CREWKIT_UI_TOKEN> once)" if token else ""
        sys.stderr.write(f"crewkit ui: {journal} on {address}{hint}; Ctrl-C stops\n")

    ui.serve(journal, host=args.host, port=args.port, token=token, resume=args.resume,
             announce=announce)  # fmt: skip
    return OK
