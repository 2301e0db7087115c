#!/usr/bin/env python
import sys

from marketing_posts.crew import MarketingPostsCrew

INPUTS = {
    "customer_domain": "tidy-desk.test",
    "project_description": """
Tidy Desk sells a note-taking app for teams of lawyers. The campaign should reach partners at
mid-sized firms and show how much time the app saves on case files.
""",
}


def run():
    MarketingPostsCrew().crew().kickoff(inputs=INPUTS)


def train():
    try:
        MarketingPostsCrew().crew().train(n_iterations=int(sys.argv[1]), inputs=INPUTS)
    except Exception as e:
        raise Exception(f"An error occurred while training the crew: {e}")
