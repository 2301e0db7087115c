from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from file_tools import list_templates, write_file


@CrewBase
class LandingPageCrew:
    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @agent
    def idea_analyst(self) -> Agent:
        return Agent(config=self.agents_config["idea_analyst"], verbose=True)

    @agent
    def page_engineer(self) -> Agent:
        return Agent(
            config=self.agents_config["page_engineer"],
            tools=[list_templates, write_file],
            verbose=True,
        )

    @task
    def expand_idea_task(self) -> Task:
        return Task(config=self.tasks_config["expand_idea_task"], agent=self.idea_analyst())

    @task
    def build_page_task(self) -> Task:
        return Task(config=self.tasks_config["build_page_task"], agent=self.page_engineer())

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=True)
