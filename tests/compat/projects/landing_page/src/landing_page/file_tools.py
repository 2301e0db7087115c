import os

from crewai.tools import tool


@tool("Write File")
def write_file(path: str, content: str) -> str:
    """Write content to a file inside the workdir folder."""
    target = os.path.join("workdir", os.path.basename(path))
    os.makedirs("workdir", exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(content)
    return f"wrote {len(content)} characters to {target}"


@tool("List Templates")
def list_templates() -> str:
    """List the page templates available."""
    return "templates: hero-and-features, long-form, waitlist"
