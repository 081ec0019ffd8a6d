"""The read-only JSON API and its OpenAPI document."""

from __future__ import annotations


from starlette.testclient import TestClient

from test_web_support import EVIL, client  # noqa: F401  (fixture)


def test_api_endpoints(client: TestClient) -> None:
    bills = client.get("/api/bills").json()
    assert {b["measure"] for b in bills["bills"]} == {"AB 1656", "AB 9999"}
    assert next(b for b in bills["bills"] if b["measure"] == "AB 9999")["title"] == EVIL
    assert client.get("/api/bills?all=1").json()["count"] == 5
    assert client.get("/api/bills?topic=crisis_988").json()["count"] == 1
    one = client.get("/api/bills/AB-1656").json()
    assert one["bill_id"] == "202520260AB1656" and one["versions"] and one["actions"]
    assert client.get("/api/bills/AB-424242").status_code == 404
    events = client.get("/api/events?limit=2").json()
    assert events["count"] == 2
    more = client.get(f"/api/events?since_id={events['next_since_id']}").json()
    assert all(e["id"] > events["next_since_id"] for e in more["events"])
    assert client.get("/api/events?limit=abc").status_code == 400
    hearings = client.get("/api/hearings").json()
    assert {h["status"] for h in hearings["hearings"]} == {"scheduled", "canceled"}


def test_openapi_document_lists_every_endpoint(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/bills", "/api/bills/{measure}", "/api/events", "/api/hearings"}
    for path in doc["paths"].values():
        assert "200" in path["get"]["responses"]
