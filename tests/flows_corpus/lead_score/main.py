"""Score applicants with a crew, let a person decide, then write to every applicant."""

from __future__ import annotations

import asyncio
import csv
import re
from pathlib import Path

from pydantic import BaseModel

from crewkit.flow import Flow, listen, or_, router, start

from .constants import JOB_DESCRIPTION
from .crews import LeadResponseCrew, LeadScoreCrew
from .types import Candidate, CandidateScore, ScoredCandidate

ask = input
"""How the flow asks the person reviewing the shortlist (the test replaces it)."""


class LeadScoreState(BaseModel):
    candidates: list[Candidate] = []
    candidate_score: list[CandidateScore] = []
    hydrated_candidates: list[ScoredCandidate] = []
    scored_leads_feedback: str = ""


class LeadScoreFlow(Flow[LeadScoreState]):
    initial_state = LeadScoreState

    @start()
    def load_leads(self) -> None:
        with open(Path(__file__).with_name("leads.csv"), newline="", encoding="utf-8") as file:
            self.state.candidates = [Candidate(**row) for row in csv.DictReader(file)]

    @listen(or_(load_leads, "scored_leads_feedback"))
    async def score_leads(self) -> None:
        async def score(candidate: Candidate) -> CandidateScore:
            result = await (
                LeadScoreCrew()
                .crew()
                .kickoff_async(
                    inputs={
                        "candidate_id": candidate.id,
                        "name": candidate.name,
                        "bio": candidate.bio,
                        "job_description": JOB_DESCRIPTION,
                        "additional_instructions": self.state.scored_leads_feedback or "none",
                    }
                )
            )
            return result.pydantic  # type: ignore[no-any-return]

        scores = await asyncio.gather(*(score(c) for c in self.state.candidates))
        self.state.candidate_score = list(scores)

    @router(score_leads)
    def human_in_the_loop(self) -> str | None:
        ranked = [
            ScoredCandidate(**candidate.model_dump(), score=score.score, reason=score.reason)
            for candidate, score in zip(
                self.state.candidates, self.state.candidate_score, strict=True
            )
        ]
        self.state.hydrated_candidates = sorted(ranked, key=lambda c: c.score, reverse=True)
        print("Top candidates:")
        for candidate in self.state.hydrated_candidates[:3]:
            print(f"  {candidate.name} ({candidate.id}): {candidate.score} - {candidate.reason}")
        while True:
            choice = ask("1) quit  2) rescore with feedback  3) write the e-mails: ").strip()
            if choice == "1":
                return None
            if choice == "2":
                self.state.scored_leads_feedback = ask("What should the scoring look for? ")
                return "scored_leads_feedback"
            if choice == "3":
                return "generate_emails"
            print("Please answer 1, 2 or 3.")

    @listen("generate_emails")
    async def write_and_save_emails(self) -> list[str]:
        shortlist = {c.id for c in self.state.hydrated_candidates[:3]}
        folder = Path("email_responses")
        folder.mkdir(exist_ok=True)

        async def write(candidate: ScoredCandidate) -> str:
            result = await (
                LeadResponseCrew()
                .crew()
                .kickoff_async(
                    inputs={
                        "candidate_id": candidate.id,
                        "name": candidate.name,
                        "bio": candidate.bio,
                        "proceed_with_candidate": candidate.id in shortlist,
                    }
                )
            )
            path = folder / f"{re.sub(r'[^A-Za-z0-9_ -]', '', candidate.name)}.txt"
            path.write_text(result.raw, encoding="utf-8")
            return str(path)

        return list(await asyncio.gather(*(write(c) for c in self.state.hydrated_candidates)))


def kickoff() -> object:
    """Run the flow."""
    return LeadScoreFlow().kickoff()


def plot() -> str:
    """Draw the flow."""
    return LeadScoreFlow().plot()


if __name__ == "__main__":
    kickoff()
