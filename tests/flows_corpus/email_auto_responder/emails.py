"""The inbox: one JSON file per e-mail in a folder (the original reads Gmail)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel


class Email(BaseModel):
    """One received e-mail."""

    id: str
    sender: str
    subject: str
    body: str


def check_email(folder: str, checked_ids: set[str]) -> tuple[list[Email], set[str]]:
    """The e-mails not checked before, and the updated set of checked ids."""
    new = []
    for path in sorted(Path(folder).glob("*.json")):
        email = Email(**json.loads(path.read_text(encoding="utf-8")))
        if email.id not in checked_ids:
            new.append(email)
    return new, checked_ids | {e.id for e in new}


def format_emails(emails: list[Email]) -> str:
    """The e-mails as one text for the crew."""
    return "\n\n".join(
        f"ID: {e.id}\nFrom: {e.sender}\nSubject: {e.subject}\n{e.body}" for e in emails
    )
