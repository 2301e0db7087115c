"""Serve the default local model over HTTP on 127.0.0.1, as ``llama-server`` would: llama.cpp's own
OpenAI-compatible server, from the prebuilt ``xllamacpp`` wheel (no compiler). Prints its URL, then
serves until stdin closes. Run by the server tests as a separate process.

    python tests/llm/llama_server.py [THREADS]
"""

from __future__ import annotations

import sys

import xllamacpp

from crewkit.llm._local import default_model_path


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    params = xllamacpp.CommonParams()
    params.model.path = str(default_model_path())
    params.n_ctx = 4096
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = -1
    params.ui = False
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port; the URL says which
    server = xllamacpp.Server(params)
    print(f"{server.listening_address}/v1", flush=True)
    sys.stdin.read()
    del server


if __name__ == "__main__":
    main()
