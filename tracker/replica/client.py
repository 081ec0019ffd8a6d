"""A tiny client for the replica's control API (tests, benchmark, demos); stdlib only."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


class ReplicaClient:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def post(self, _action: str, /, **data: Any) -> dict[str, Any]:
        req = urllib.request.Request(f"{self.base}/_replica/{_action}", data=json.dumps(data).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
            return dict(json.load(resp))

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.base}/_replica/stats", timeout=10) as resp:  # noqa: S310
            return {k: int(v) for k, v in json.load(resp).items()}

    def gaps(self) -> list[float]:
        """Seconds between consecutive page requests (robots.txt not counted)."""
        with urllib.request.urlopen(f"{self.base}/_replica/arrivals", timeout=10) as resp:  # noqa: S310
            return [float(x) for x in json.load(resp)]

    def requests(self) -> list[dict[str, Any]]:
        """Page requests in arrival order: ``at`` (seconds, monotonic), ``path``, ``query`` and
        ``fault_status`` (the status an injected fault answered with, else ``None``)."""
        with urllib.request.urlopen(f"{self.base}/_replica/requests", timeout=10) as resp:  # noqa: S310
            return [dict(e) for e in json.load(resp)]

    def reset_stats(self) -> None:
        self.post("stats/reset")

    def fault(self, path: str, kind: str, **options: Any) -> None:
        self.post("fault", path=path, kind=kind, **options)
