"""``crewkit flow plot`` and ``crewkit flow kickoff``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from crewkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
SELF_EVALUATION = ROOT / "tests/flows_corpus/self_evaluation_loop/main.py"


def _module(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GREETER = """
    from pydantic import BaseModel
    from crewkit.flow import Flow, listen, start

    class Greeting(BaseModel):
        name: str = "world"
        times: int = 1

    class Greeter(Flow[Greeting]):
        @start()
        def greet(self):
            return " ".join(["hello " + self.state.name] * self.state.times)

        @listen(greet)
        def shout(self, text):
            return text.upper()
"""


def test_plot_prints_the_mermaid_picture_of_a_flow_in_a_package(capsys: Any) -> None:
    assert main(["flow", "plot", f"{SELF_EVALUATION}:CaptainPostFlow"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD\n  %% flow CaptainPostFlow\n")
    assert '  s_evaluate_post -. "retry" .-> s_generate_post\n' in out


def test_plot_writes_html_or_mermaid_files(tmp_path: Path, capsys: Any) -> None:
    module = _module(tmp_path, "greeter_plot", GREETER)
    assert main(["flow", "plot", f"{module}:Greeter", "-o", str(tmp_path / "g.html")]) == 0
    assert '<pre class="mermaid">' in (tmp_path / "g.html").read_text()
    assert main(["flow", "plot", f"{module}:Greeter", "-o", str(tmp_path / "g.mmd")]) == 0
    assert (tmp_path / "g.mmd").read_text().startswith("flowchart TD")
    assert "wrote" in capsys.readouterr().err


def test_kickoff_fills_the_state_from_inputs_and_prints_the_result(
    tmp_path: Path, capsys: Any
) -> None:
    module = _module(tmp_path, "greeter_kickoff", GREETER)
    code = main(["flow", "kickoff", f"{module}:Greeter", "--inputs", "name=ada", "times=2"])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out == "HELLO ADA HELLO ADA\n"
    assert captured.err.startswith("flow Greeter\nstep greet\n")


def test_kickoff_json_gives_the_result_state_and_id(tmp_path: Path, capsys: Any) -> None:
    module = _module(tmp_path, "greeter_json", GREETER)
    assert main(["flow", "kickoff", f"{module}:Greeter", "-q", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["result"] == "HELLO WORLD"
    assert document["state"] == {"name": "world", "times": 1, "id": document["flow_id"]}


def test_a_mistake_in_the_flow_class_exits_2_without_a_traceback(tmp_path: Path) -> None:
    module = _module(
        tmp_path,
        "broken_flow",
        """
        from crewkit.flow import Flow, listen, start

        class Broken(Flow):
            @start()
            def begin(self): ...

            @listen("begni")
            def after(self): ...
        """,
    )
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "flow", "kickoff", f"{module}:Broken"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "crewkit: error: Broken.after listens to 'begni', which is neither a step of Broken nor a "
        "label one of its routers returns (did you mean 'begin'?)\n"
    )


def test_bad_inputs_and_unknown_names_exit_2(tmp_path: Path, capsys: Any) -> None:
    module = _module(tmp_path, "greeter_bad", GREETER)
    assert main(["flow", "kickoff", f"{module}:Greeter", "-q", "--inputs", "times=often"]) == 2
    assert "invalid input for the state Greeting: times" in capsys.readouterr().err
    assert main(["flow", "kickoff", f"{module}:Greter"]) == 2
    assert "has no 'Greter'; its flows: Greeter" in capsys.readouterr().err
    assert main(["flow", "plot", "no_such_module_here:Flow"]) == 2
    assert "no module 'no_such_module_here' here" in capsys.readouterr().err
    assert main(["flow", "plot", "missing-colon"]) == 2
    assert "expected MODULE:CLASS" in capsys.readouterr().err


def test_a_failing_step_exits_1(tmp_path: Path, capsys: Any) -> None:
    module = _module(
        tmp_path,
        "failing_flow",
        """
        from crewkit.flow import Flow, start

        class Failing(Flow):
            @start()
            def begin(self):
                raise RuntimeError("the printer is on fire")
        """,
    )
    assert main(["flow", "kickoff", f"{module}:Failing", "-q"]) == 1
    assert (
        "crewkit: error: Failing failed in step 'begin': RuntimeError: the printer is on fire"
        in capsys.readouterr().err
    )
