from textwrap import dedent

from crewai import Crew
from trip_agents import TripAgents
from trip_tasks import TripTasks


class TripCrew:
    def __init__(self, origin, cities, date_range, interests):
        self.cities = cities
        self.origin = origin
        self.interests = interests
        self.date_range = date_range

    def run(self):
        agents = TripAgents()
        tasks = TripTasks()
        selector = agents.city_selection_agent()
        local = agents.local_expert()
        concierge = agents.travel_concierge()
        crew = Crew(
            agents=[selector, local, concierge],
            tasks=[
                tasks.identify_task(
                    selector, self.origin, self.cities, self.interests, self.date_range
                ),
                tasks.gather_task(local, self.origin, self.interests, self.date_range),
                tasks.plan_task(concierge, self.origin, self.interests, self.date_range),
            ],
            verbose=True,
        )
        return crew.kickoff()


if __name__ == "__main__":
    print("## Welcome to Trip Planner Crew")
    location = input(dedent("""From where will you be traveling from?\n"""))
    cities = input(dedent("""What are the cities options you are interested in visiting?\n"""))
    date_range = input(dedent("""What is the date range you are interested in traveling?\n"""))
    interests = input(dedent("""What are some of your high level interests and hobbies?\n"""))
    result = TripCrew(location, cities, date_range, interests).run()
    print("## Here is your Trip Plan")
    print(result)
