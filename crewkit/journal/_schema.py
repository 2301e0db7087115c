"""The run journal's tables. See the package docstring for what each holds and who writes it.

``runs`` is the small row every step updates (counters, status, the next seq), so it stays a few
dozen bytes; what is written once per run and can be large — the definition, the inputs, the
output — lives in ``run_data``, so a step does not rewrite it."""

from __future__ import annotations

VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs(
    id TEXT PRIMARY KEY,
    crew TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    updated REAL NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    cost REAL,
    tasks_total INTEGER NOT NULL,
    tasks_done INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    batch_id TEXT,
    batch_index INTEGER,
    parent_run TEXT,
    owner TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS run_data(
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    inputs TEXT NOT NULL,
    source TEXT,
    output TEXT
);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started DESC, id DESC);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status, started DESC);
CREATE INDEX IF NOT EXISTS runs_crew ON runs(crew, started DESC);
CREATE INDEX IF NOT EXISTS runs_batch ON runs(batch_id, batch_index) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS entries(
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    time REAL NOT NULL,
    span TEXT,
    parent TEXT,
    task TEXT,
    agent TEXT,
    key TEXT,
    data TEXT NOT NULL,
    UNIQUE(run_id, seq)
);
CREATE TABLE IF NOT EXISTS blobs(
    run_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY(run_id, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches(
    id TEXT PRIMARY KEY,
    crew TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created REAL NOT NULL,
    total INTEGER,
    source TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
"""

RUN_SELECT = (
    "SELECT r.id, r.crew, r.fingerprint, d.definition, d.inputs, d.source, r.status, r.started, "
    "r.ended, r.updated, r.prompt_tokens, r.completion_tokens, r.requests, r.cost, "
    "r.tasks_total, r.tasks_done, r.batch_id, r.batch_index, r.parent_run, r.owner, d.output, "
    "r.error FROM runs AS r JOIN run_data AS d ON d.id = r.id"
)
ENTRY_COLUMNS = "run_id, seq, kind, time, span, parent, task, agent, key, data"
