"""A run's state and steps: preparing a crew, scheduling its tasks, and the agent loop."""
