from textwrap import dedent

from crewai import Agent
from tools import search_instagram


class MarketingAnalysisAgents:
    def product_competitor_agent(self):
        return Agent(
            role="Lead Market Analyst",
            goal=dedent("""Analyse the product and its competitors in depth"""),
            backstory=dedent("""You work at a leading digital marketing firm."""),
            tools=[search_instagram],
            allow_delegation=False,
            verbose=True,
        )

    def creative_content_creator_agent(self):
        return Agent(
            role="Creative Content Creator",
            goal=dedent("""Write punchy Instagram ad copy"""),
            backstory=dedent("""You turn strategies into words people stop scrolling for."""),
            verbose=True,
        )

    def senior_photographer_agent(self):
        return Agent(
            role="Senior Photographer",
            goal=dedent("""Describe the photograph that goes with the ad"""),
            backstory=dedent("""You shoot product photos for magazines."""),
            allow_delegation=False,
            verbose=True,
        )
