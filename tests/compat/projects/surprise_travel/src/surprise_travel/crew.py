from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai.tools import BaseTool
from pydantic import BaseModel, Field


class PlaceSearch(BaseTool):
    name: str = "Place search"
    description: str = "Finds places to visit, eat or stay near a location."

    def _run(self, location: str, kind: str = "restaurant") -> str:
        return (
            f"Three {kind}s near {location}: one by the river, one on the hill, one in the market."
        )


class Activity(BaseModel):
    name: str = Field(..., description="Name of the activity")
    location: str = Field(..., description="Where it takes place")
    description: str = Field(..., description="What it is")
    date: str = Field(..., description="When")
    rating: float | None = Field(None, description="Rating out of 5")


class DayPlan(BaseModel):
    date: str = Field(..., description="The day")
    activities: list[Activity] = Field(..., description="Activities of the day")
    restaurants: list[str] = Field(..., description="Where to eat")


class Itinerary(BaseModel):
    name: str = Field(..., description="Name of the trip")
    day_plans: list[DayPlan] = Field(..., description="One plan per day")
    hotel: str = Field(..., description="Where to stay")


@CrewBase
class SurpriseTravelCrew:
    agents_config = "config/agents.yaml"
    tasks_config = "config/tasks.yaml"

    @agent
    def activity_planner(self) -> Agent:
        return Agent(
            config=self.agents_config["activity_planner"],
            tools=[PlaceSearch()],
            verbose=True,
            allow_delegation=False,
        )

    @agent
    def restaurant_scout(self) -> Agent:
        return Agent(
            config=self.agents_config["restaurant_scout"],
            tools=[PlaceSearch()],
            verbose=True,
            allow_delegation=False,
        )

    @agent
    def itinerary_compiler(self) -> Agent:
        return Agent(
            config=self.agents_config["itinerary_compiler"], verbose=True, allow_delegation=False
        )

    @task
    def activity_task(self) -> Task:
        return Task(config=self.tasks_config["activity_task"], agent=self.activity_planner())

    @task
    def restaurant_task(self) -> Task:
        return Task(config=self.tasks_config["restaurant_task"], agent=self.restaurant_scout())

    @task
    def itinerary_task(self) -> Task:
        return Task(
            config=self.tasks_config["itinerary_task"],
            agent=self.itinerary_compiler(),
            output_json=Itinerary,
        )

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential, verbose=True)
