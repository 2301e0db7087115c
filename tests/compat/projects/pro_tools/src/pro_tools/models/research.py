from pydantic import BaseModel, Field


class Finding(BaseModel):
    title: str = Field(..., description="Short title")
    insight: str = Field(..., description="What was learned")


class Research(BaseModel):
    findings: list[Finding] = Field(..., description="What the research found")
