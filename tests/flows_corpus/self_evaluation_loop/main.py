"""Write, review, rewrite until the reviewer accepts or four tries are used up."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from crewkit.flow import Flow, listen, router, start

from .crews import CaptainPostCrew, PostReviewCrew


class CaptainPostState(BaseModel):
    post: str = ""
    feedback: str | None = None
    valid: bool = False
    retry_count: int = 0


class CaptainPostFlow(Flow[CaptainPostState]):
    @start("retry")
    def generate_post(self) -> None:
        result = (
            CaptainPostCrew()
            .crew()
            .kickoff(
                inputs={"topic": "self-driving ferries", "feedback": self.state.feedback or "none"}
            )
        )
        self.state.post = result.raw

    @router(generate_post)
    def evaluate_post(self) -> str:
        if self.state.retry_count > 3:
            return "max_retry_exceeded"
        review = PostReviewCrew().crew().kickoff(inputs={"post": self.state.post}).pydantic
        self.state.valid = review.valid
        self.state.feedback = review.feedback
        self.state.retry_count += 1
        if self.state.valid:
            return "complete"
        return "retry"

    @listen("complete")
    def save_result(self) -> str:
        Path("post.txt").write_text(self.state.post, encoding="utf-8")
        return self.state.post

    @listen("max_retry_exceeded")
    def max_retry_exceeded_exit(self) -> None:
        print(f"Gave up after {self.state.retry_count} tries; last feedback: {self.state.feedback}")


def kickoff() -> object:
    """Run the flow."""
    return CaptainPostFlow().kickoff()


def plot() -> str:
    """Draw the flow."""
    return CaptainPostFlow().plot()


if __name__ == "__main__":
    kickoff()
