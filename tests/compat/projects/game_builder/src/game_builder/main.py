import sys

import yaml

from game_builder.crew import GameBuilderCrew


def run():
    # the project reads its examples relative to the project folder, as its README says to run it
    with open("src/game_builder/config/gamedesign.yaml", encoding="utf-8") as file:
        examples = yaml.safe_load(file)
    result = GameBuilderCrew().crew().kickoff(inputs={"game": examples["example_breakout"]})
    print("final code for the game:")
    print(result)


def train():
    with open("src/game_builder/config/gamedesign.yaml", encoding="utf-8") as file:
        examples = yaml.safe_load(file)
    GameBuilderCrew().crew().train(
        n_iterations=int(sys.argv[1]),
        filename=sys.argv[2],
        inputs={"game": examples["example_pong"]},
    )
