from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task


@CrewBase
class GameBuilderCrew:
    """Writes a small game in Python, reviews it and signs it off."""

    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @agent
    def programmer(self) -> Agent:
        return Agent(config=self.agents_config["programmer"], allow_delegation=False, verbose=True)

    @agent
    def reviewer(self) -> Agent:
        return Agent(config=self.agents_config["reviewer"], allow_delegation=False, verbose=True)

    @agent
    def lead_reviewer(self) -> Agent:
        return Agent(
            config=self.agents_config["lead_reviewer"], allow_delegation=True, verbose=True
        )

    @task
    def write_game(self) -> Task:
        return Task(config=self.tasks_config["write_game"], agent=self.programmer())

    @task
    def review_game(self) -> Task:
        return Task(config=self.tasks_config["review_game"], agent=self.reviewer())

    @task
    def approve_game(self) -> Task:
        return Task(config=self.tasks_config["approve_game"], agent=self.lead_reviewer())

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=True)
