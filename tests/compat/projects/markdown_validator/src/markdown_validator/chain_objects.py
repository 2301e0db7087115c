"""Objects shaped like LangChain's (a tool made with @tool, a chat model), written here so the
project needs no LangChain: crewkit accepts anything with this shape."""

from pydantic import BaseModel, Field


class LintInput(BaseModel):
    file_path: str = Field(description="The markdown file to check")


class MarkdownLintTool:
    """Like a LangChain StructuredTool: name, description, args_schema and invoke(dict)."""

    name = "markdown_validation_tool"
    description = "Checks a markdown file and lists the style problems it has."
    args_schema = LintInput

    def invoke(self, arguments: dict) -> str:
        path = arguments["file_path"]
        try:
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return f"cannot open {path}"
        problems = [
            f"line {i}: trailing spaces" for i, line in enumerate(lines, 1) if line != line.rstrip()
        ]
        problems += [
            f"line {i}: heading without a space"
            for i, line in enumerate(lines, 1)
            if line.startswith("#") and not line.lstrip("#").startswith(" ")
        ]
        return "\n".join(problems) or "no problems"


class Reply:
    def __init__(self, content: str) -> None:
        self.content = content
        self.usage_metadata = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}


class OfflineChatModel:
    """Like a LangChain chat model: invoke(messages) returns a message with .content."""

    model_name = "offline-chat"

    def __init__(self, temperature: float = 0.0) -> None:
        self.temperature = temperature

    def invoke(self, messages, **kwargs) -> Reply:
        return Reply("Final Answer: the file is fine")
