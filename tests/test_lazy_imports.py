"""``import crewkit`` loads none of the batteries: no sqlite3, no MCP client, no PDF or HTML reader."""

from __future__ import annotations

import subprocess
import sys


def test_import_crewkit_and_its_tool_names_loads_no_battery() -> None:
    probe = (
        "import sys, crewkit, crewkit.tools, crewkit.agent; "
        "print(sorted(m for m in ('sqlite3', 'mcp', 'pypdf', 'selectolax', 'httpx', "
        "'crewkit.knowledge', 'crewkit.mcp', 'crewkit.tools._files') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_naming_a_knowledge_source_loads_no_index() -> None:
    probe = (
        "import sys; from crewkit.knowledge import StringKnowledgeSource; "
        "print('sqlite3' in sys.modules, 'crewkit.knowledge._index' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"
