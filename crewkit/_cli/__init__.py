"""The ``crewkit`` command line: its arguments, one module per command, and what they share."""
