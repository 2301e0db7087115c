from textwrap import dedent

from crewai import Task


class TripTasks:
    def identify_task(self, agent, origin, cities, interests, range):
        return Task(
            description=dedent(f"""
                Pick the best city for the trip from these options: {cities}.
                The traveller comes from {origin}, likes {interests} and travels {range}.
            """),
            expected_output=dedent("""
                The chosen city and why, with weather and costs.
            """),
            agent=agent,
        )

    def gather_task(self, agent, origin, interests, range):
        return Task(
            description=dedent(f"""
                As a local expert, write a guide for someone from {origin} who likes {interests}
                and visits {range}.
            """),
            expected_output="A city guide with hidden gems and practical tips.",
            agent=agent,
        )

    def plan_task(self, agent, origin, interests, range):
        return Task(
            description=dedent(f"""
                Turn the guide into a day-by-day plan for {range} with a budget,
                for a traveller from {origin} who likes {interests}.
            """),
            expected_output="A day-by-day plan in markdown with a budget.",
            agent=agent,
        )
