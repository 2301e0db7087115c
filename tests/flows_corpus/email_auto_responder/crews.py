"""The crew that sorts new e-mails and drafts answers, with a tool that saves a draft."""

from __future__ import annotations

import re
from pathlib import Path

from crewkit import Agent, Crew, Task, tool


@tool
def create_draft(to: str, subject: str, body: str) -> str:
    """Save a reply as a draft (not sent) addressed to ``to``."""
    folder = Path("drafts")
    folder.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{to}-{subject}")[:80]
    (folder / f"{name}.txt").write_text(f"To: {to}\nSubject: {subject}\n\n{body}", encoding="utf-8")
    return f"draft saved for {to}"


class EmailFilterCrew:
    """One agent sorts out e-mails that need no answer, another drafts the replies."""

    def crew(self) -> Crew:
        sorter = Agent(
            role="Inbox triage assistant",
            goal="Set aside newsletters, notifications and anything that needs no reply",
            backstory="Keeps a busy founder's inbox down to what matters.",
        )
        drafter = Agent(
            role="Reply writer",
            goal="Draft short, polite replies the founder can send as they are",
            backstory="Writes in the founder's plain, friendly voice.",
            tools=[create_draft],
        )
        sort = Task(
            description="Go through these e-mails and list the ids that need a reply:\n{emails}",
            expected_output="The ids that need a reply, each with one line saying why.",
            agent=sorter,
        )
        draft = Task(
            description="Draft a reply to each e-mail that needs one and save it as a draft.",
            expected_output="The drafts saved, one line each.",
            agent=drafter,
        )
        return Crew(agents=[sorter, drafter], tasks=[sort, draft], name="email-filter")
