"""crew.yaml and CrewAI's agents.yaml/tasks.yaml turned into ordinary objects (see :mod:`crewkit.config`)."""
