"""A real HTTP server on a free local port standing in for Microsoft Teams, Slack or a customer's webhook receiver:
it records every POST and answers as the test scripts it (200, an error status, or hanging past the timeout)."""

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    def __init__(self):
        self.received: list[Received] = []
        # What to do with the next requests, in order ("ok", an int status, or ("hang", seconds)); then "ok".
        self.script: list = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body, time.monotonic()))
                    action = receiver.script.pop(0) if receiver.script else "ok"
                if isinstance(action, tuple) and action[0] == "hang":
                    time.sleep(action[1])
                    action = "ok"
                status = 200 if action == "ok" else action
                answer = b"ok" if status == 200 else b"server_error"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (a timeout): that is the point
                    self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"expected {count} requests, got {len(self.received)}"
        return list(self.received)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
