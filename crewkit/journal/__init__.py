"""The run journal: every durable run's steps in one SQLite file, so a run survives a crash, waits
for a review across processes, and can be watched, listed, replayed and resumed.

``Crew(durable=True)`` journals each kickoff in ``.crewkit/runs.db`` (WAL, append-only). For each
run: the crew definition's fingerprint, the inputs, and in order each model request (hashed, its
messages stored once) with its response, each tool call with its arguments and result, each task
output, each review, and the run's status and usage. Each result is written before it is used, so a
crash loses at most the calls in flight. The start of a step (``task_started``, ``agent_started``,
``model_started``, ``tool_started``) and a task's output are written with the next result, not in a
transaction of their own: a viewer sees a model call once it has answered (or once another task
writes), and a task output lost in a crash is rebuilt from its journaled calls on resume. Readers (``crewkit runs``, the UI, a stream
re-read from a ``seq``) work beside the writing run.

Entry kinds (``Entry.kind``) and their ``data``:

- ``run_started`` ``{inputs}``; ``run_resumed`` ``{was}``; ``run_ended`` ``{status, error?}``
- ``task_started`` ``{index}``; ``task_output`` ``{index, output}``; ``task_failed`` ``{error}``
- ``agent_started`` ``{}``; ``agent_finished`` ``{answer, forced}``; ``agent_failed`` ``{error}``
- ``model_started`` ``{model, key, n}``; ``model`` ``{model, key, n, request, response, usage,
  duration, cost?}`` (``request.messages`` and ``request.tools`` are blob hashes)
- ``tool_started`` ``{tool, args, key, n, idempotency_key}``; ``tool`` ``{tool, args, key, n,
  idempotency_key, result, error, duration}`` (delegations are tool calls of the delegation tools)
- ``memory_recall`` ``{memories}``; ``review`` ``{n, status: pending|feedback|approved, answer,
  feedback}``
- a flow's run (``RunRecord.kind == "flow"``, see ``crewkit.flow._journal``): ``flow_kickoff``
  ``{kickoff, inputs, state, fingerprint, definition}``; ``flow_step`` ``{kickoff, step, n, label,
  state, result}``
"""

from crewkit.journal._journal import Journal
from crewkit.journal._reader import DEFAULT_PATH, JournalReader
from crewkit.journal._records import (
    STATUSES,
    BatchProgress,
    BatchRecord,
    Draft,
    Entry,
    RunRecord,
)
from crewkit.journal._tree import Node, RunTree

__all__ = [
    "DEFAULT_PATH",
    "STATUSES",
    "BatchProgress",
    "BatchRecord",
    "Draft",
    "Entry",
    "Journal",
    "JournalReader",
    "Node",
    "RunRecord",
    "RunTree",
]
