import sys

from job_posting.crew import JobPostingCrew

INPUTS = {
    "company_domain": "example-bakery.test",
    "company_description": "A bakery chain with forty shops that bakes everything on site before dawn.",
    "hiring_needs": "Shift lead for a new shop opening in spring",
    "specific_benefits": "Free breakfast, paid training, four-day weeks",
}


def run():
    JobPostingCrew().crew().kickoff(inputs=INPUTS)


def train():
    try:
        JobPostingCrew().crew().train(n_iterations=int(sys.argv[1]), inputs=INPUTS)
    except Exception as e:
        raise Exception(f"An error occurred while training the crew: {e}")
