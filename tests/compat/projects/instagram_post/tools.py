from crewai.tools import tool


@tool("Search Instagram")
def search_instagram(instruction: str) -> str:
    """Search Instagram posts about a topic."""
    return f"Top posts about {instruction}: flat-lay photos, morning light, short captions."
