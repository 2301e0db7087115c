"""``crewkit models``: the model providers, whether each works here, and the default model."""

from __future__ import annotations

import argparse
import os
import sys

from crewkit._cli._common import OK


def run_models(args: argparse.Namespace) -> int:
    """Print a table of providers (usable here or what they need) and ``CREWKIT_MODEL``. A
    server on this machine counts as usable only when something listens at its address."""
    from crewkit.llm._reach import local_server_down
    from crewkit.llm._registry import provider_info, providers

    rows = []
    for name in providers():
        info = provider_info(name)
        missing = info.missing() if info is not None else []
        note = ("needs " + ", ".join(missing)) if missing else (info.description if info else "")
        down = None
        if info is not None and not missing and info.base_url:
            url = os.environ.get(info.base_url_env or "", "").strip() or info.base_url
            down = local_server_down(url)
        usable = "yes" if not missing and down is None else "no"
        rows.append((name, usable, down or note))
    width = max([len("provider"), *(len(r[0]) for r in rows)])
    sys.stdout.write(f"{'provider'.ljust(width)}  usable  notes\n")
    for name, usable, note in rows:
        sys.stdout.write(f"{name.ljust(width)}  {usable.ljust(6)}  {note}\n")
    default = os.environ.get("CREWKIT_MODEL", "").strip()
    sys.stdout.write(
        f"\nCREWKIT_MODEL={default}\n"
        if default
        else "\nCREWKIT_MODEL is not set (default model for crews that name none)\n"
    )
    return OK
