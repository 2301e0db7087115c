#!/usr/bin/env python
from crew import LandingPageCrew  # run from this folder, as the project's README says


def run():
    idea = "A weekly newsletter that explains one tax rule for freelancers in plain words"
    result = LandingPageCrew().crew().kickoff(inputs={"idea": idea})
    print(result)


if __name__ == "__main__":
    run()
