import csv
import time

from agents import EmailPersonalizationAgents
from crewai import Crew
from tasks import PersonalizeEmailTask

email_template = """
Hi [Name]!
Our community call is on Tuesday at 6 PM. Bring your questions.
"""

agents = EmailPersonalizationAgents()
personalizer = agents.personalize_email_agent()
ghostwriter = agents.ghostwriter_agent()
tasks = PersonalizeEmailTask()

drafts, finals = [], []
with open("data/clients.csv", newline="") as file:
    for row in csv.DictReader(file):
        draft = tasks.personalize_email(
            agent=personalizer, recipient=row, email_template=email_template
        )
        drafts.append(draft)
        finals.append(tasks.ghostwrite_email(agent=ghostwriter, draft_email=draft, recipient=row))

crew = Crew(agents=[personalizer, ghostwriter], tasks=[*drafts, *finals], max_rpm=29)
start = time.time()
results = crew.kickoff()
print(f"Crew kickoff took {time.time() - start} seconds.")
print("Crew usage", crew.usage_metrics)
