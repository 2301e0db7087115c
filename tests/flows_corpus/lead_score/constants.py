"""The opening the candidates applied for."""

JOB_DESCRIPTION = """
Platform engineer (Python). You will keep our job-scheduling service fast and boring: Python
services on PostgreSQL, deployed on Kubernetes. You have shipped services to production, you
write tests first, and you explain trade-offs in writing. Remote within two hours of CET.
"""
