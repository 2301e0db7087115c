"""The writing crew (with a character counter) and the reviewing crew."""

from __future__ import annotations

from pydantic import BaseModel

from crewkit import Agent, Crew, Task, tool


@tool
def character_counter(text: str) -> str:
    """Count the characters of ``text`` (posts must stay within 280)."""
    return f"{len(text)} characters"


class PostReview(BaseModel):
    """The reviewer's verdict."""

    valid: bool
    feedback: str


class CaptainPostCrew:
    """Writes the post, checking its length with the tool."""

    def crew(self) -> Crew:
        writer = Agent(
            role="Ship's captain turned copywriter",
            goal="Announce things in a weathered sea captain's voice, in under 280 characters",
            backstory="Forty years at sea; now writes launch posts and still talks like it.",
            tools=[character_counter],
        )
        write = Task(
            description=(
                "Write a post about {topic} in a sea captain's voice, under 280 characters. "
                "Reviewer feedback on the last try, if any: {feedback}"
            ),
            expected_output="The post text only.",
            agent=writer,
        )
        return Crew(agents=[writer], tasks=[write], name="captain-post")


class PostReviewCrew:
    """Checks the length, the voice and that the post says something."""

    def crew(self) -> Crew:
        reviewer = Agent(
            role="Social media editor",
            goal="Only let through posts that are short, in character and worth reading",
            backstory="Has rejected more posts than most people have written.",
            tools=[character_counter],
        )
        review = Task(
            description=(
                "Review this post. It must be under 280 characters, sound like a sea captain and "
                "make one clear point:\n{post}"
            ),
            expected_output="Whether the post is valid, and feedback for the writer if not.",
            agent=reviewer,
            output_pydantic=PostReview,
        )
        return Crew(agents=[reviewer], tasks=[review], name="post-review")
