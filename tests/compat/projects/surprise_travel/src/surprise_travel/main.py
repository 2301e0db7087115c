#!/usr/bin/env python
import sys

from surprise_travel.crew import SurpriseTravelCrew

INPUTS = {
    "origin": "Lisbon",
    "destination": "Ljubljana",
    "age": 41,
    "hotel_location": "old town",
    "flight_information": "TP123, arriving 10:05 on a Friday",
    "trip_duration": "4 days",
}


def run():
    result = SurpriseTravelCrew().crew().kickoff(inputs=INPUTS)
    print(result)


def train():
    try:
        SurpriseTravelCrew().crew().train(n_iterations=int(sys.argv[1]), inputs=INPUTS)
    except Exception as e:
        raise Exception(f"An error occurred while training the crew: {e}")
