from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai.tools import tool
from pydantic import BaseModel, Field


@tool("Search the web")
def search_web(query: str) -> str:
    """Search the web and return the top results for a query."""
    return f"3 results for {query!r}: a forum thread, a vendor page, a review site"


class MarketStrategy(BaseModel):
    """A market strategy."""

    name: str = Field(..., description="Name of the strategy")
    tactics: list[str] = Field(..., description="Tactics of the strategy")
    channels: list[str] = Field(..., description="Channels it uses")
    KPIs: list[str] = Field(..., description="How success is measured")


class CampaignIdea(BaseModel):
    """One campaign idea."""

    name: str = Field(..., description="Name of the idea")
    description: str = Field(..., description="What the campaign does")
    audience: str = Field(..., description="Who it speaks to")
    channel: str = Field(..., description="Where it runs")


class Copy(BaseModel):
    """Marketing copy."""

    title: str = Field(..., description="Title of the copy")
    body: str = Field(..., description="Body of the copy")


@CrewBase
class MarketingPostsCrew:
    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @agent
    def lead_market_analyst(self) -> Agent:
        return Agent(
            config=self.agents_config["lead_market_analyst"], tools=[search_web], verbose=True
        )

    @agent
    def chief_marketing_strategist(self) -> Agent:
        return Agent(
            config=self.agents_config["chief_marketing_strategist"],
            tools=[search_web],
            verbose=True,
        )

    @agent
    def creative_content_creator(self) -> Agent:
        return Agent(config=self.agents_config["creative_content_creator"], verbose=True)

    @task
    def research_task(self) -> Task:
        return Task(config=self.tasks_config["research_task"], agent=self.lead_market_analyst())

    @task
    def project_understanding_task(self) -> Task:
        return Task(
            config=self.tasks_config["project_understanding_task"],
            agent=self.chief_marketing_strategist(),
        )

    @task
    def marketing_strategy_task(self) -> Task:
        return Task(
            config=self.tasks_config["marketing_strategy_task"],
            agent=self.chief_marketing_strategist(),
            output_json=MarketStrategy,
        )

    @task
    def campaign_idea_task(self) -> Task:
        return Task(
            config=self.tasks_config["campaign_idea_task"],
            agent=self.creative_content_creator(),
            output_json=CampaignIdea,
        )

    @task
    def copy_creation_task(self) -> Task:
        return Task(
            config=self.tasks_config["copy_creation_task"],
            agent=self.creative_content_creator(),
            context=[self.marketing_strategy_task(), self.campaign_idea_task()],
            output_json=Copy,
        )

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=True)
