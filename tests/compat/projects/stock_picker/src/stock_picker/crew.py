from crewai import Agent, Crew, Process, Task
from crewai.agents.agent_builder.base_agent import BaseAgent
from crewai.project import CrewBase, agent, crew, task
from pydantic import BaseModel, Field

from .tools.push_tool import PushNotificationTool


class TrendingCompany(BaseModel):
    """A company in the news"""

    name: str = Field(description="Company name")
    ticker: str = Field(description="Stock ticker symbol")
    reason: str = Field(description="Why it is in the news")


class TrendingCompanyList(BaseModel):
    companies: list[TrendingCompany] = Field(description="Companies in the news")


class CompanyResearch(BaseModel):
    name: str = Field(description="Company name")
    market_position: str = Field(description="Market position and competition")
    future_outlook: str = Field(description="Outlook and growth prospects")
    investment_potential: str = Field(description="Whether it suits an investment")


class CompanyResearchList(BaseModel):
    research_list: list[CompanyResearch] = Field(description="Research on every company")


@CrewBase
class StockPicker:
    """StockPicker crew"""

    agents: list[BaseAgent]
    tasks: list[Task]

    @agent
    def trending_company_finder(self) -> Agent:
        return Agent(config=self.agents_config["trending_company_finder"], memory=True)

    @agent
    def financial_researcher(self) -> Agent:
        return Agent(config=self.agents_config["financial_researcher"], memory=True)

    @agent
    def stock_picker(self) -> Agent:
        return Agent(
            config=self.agents_config["stock_picker"], tools=[PushNotificationTool()], memory=True
        )

    @task
    def find_trending_companies(self) -> Task:
        return Task(
            config=self.tasks_config["find_trending_companies"], output_pydantic=TrendingCompanyList
        )

    @task
    def research_trending_companies(self) -> Task:
        return Task(
            config=self.tasks_config["research_trending_companies"],
            output_pydantic=CompanyResearchList,
        )

    @task
    def pick_best_company(self) -> Task:
        return Task(config=self.tasks_config["pick_best_company"])

    @crew
    def crew(self) -> Crew:
        manager = Agent(config=self.agents_config["manager"], allow_delegation=True)
        return Crew(
            agents=self.agents,
            tasks=self.tasks,
            process=Process.hierarchical,
            verbose=True,
            memory=True,
            tracing=True,
            manager_agent=manager,
        )
