from crewai import Agent
from tools.browser_tools import summarize_website
from tools.calculator_tools import calculate


class TripAgents:
    def city_selection_agent(self):
        return Agent(
            role="City Selection Expert",
            goal="Select the best city based on weather, season, and prices",
            backstory="An expert in analyzing travel data to pick ideal destinations",
            tools=[summarize_website],
            verbose=True,
        )

    def local_expert(self):
        return Agent(
            role="Local Expert at this city",
            goal="Provide the BEST insights about the selected city",
            backstory="A knowledgeable local guide with extensive information about the city",
            tools=[summarize_website],
            verbose=True,
        )

    def travel_concierge(self):
        return Agent(
            role="Amazing Travel Concierge",
            goal="Create the most amazing travel itineraries with budget and packing suggestions",
            backstory="Specialist in travel planning and logistics with decades of experience",
            tools=[calculate],
            verbose=True,
        )
