"""Flows: event-driven pipelines of crews and plain Python steps, with CrewAI's ``Flow`` API.

``from crewkit.flow import Flow, start, listen, router, or_, and_, persist``. Not imported by
``import crewkit``; importing it loads no pydantic, HTTP client or template engine.
"""

from crewkit.flow._define import Condition, and_, listen, or_, persist, router, start
from crewkit.flow._flow import Flow
from crewkit.flow._store import FlowStore

__all__ = [
    "Condition",
    "Flow",
    "FlowStore",
    "and_",
    "listen",
    "or_",
    "persist",
    "router",
    "start",
]
