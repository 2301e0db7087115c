"""How many CrewAI projects run on crewkit with only their imports changed.

Point it at a folder of CrewAI projects (a checkout of crewAIInc/crewAI-examples, say; we do not
commit other projects' code). For each project — a folder with pyproject.toml or main.py — it copies
the project to a temporary folder, runs `crewkit port` on the copy (imports only), then the project's
own entry point with `crewkit run --model mock`, and each agents.yaml/tasks.yaml pair with
`crewkit kickoff --agents --tasks --model mock`. It prints "runs" or the first blocker per project.

    python benchmarks/crewai_corpus.py PATH [--only TEXT] [--timeout 120] [--json results.json]
        [--python /path/to/python]   # an interpreter that also has the projects' own dependencies
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SKIP = {".git", ".venv", "venv", "__pycache__", "node_modules", "output", ".ipynb_checkpoints"}
ANSWERS = "example answer\n" * 20
"""What the projects' input() prompts read."""


@dataclass
class Project:
    name: str
    root: Path
    yaml_pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def entry(self) -> str:
        """What `crewkit run` is given: the folder, or its only script when it has no main.py."""
        if (self.root / "pyproject.toml").exists() or (self.root / "main.py").exists():
            return "."
        scripts = sorted(p.name for p in self.root.glob("*.py") if p.name != "__init__.py")
        return scripts[0] if len(scripts) == 1 else "."


def discover(corpus: Path) -> list[Project]:
    """Folders with a pyproject.toml or a main.py (outermost wins), plus lone config/ folders."""
    roots: list[Path] = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_dir()):
        if SKIP & set(path.relative_to(corpus).parts) or any(r in path.parents for r in roots):
            continue
        if (path / "pyproject.toml").exists() or (path / "main.py").exists():
            roots.append(path)
    for config in sorted(corpus.rglob("config/agents.yaml")):
        owner = config.parents[1]
        if not SKIP & set(config.relative_to(corpus).parts) and not any(
            r == owner or r in owner.parents for r in roots
        ):
            roots.append(owner)
    projects = []
    for root in roots:
        pairs = [
            (str(a.relative_to(root)), str(a.with_name("tasks.yaml").relative_to(root)))
            for a in sorted(root.rglob("agents.yaml"))
            if a.with_name("tasks.yaml").exists() and not SKIP & set(a.relative_to(root).parts)
        ]
        projects.append(Project(str(root.relative_to(corpus)) or root.name, root, pairs))
    return projects


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("crewkit: error:"):
            return line[len("crewkit: error:") :].strip()
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line):
            return line
    return lines[-1] if lines else "no output"


PLACEHOLDER_KEYS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GROQ_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_KEY",
    "NVIDIA_API_KEY",
    "SERPER_API_KEY",
    "TAVILY_API_KEY",
    "EXA_API_KEY",
)
"""Set to a placeholder: libraries the projects use (LangChain's chat models, search clients) refuse
to be constructed without them. Nothing is sent with them: every model is the mock and the
machine has no network."""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN"))}
    env.update({key: "placeholder-not-a-key" for key in PLACEHOLDER_KEYS})
    env.update(CREWKIT_OFFLINE="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run_project(project: Project, python: str, timeout: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="crewai-corpus-") as tmp:
        work = Path(tmp) / project.root.name
        shutil.copytree(project.root, work, ignore=shutil.ignore_patterns(*SKIP))
        crewkit = [python, "-m", "crewkit"]
        port = subprocess.run(
            [*crewkit, "port", str(work)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=timeout,
        )
        missing = re.search(r"CrewAI features crewkit lacks[^(]*\((\d+)\)", port.stdout)
        started = time.perf_counter()
        try:
            run = subprocess.run(
                [*crewkit, "run", project.entry, "--model", "mock"],
                cwd=work,
                input=ANSWERS,
                capture_output=True,
                text=True,
                env=_env(),
                timeout=timeout,
            )
            main = "runs" if run.returncode == 0 else _first_error(run.stderr)
        except subprocess.TimeoutExpired:
            main = f"timeout after {timeout:.0f}s"
        seconds = time.perf_counter() - started
        pairs = [_kickoff(crewkit, work, a, t, timeout) for a, t in project.yaml_pairs]
    return {
        "project": project.name,
        "main": main,
        "seconds": round(seconds, 2),
        "port_missing": int(missing.group(1)) if missing else 0,
        "yaml": pairs,
    }


_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)\}(?!\})")


def _kickoff(crewkit: list[str], work: Path, agents: str, tasks: str, timeout: float) -> str:
    names = set()
    for file in (agents, tasks):
        names |= set(
            _PLACEHOLDER.findall((work / file).read_text(encoding="utf-8", errors="replace"))
        )
    command = [*crewkit, "kickoff", "--agents", agents, "--tasks", tasks, "--model", "mock", "-q"]
    if names:
        command += ["--inputs", *(f"{name}=example" for name in sorted(names))]
    try:
        done = subprocess.run(
            command, cwd=work, capture_output=True, text=True, env=_env(), timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return f"timeout after {timeout:.0f}s"
    return "runs" if done.returncode == 0 else _first_error(done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a folder of CrewAI projects")
    parser.add_argument("--only", default="", help="only projects whose path contains this")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--python", default=sys.executable, help="interpreter to run them with")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    projects = [p for p in discover(args.corpus) if args.only in p.name]
    if not projects:
        sys.exit(f"no CrewAI projects under {args.corpus}")
    results = []
    width = max(len(p.name) for p in projects)
    print(f"{'project':{width}}  main.py / entry point{'':20}  YAML pairs")
    for project in projects:
        result = run_project(project, args.python, args.timeout)
        results.append(result)
        pairs = ", ".join(str(y) for y in result["yaml"]) or "-"  # type: ignore[attr-defined]
        print(f"{project.name:{width}}  {result['main']!s:40}  {pairs}", flush=True)
    runs = sum(r["main"] == "runs" for r in results)
    pairs = [y for r in results for y in r["yaml"]]  # type: ignore[attr-defined]
    print(
        f"\n{runs} of {len(results)} projects run through their own entry point; "
        f"{sum(y == 'runs' for y in pairs)} of {len(pairs)} YAML pairs run with "
        "kickoff --agents/--tasks (mock model)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
