"""The two crews: one scores an applicant, one writes the follow-up e-mail."""

from __future__ import annotations

from crewkit import Agent, Crew, Task

from .types import CandidateScore


class LeadScoreCrew:
    """An HR specialist scores one applicant against the job description."""

    def crew(self) -> Crew:
        evaluator = Agent(
            role="HR evaluation specialist",
            goal="Judge how well an applicant fits an opening, with a score they could defend",
            backstory="Has screened thousands of engineering applications and reads bios closely.",
        )
        evaluate = Task(
            description=(
                "Score applicant {candidate_id} ({name}) from 0 to 100 for this opening.\n"
                "Bio: {bio}\nOpening: {job_description}\n"
                "Extra instructions from the hiring manager: {additional_instructions}"
            ),
            expected_output="The applicant's id, a score from 0 to 100 and a one-line reason.",
            agent=evaluator,
            output_pydantic=CandidateScore,
        )
        return Crew(agents=[evaluator], tasks=[evaluate], name="lead-score")


class LeadResponseCrew:
    """A recruiter writes one follow-up e-mail: an invitation or a kind refusal."""

    def crew(self) -> Crew:
        writer = Agent(
            role="Recruiting coordinator",
            goal="Write short, warm, specific follow-up e-mails to applicants",
            backstory="Believes every applicant deserves a clear answer quickly.",
        )
        write = Task(
            description=(
                "Write the follow-up e-mail for applicant {candidate_id}, {name}.\nBio: {bio}\n"
                "Invite them to a video call: {proceed_with_candidate}. If not invited, thank them "
                "and say we chose other applicants."
            ),
            expected_output="The e-mail text, ready to send.",
            agent=writer,
        )
        return Crew(agents=[writer], tasks=[write], name="lead-response")
