from pathlib import Path

from crewai.tools import BaseTool
from pydantic import BaseModel, Field


class ReadFileInput(BaseModel):
    """No arguments needed: the file is fixed when the tool is made."""


class ReadExampleFile(BaseTool):
    name: str = "Read an example file"
    description: str = "Reads a file of examples."
    args_schema: type[BaseModel] = ReadFileInput
    file_path: str = Field(default="example.md", description="The file to read")

    def _run(self) -> str:
        path = Path(self.file_path)
        return path.read_text(encoding="utf-8") if path.exists() else f"{path} does not exist"


class CompanyLookupInput(BaseModel):
    domain: str = Field(..., description="The company's web domain")


class CompanyLookup(BaseTool):
    name: str = "Company lookup"
    description: str = "Looks up what a company says about itself on its web site."
    args_schema: type[BaseModel] = CompanyLookupInput

    def _run(self, domain: str) -> str:
        return f"{domain}: bakes bread, cakes and pastries; values early mornings and teamwork."
