from textwrap import dedent

from crewai import Agent
from llms import LocalChat
from tools import ExampleTools


class CustomAgents:
    def __init__(self):
        self.fast = LocalChat(model_name="fast-model", temperature=0.7)
        self.smart = LocalChat(model_name="smart-model", temperature=0.7)

    def agent_1_name(self):
        return Agent(
            role="Define agent 1 role here",
            backstory=dedent("""Define agent 1 backstory here"""),
            goal=dedent("""Define agent 1 goal here"""),
            tools=[ExampleTools.multiply],
            allow_delegation=False,
            verbose=True,
            llm=self.fast,
        )

    def agent_2_name(self):
        return Agent(
            role="Define agent 2 role here",
            backstory=dedent("""Define agent 2 backstory here"""),
            goal=dedent("""Define agent 2 goal here"""),
            allow_delegation=False,
            verbose=True,
            llm=self.smart,
        )
