"""Pieces of the ``crewkit`` command line: progress display, result output, scaffolding, graphs."""
