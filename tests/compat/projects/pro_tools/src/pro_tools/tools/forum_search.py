import os

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, PrivateAttr


class ForumSearchInput(BaseModel):
    query: str = Field(..., description="What to search for.")
    max_results: int = Field(3, description="How many results to return.")


class FakeForumClient:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def search(self, query: str, max_results: int) -> list:
        return [f"thread {i} about {query}" for i in range(1, max_results + 1)]


class ForumSearchTool(BaseTool):
    name: str = "Forum Search Tool"
    description: str = "Search discussion forums for what people say about a topic."
    args_schema: type[BaseModel] = ForumSearchInput

    _client: FakeForumClient = PrivateAttr()

    def __init__(self):
        super().__init__()
        self._client = FakeForumClient(api_key=os.getenv("FORUM_API_KEY", "none"))

    def _run(self, query: str, max_results: int) -> str:
        return "\n".join(self._client.search(query, max_results))
