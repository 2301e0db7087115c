"""crewkit: small, fast, local-first orchestration of teams of LLM agents.

``from crewkit import Agent, Task, Crew, Process, tool`` covers most scripts;
``crewkit.load_crew("crew.yaml")`` builds the same objects from YAML.
"""

from crewkit.agent import Agent
from crewkit.config import load_crew
from crewkit.crew import Crew, CrewOutput, Process
from crewkit.errors import CrewkitError
from crewkit.llm._settings import LLM
from crewkit.task import Task, TaskOutput
from crewkit.tools import Tool, tool

__all__ = [
    "LLM",
    "Agent",
    "Crew",
    "CrewOutput",
    "CrewkitError",
    "Process",
    "Task",
    "TaskOutput",
    "Tool",
    "load_crew",
    "tool",
]
__version__ = "0.1.0"
