from crewai.tools import BaseTool


class NewsSearchTool(BaseTool):
    name: str = "Search news"
    description: str = "Searches recent news articles about a company."

    def _run(self, query: str) -> str:
        return (
            f"Recent news for {query}: new contract signed; quarterly revenue up 4%; CEO interview."
        )
