from crewai.tools import BaseTool
from pydantic import BaseModel, Field


class CandidateSearchInput(BaseModel):
    """Input for the candidate search."""

    skills: str = Field(..., description="Comma-separated skills to look for")
    limit: int = Field(5, description="How many profiles to return")


class CandidateSearchTool(BaseTool):
    name: str = "Candidate profile search"
    description: str = "Searches a database of public developer profiles by skill."
    args_schema: type[BaseModel] = CandidateSearchInput

    def _run(self, skills: str, limit: int = 5) -> str:
        wanted = [s.strip() for s in skills.split(",") if s.strip()]
        rows = [
            f"candidate {i}: knows {', '.join(wanted) or 'nothing listed'}"
            for i in range(1, limit + 1)
        ]
        return "\n".join(rows)
