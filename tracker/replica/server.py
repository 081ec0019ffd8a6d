"""Run the replica with uvicorn, in the foreground (CLI) or a background thread (tests, demo)."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import uvicorn

from tracker.replica.app import Replica, build_app


#: ``LOW-HIGH``: pick replica ports only from this range (a shared machine where each user or CI
#: job is given its own ports); unset, the operating system picks any free port.
PORTS_VARIABLE = "REPLICA_PORTS"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on: the first free one in ``REPLICA_PORTS`` if set, else any."""
    wanted = os.environ.get(PORTS_VARIABLE, "").strip()
    if not wanted:
        candidates = [0]
    else:
        low, _, high = wanted.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError(f"no free port in {PORTS_VARIABLE}={wanted}")


class ReplicaServer:
    """A replica on a loopback port; ``start()`` returns once it accepts connections."""

    def __init__(self, pubinfo_dir: Path, port: int = 0, host: str = "127.0.0.1", scale: int = 0) -> None:
        self.replica = Replica(pubinfo_dir, scale=scale)
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(build_app(self.replica), host=host, port=self.port,
                                log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ReplicaServer:
        self.thread = threading.Thread(target=self.server.run, name="replica", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"replica did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=5)

    def serve_forever(self) -> None:
        self.server.run()
