from typing import Any

from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, before_kickoff, crew, task

from pro_tools.models.research import Research
from pro_tools.tools.forum_search import ForumSearchTool


@CrewBase
class ProTools:
    """ProTools crew"""

    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @before_kickoff
    def prepare_inputs(self, inputs: dict[str, Any]):
        inputs = inputs or {}
        inputs["cards"] = "1. compare sync options; 2. list export formats"
        return inputs

    @agent
    def researcher(self) -> Agent:
        return Agent(
            config=self.agents_config["researcher"], tools=[ForumSearchTool()], verbose=True
        )

    @agent
    def writer(self) -> Agent:
        return Agent(config=self.agents_config["writer"], verbose=True)

    @task
    def research_task(self) -> Task:
        return Task(
            config=self.tasks_config["research_task"],
            output_file="research.txt",
            output_pydantic=Research,
        )

    @task
    def write_task(self) -> Task:
        return Task(config=self.tasks_config["write_task"], output_file="article.md")

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=True)
