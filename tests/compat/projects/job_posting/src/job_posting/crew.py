from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from pydantic import BaseModel, Field

from job_posting.tools import CompanyLookup, ReadExampleFile

lookup = CompanyLookup()
example_reader = ReadExampleFile(
    file_path="job_description_example.md",
    description="Reads an example job posting to copy its structure.",
)


class RoleRequirements(BaseModel):
    """What the ideal candidate brings."""

    skills: list[str] = Field(..., description="Skills the role needs")
    experience: list[str] = Field(..., description="Experience the role needs")
    qualities: list[str] = Field(..., description="Personal qualities that fit the company")


@CrewBase
class JobPostingCrew:
    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @agent
    def researcher(self) -> Agent:
        return Agent(config=self.agents_config["researcher"], tools=[lookup], verbose=True)

    @agent
    def writer(self) -> Agent:
        return Agent(
            config=self.agents_config["writer"], tools=[lookup, example_reader], verbose=True
        )

    @agent
    def reviewer(self) -> Agent:
        return Agent(config=self.agents_config["reviewer"], tools=[example_reader], verbose=True)

    @task
    def culture_task(self) -> Task:
        return Task(config=self.tasks_config["culture_task"], agent=self.researcher())

    @task
    def requirements_task(self) -> Task:
        return Task(
            config=self.tasks_config["requirements_task"],
            agent=self.researcher(),
            output_json=RoleRequirements,
        )

    @task
    def draft_task(self) -> Task:
        return Task(config=self.tasks_config["draft_task"], agent=self.writer())

    @task
    def review_task(self) -> Task:
        return Task(config=self.tasks_config["review_task"], agent=self.reviewer())

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=2)
