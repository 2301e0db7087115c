"""A scriptable HTTP server on 127.0.0.1 for the backend tests: real sockets, no patched transports.

Each request takes the next step of the script: a reply (status, JSON or raw body, headers), an
SSE stream, a dropped connection, or a stall past the client's timeout.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crewkit.llm import RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=4, max_time=10.0, initial_wait=0.001, max_wait=0.01)
"""Real backoff, in milliseconds: tests configure the policy instead of patching sleep."""


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stream:
    events: list[Any]
    drop_after: int | None = None
    """Close the connection after this many events, mid-reply."""
    named: bool = False
    """Send an ``event:`` line with each event's ``type`` (as Anthropic does)."""


class Drop:
    """Close the connection without answering."""


@dataclass
class Stall:
    seconds: float


Step = Reply | Stream | Drop | Stall


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedServer:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.requests: list[Seen] = []
        self.times: list[float] = []
        self.connections = 0
        """TCP connections accepted so far."""
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out apart: no 40 ms ACK wait

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.connections += 1

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                with server._lock:
                    server.requests.append(
                        Seen(
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            json.loads(raw),
                        )
                    )
                    server.times.append(time.monotonic())
                    step = (
                        server.steps.pop(0)
                        if server.steps
                        else Reply(599, {"error": "script empty"})
                    )
                if isinstance(step, Drop):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(step, Stall):
                    time.sleep(step.seconds)
                    self.close_connection = True
                    return
                if isinstance(step, Stream):
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("connection", "close")
                    self.end_headers()
                    for sent, event in enumerate(step.events):
                        if step.drop_after is not None and sent >= step.drop_after:
                            self.connection.shutdown(socket.SHUT_RDWR)
                            break
                        data = event if isinstance(event, str) else json.dumps(event)
                        name = event.get("type") if isinstance(event, dict) else None
                        line = f"event: {name}\n" if step.named and name else ""
                        self.wfile.write(f"{line}data: {data}\n\n".encode())
                        self.wfile.flush()
                    self.close_connection = True
                    return
                body = step.raw if step.raw is not None else json.dumps(step.body).encode()
                self.send_response(step.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def script(self, *steps: Step) -> None:
        self.steps.extend(steps)

    @property
    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def chat_reply(
    text: str | None = "Hello.",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    finish: str = "stop",
    prompt_tokens: int = 11,
    completion_tokens: int = 7,
) -> Reply:
    """A Chat Completions 200 body."""
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return Reply(
        body={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "served-model",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def wire_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
