"""The board and the chat: JSON POSTs to the URLs in BOARD_URL and CHAT_WEBHOOK_URL."""

from __future__ import annotations

import json
import os
import urllib.request

from .types import MeetingTask


def _post(url: str, payload: dict[str, str]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def save_tasks_to_board(tasks: list[MeetingTask]) -> int:
    """Create one card per task; returns how many were created."""
    url = os.environ.get("BOARD_URL")
    if not url:
        print("BOARD_URL is not set: no cards created")
        return 0
    for task in tasks:
        _post(url, {"name": task.name, "desc": task.description})
    return len(tasks)


def send_message_to_channel(text: str) -> bool:
    """Post ``text`` to the team chat."""
    url = os.environ.get("CHAT_WEBHOOK_URL")
    if not url:
        print("CHAT_WEBHOOK_URL is not set: no message sent")
        return False
    _post(url, {"text": text})
    return True
