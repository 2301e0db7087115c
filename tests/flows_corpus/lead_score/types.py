"""The records the flow passes around."""

from __future__ import annotations

from pydantic import BaseModel


class Candidate(BaseModel):
    """One applicant, as read from leads.csv."""

    id: str
    name: str
    email: str
    bio: str
    skills: str


class CandidateScore(BaseModel):
    """What the scoring crew answers for one applicant."""

    id: str
    score: int
    reason: str


class ScoredCandidate(Candidate):
    """An applicant with the score and the reason for it."""

    score: int
    reason: str
