from textwrap import dedent

from agents import CustomAgents
from crewai import Crew
from tasks import CustomTasks


class CustomCrew:
    def __init__(self, var1, var2):
        self.var1 = var1
        self.var2 = var2

    def run(self):
        agents = CustomAgents()
        tasks = CustomTasks()
        first = agents.agent_1_name()
        second = agents.agent_2_name()
        crew = Crew(
            agents=[first, second],
            tasks=[tasks.task_1_name(first, self.var1, self.var2), tasks.task_2_name(second)],
            verbose=True,
        )
        return crew.kickoff()


if __name__ == "__main__":
    print("## Welcome to Crew AI Template")
    var1 = input(dedent("""Enter variable 1: """))
    var2 = input(dedent("""Enter variable 2: """))
    result = CustomCrew(var1, var2).run()
    print("## Here is you custom crew run result:")
    print(result)
