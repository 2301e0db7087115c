#!/usr/bin/env python
import sys

from recruitment.crew import RecruitmentCrew

INPUTS = {
    "job_requirements": """
    Backend developer for a small logistics company: Python, PostgreSQL, message queues,
    three years of experience, able to talk to warehouse staff about what they need.
    """
}


def run():
    RecruitmentCrew().crew().kickoff(inputs=INPUTS)


def train():
    try:
        RecruitmentCrew().crew().train(n_iterations=int(sys.argv[1]), inputs=INPUTS)
    except Exception as e:
        raise Exception(f"An error occurred while training the crew: {e}")
