"""``crewkit ui``: see, follow and steer journaled runs in a browser, on this machine by default.

Pages: the runs table (filters, pages of 50 through any number of runs), a run (its steps as a
tree on a timeline with tokens and cost, each request and reply, the crew's graph, the final output,
the error and the step it came from), live updates of a running run, reviews to approve or answer
with feedback (the run then resumes), and batch progress. Needs the ``ui`` extra
(``pip install 'crewkit[ui]'``); nothing here is imported by ``import crewkit``.

Safe by default: served on 127.0.0.1; any other address needs ``CREWKIT_UI_TOKEN``, carried by
every request; the one action is a POST with a CSRF value; everything a model wrote is escaped.
"""

from crewkit.ui._app import create_app
from crewkit.ui._serve import serve

__all__ = ["create_app", "serve"]
