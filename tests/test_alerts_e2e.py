"""End to end, as an operator would: init, import, subscribe, re-import a change, send."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.clirun import tracker
from tracker.alerts.testing import recording_server

NEW_ROW = ("`202520260AB1656`\t118527999\t2026-06-15 00:00:00\t"
           "`Read third time. Passed. Ordered to the Assembly. (Ayes 38. Noes 0.)`\t`LEG_ESI`\t"
           "2026-06-16 20:08:57\t12\t`99`\t`Applied`\t`Assembly`\t`Floor`\t`Third Reading`\t"
           "`In Floor Process`\n")


def modified_copy(files: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "mini2"
    shutil.copytree(files / "pubinfo" / "mini", copy)
    hist = copy / "BILL_HISTORY_TBL.dat"
    data = hist.read_bytes()
    hist.write_bytes(data + (b"" if data.endswith(b"\n") else b"\n") + NEW_ROW.encode())
    return copy


def test_import_subscribe_reimport_send(db_url: str, files: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"TRACKER_DATABASE_URL": db_url}
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo" / "mini"), env=env)
    tracker("subscribers", "add", "ana@example.org", "--bill", "AB 1656", "--confirmed", env=env)
    tracker("subscribers", "add", "luis@example.org", "--bill", "AB 1656", "--lang", "es",
            "--confirmed", env=env)
    tracker("subscribers", "add", "other@example.org", "--bill", "AB 831", "--confirmed", env=env)
    with recording_server() as (h, port):
        smtp = env | {"TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": str(port),
                      "TRACKER_SMTP__TLS": "none"}
        assert "sent 0" in tracker("send", env=smtp).stdout  # the first import alerts nobody
        tracker("import-pubinfo", str(modified_copy(files, tmp_path)), env=env)
        out = tracker("send", env=smtp).stdout
        assert "sent 2, deferred 0, failed 0" in out
        assert "sent 0" in tracker("send", env=smtp).stdout  # running again sends nothing new
        tracker("import-pubinfo", str(modified_copy(files, tmp_path / "again")), env=env)
        assert "sent 0" in tracker("send", env=smtp).stdout  # re-importing the same data: nothing
        msgs = {m["To"]: m for m in h.parsed()}
        assert sorted(msgs) == ["ana@example.org", "luis@example.org"]
        en, es = msgs["ana@example.org"], msgs["luis@example.org"]
        for m in (en, es):
            assert m["Message-ID"] and m["List-Unsubscribe"].startswith("<http")
            assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
        assert en["Subject"] == "AB 1656 moved forward"
        assert "Read third time. Passed." in en.get_body(("plain",)).get_content()
        # the Senate passed the Assembly's bill (its second house): the words say which house
        # and what comes next, once, with no stale "passed the Assembly" from the first import
        plain = en.get_body(("plain",)).get_content()
        assert "AB 1656 passed the Senate too. It goes back to the Assembly." in plain
        assert "passed the Assembly" not in plain
        assert es["Subject"] == "AB 1656 avanzó"
        assert (en["Content-Language"], es["Content-Language"]) == ("en", "es")
        body = es.get_body(("plain",)).get_content()
        assert "también en el Senado" in body and "988" in body and "/bills/AB-1656" in body, body
        assert "registro oficial" in es.get_body(("html",)).get_content()


def test_a_confirmed_member_who_signs_up_again_gets_their_preferences_link_in_their_language(
        db_url: str, files: Path) -> None:
    env = {"TRACKER_DATABASE_URL": db_url}
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo" / "mini"), env=env)
    tracker("subscribers", "add", "luis@example.org", "--bill", "AB 1656", "--lang", "es",
            "--confirmed", env=env)
    from tracker.alerts import subscriptions as subs
    from tracker.alerts.testing import database
    from tracker.db.base import transaction

    with transaction(database(db_url)) as s:  # what the sign-up form calls
        subs.subscribe(s, "luis@example.org", topics=["crisis_988"], lang="en")
    with recording_server() as (h, port):
        smtp = env | {"TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": str(port),
                      "TRACKER_SMTP__TLS": "none"}
        assert "sent 1," in tracker("send", env=smtp).stdout
        (m,) = h.parsed()
    assert m["Subject"] == "Usted ya está inscrito en las alertas de Capitol Watch"
    body = m.get_body(("plain",)).get_content()
    assert "no cambiamos nada" in body and "988" in body
    assert "/preferences/" in body and "?lang=es" in body and "/confirm/" not in body
