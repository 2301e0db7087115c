#!/usr/bin/env python
import sys
from datetime import datetime

from ai_news.crew import AiNews


def _inputs():
    return {"topic": "small language models", "current_year": str(datetime.now().year)}


def run():
    """Run the crew."""
    result = AiNews().crew().kickoff(inputs=_inputs())
    print("FINAL:", result.raw[:200])


def train():
    """Train the crew: python -m ai_news.main train N FILE"""
    AiNews().crew().train(n_iterations=int(sys.argv[1]), filename=sys.argv[2], inputs=_inputs())


def replay():
    """Replay the crew from a task."""
    AiNews().crew().replay(task_id=sys.argv[1])


def test():
    """Score the crew's work with a judge model."""
    AiNews().crew().test(n_iterations=int(sys.argv[1]), eval_llm=sys.argv[2], inputs=_inputs())
