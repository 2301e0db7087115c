"""Meeting notes in, action items out: to the board, to a CSV file and to the team chat at once."""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import BaseModel

from crewkit.flow import Flow, listen, start

from .crews import MeetingAssistantCrew
from .services import save_tasks_to_board, send_message_to_channel
from .types import MeetingTask


class MeetingState(BaseModel):
    transcript: str = "Meeting transcript goes here"
    tasks: list[MeetingTask] = []


class MeetingFlow(Flow[MeetingState]):
    initial_state = MeetingState

    @start()
    def load_meeting_notes(self) -> None:
        self.state.transcript = Path(__file__).with_name("meeting_notes.txt").read_text("utf-8")

    @listen(load_meeting_notes)
    def generate_tasks_from_meeting_transcript(self) -> None:
        output = MeetingAssistantCrew().crew().kickoff(inputs={"transcript": self.state.transcript})
        self.state.tasks = output.pydantic.tasks

    @listen(generate_tasks_from_meeting_transcript)
    def add_tasks_to_board(self) -> int:
        return save_tasks_to_board(self.state.tasks)

    @listen(generate_tasks_from_meeting_transcript)
    def save_new_tasks_to_csv(self) -> str:
        with open("new_tasks.csv", "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["Name", "Description"])
            writer.writerows([task.name, task.description] for task in self.state.tasks)
        return "new_tasks.csv"

    @listen(generate_tasks_from_meeting_transcript)
    def send_chat_notification(self) -> bool:
        return send_message_to_channel(f"{len(self.state.tasks)} new tasks are on the board.")


def kickoff() -> object:
    """Run the flow."""
    return MeetingFlow().kickoff()


def plot() -> str:
    """Draw the flow."""
    return MeetingFlow().plot()


if __name__ == "__main__":
    kickoff()
