from crewai import Agent, Crew, Process, Task
from crewai.agents.agent_builder.base_agent import BaseAgent
from crewai.project import CrewBase, agent, crew, task


@CrewBase
class AiNews:
    """Two agents: one collects news on a topic, one turns it into a report."""

    agents: list[BaseAgent]
    tasks: list[Task]

    @agent
    def scout(self) -> Agent:
        return Agent(config=self.agents_config["scout"], verbose=True)  # type: ignore[index]

    @agent
    def editor(self) -> Agent:
        return Agent(config=self.agents_config["editor"], verbose=True)  # type: ignore[index]

    @task
    def collect_task(self) -> Task:
        return Task(config=self.tasks_config["collect_task"])  # type: ignore[index]

    @task
    def report_task(self) -> Task:
        return Task(config=self.tasks_config["report_task"], output_file="report.md")  # type: ignore[index]

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=True)
