"""Check the inbox, draft replies to new e-mails, wait, check again."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel

from crewkit.flow import Flow, listen, router, start

from .crews import EmailFilterCrew
from .emails import Email, check_email, format_emails


class AutoResponderState(BaseModel):
    inbox: str = "inbox"
    emails: list[Email] = []
    checked_emails_ids: set[str] = set()
    drafted: int = 0
    rounds: int = 2
    wait_seconds: float = 180.0


class EmailAutoResponderFlow(Flow[AutoResponderState]):
    initial_state = AutoResponderState

    @start("wait_next_run")
    def fetch_new_emails(self) -> None:
        new, checked = check_email(self.state.inbox, self.state.checked_emails_ids)
        self.state.emails = new
        self.state.checked_emails_ids = checked

    @listen(fetch_new_emails)
    def generate_draft_responses(self) -> None:
        print(f"New e-mails: {len(self.state.emails)}")
        if self.state.emails:
            EmailFilterCrew().crew().kickoff(inputs={"emails": format_emails(self.state.emails)})
            self.state.drafted += len(self.state.emails)
            self.state.emails = []

    @router(generate_draft_responses)
    def schedule_next_run(self) -> str | None:
        self.state.rounds -= 1
        if self.state.rounds <= 0:
            return None
        time.sleep(self.state.wait_seconds)
        return "wait_next_run"


def kickoff(inputs: dict[str, Any] | None = None) -> object:
    """Run the flow (``inputs`` may set ``inbox``, ``rounds`` and ``wait_seconds``)."""
    return EmailAutoResponderFlow().kickoff(inputs)


def plot() -> str:
    """Draw the flow."""
    return EmailAutoResponderFlow().plot()


if __name__ == "__main__":
    kickoff()
