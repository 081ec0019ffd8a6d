"""The core command-line contract: init, import-pubinfo, export, show, runs, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.clirun import jsonl, tracker

CONTRACT_TABLES = ("BILL_TBL.dat", "BILL_HISTORY_TBL.dat", "BILL_VERSION_AUTHORS_TBL.dat", "VETO_MESSAGE_TBL.dat")


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "var")}


@pytest.fixture
def partial_extract(files: Path, tmp_path: Path) -> Path:
    """Some tables, no BILL_VERSION_TBL: as in the acceptance check."""
    out = tmp_path / "partial"
    out.mkdir()
    for name in CONTRACT_TABLES:
        shutil.copy(files / "pubinfo/mini" / name, out / name)
    return out


def test_export_bills_has_the_contract_fields(env, partial_extract) -> None:
    tracker("init", env=env)
    tracker("import-pubinfo", str(partial_extract), env=env)
    bills = {b["measure"]: b for b in jsonl(tracker("export", "bills", "--format", "jsonl", env=env).stdout)}
    assert set(bills) == {"AB 831", "AB 1656", "AB 2052", "SB 275"}
    ab831 = bills["AB 831"]
    assert ab831["bill_id"] == "202520260AB831" and ab831["session"] == "20252026"
    assert ab831["title"] is None  # no BILL_VERSION_TBL: title unknown
    assert ab831["current_status"] == "Chaptered" and ab831["current_house"] == "Secretary of State"
    assert ab831["last_action_date"] == "2025-10-11"
    assert ab831["history_count"] > 0
    assert ab831["authors"] == ["Valencia"]  # author rows find their bill through the version id
    assert "current_location" in ab831 and "last_action" in ab831


def test_export_events_and_reimport_adds_nothing(env, partial_extract) -> None:
    tracker("init", env=env)
    tracker("import-pubinfo", str(partial_extract), env=env)
    first_bills = tracker("export", "bills", env=env).stdout
    events = jsonl(tracker("export", "events", "--format", "jsonl", env=env).stdout)
    assert {e["kind"] for e in events} == {"new_bill"}
    assert all({"bill_id", "kind", "created_at", "before", "after"} <= e.keys() for e in events)
    tracker("import-pubinfo", str(partial_extract), env=env)
    assert jsonl(tracker("export", "events", env=env).stdout) == events
    assert tracker("export", "bills", env=env).stdout == first_bills


def test_show_prints_history_and_versions(env, files) -> None:
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env)
    out = tracker("show", "AB 831", env=env).stdout
    assert "AB 831" in out and "Gambling: operation of a contest or sweepstakes." in out
    assert "Chaptered by Secretary of State" in out and "Valencia" in out


def test_unknown_bill_is_one_line_error(env) -> None:
    tracker("init", env=env)
    proc = tracker("show", "AB 99999", env=env, check=False)
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and "AB 99999" in proc.stderr and "Traceback" not in proc.stderr


def test_a_zip_imports_like_a_directory(env, files, tmp_path) -> None:
    archive = tmp_path / "pubinfo_daily_Mon.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in (files / "pubinfo/mini").iterdir():
            zf.write(p, p.name)
    tracker("init", env=env)
    out = tracker("import-pubinfo", str(archive), env=env).stdout
    assert "4 bills seen, 4 new" in out


def _bad_input_leaves_data_alone(env, files, bad: Path, expected: str) -> None:
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env)
    before = tracker("export", "bills", env=env).stdout
    proc = tracker("import-pubinfo", str(bad), env=env, check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert expected in proc.stderr
    assert tracker("export", "bills", env=env).stdout == before


def test_truncated_zip_is_one_clear_line(env, files, tmp_path) -> None:
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in (files / "pubinfo/mini").iterdir():
            zf.write(p, p.name)
    bad = tmp_path / "truncated.zip"
    bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    _bad_input_leaves_data_alone(env, files, bad, "truncated.zip")


def test_corrupt_member_in_zip_is_one_clear_line(env, files, tmp_path) -> None:
    data = (files / "pubinfo/mini/BILL_HISTORY_TBL.dat").read_bytes()
    bad = tmp_path / "corrupt.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("BILL_HISTORY_TBL.dat", data)
    raw = bytearray(bad.read_bytes())
    mid = raw.find(b"BILL_HISTORY_TBL.dat") + 40
    raw[mid : mid + 50] = b"\x00" * 50
    bad.write_bytes(bytes(raw))
    _bad_input_leaves_data_alone(env, files, bad, "corrupt.zip")


def test_wrong_column_count_names_file_and_line(env, files, tmp_path) -> None:
    bad = tmp_path / "extract"
    shutil.copytree(files / "pubinfo/mini", bad)
    lines = (bad / "BILL_HISTORY_TBL.dat").read_bytes().split(b"\n")
    lines[4] = lines[4] + b"\t`extra`"
    (bad / "BILL_HISTORY_TBL.dat").write_bytes(b"\n".join(lines))
    _bad_input_leaves_data_alone(env, files, bad, "BILL_HISTORY_TBL.dat:5: expected 13 columns, found 14")


def test_invalid_utf8_names_file_and_line(env, files, tmp_path) -> None:
    bad = tmp_path / "extract"
    shutil.copytree(files / "pubinfo/mini", bad)
    raw = (bad / "BILL_TBL.dat").read_bytes().replace(b"Vetoed", b"Vet\xffed")
    (bad / "BILL_TBL.dat").write_bytes(raw)
    _bad_input_leaves_data_alone(env, files, bad, "BILL_TBL.dat:1: invalid UTF-8")


def test_unknown_file_is_one_clear_line(env, files, tmp_path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    _bad_input_leaves_data_alone(env, files, bad, "notes.txt")


def test_a_stray_file_inside_an_extract_is_named_in_a_warning_and_the_rest_imported(env, files, tmp_path) -> None:
    extract = tmp_path / "extract"
    shutil.copytree(files / "pubinfo/mini", extract)
    (extract / "notes.txt").write_text("hello")
    tracker("init", env=env)
    proc = tracker("import-pubinfo", str(extract), env=env)
    assert "not PUBINFO tables, skipped: notes.txt" in proc.stderr
    assert "4 new" in proc.stdout


def test_commands_refuse_an_uninitialised_database(env) -> None:
    proc = tracker("bills", env=env, check=False)
    assert proc.returncode == 2 and "tracker init" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_setting_is_one_line_naming_it(env) -> None:
    proc = tracker("bills", env={**env, "TRACKER_SMTP__PORT": "lots"}, check=False)
    assert proc.returncode == 2
    assert "smtp.port" in proc.stderr and "TRACKER_SMTP__PORT" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_config_show_redacts_secrets(env) -> None:
    out = tracker("config", "show", env={**env, "TRACKER_SMTP__PASSWORD": "hunter2",
                                         "TRACKER_SECRET_KEY": "s3cret"}).stdout
    assert "hunter2" not in out and "s3cret" not in out and '"password": "***"' in out


def test_runs_lists_each_import(env, files) -> None:
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env)
    out = tracker("runs", env=env).stdout
    assert "pubinfo" in out and "ok" in out


def test_unknown_database_kind_is_one_line_naming_the_setting(env) -> None:
    proc = tracker("bills", env={**env, "TRACKER_DATABASE_URL": "nonsense://"}, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "database_url" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("TRACKER_SCHEDULE__TIMEZONE", "Mars/Base", "schedule.timezone"),
    ("TRACKER_SCHEDULE__WEB", "garbage", "schedule.web"),
    ("TRACKER_ALERTS__STAFF_EMAILS", "notjson", "TRACKER_ALERTS__STAFF_EMAILS"),
])
def test_a_bad_schedule_time_zone_or_list_setting_is_one_line_naming_it(env, variable, value, named) -> None:
    proc = tracker("config", "show", env={**env, variable: value}, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert named in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_county_crisis_line_is_added_to_988_not_put_in_its_place(env) -> None:
    import json

    county = '[{"name": "Fresno County crisis line", "how": "call 1-800-555-0100"}]'
    for value in (county, "[]"):
        out = tracker("config", "show", env={**env, "TRACKER_ALERTS__CRISIS_RESOURCES": value}).stdout
        names = [r["name"] for r in json.loads(out)["alerts"]["crisis_resources"]]
        assert names[0] == "988 Suicide & Crisis Lifeline"
        assert ("Fresno County crisis line" in names) == (value == county)


def test_topics_check_on_a_missing_file_is_an_operator_error(env) -> None:
    proc = tracker("topics", "check", env={**env, "TRACKER_TOPICS_PATH": "/nope/topics.toml"}, check=False)
    assert proc.returncode == 2 and "no such topics file" in proc.stderr


def test_importing_a_path_that_does_not_exist_records_no_failed_run(env) -> None:
    tracker("init", env=env)
    proc = tracker("import-pubinfo", "/nope/extract.zip", env=env, check=False)
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr
    assert "failed" not in tracker("runs", env=env).stdout


def test_a_folder_whose_dat_files_are_no_pubinfo_table_is_refused(env, tmp_path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "escaped_rows.dat").write_text("`a`\t`b`\n")
    tracker("init", env=env)
    proc = tracker("import-pubinfo", str(folder), env=env, check=False)
    assert proc.returncode == 2 and "none of the .dat files is a PUBINFO table" in proc.stderr


def test_show_prints_the_governors_veto_message_as_plain_text(env, files, tmp_path) -> None:
    extract = tmp_path / "veto"
    extract.mkdir()
    for name in ("BILL_TBL.dat", "BILL_HISTORY_TBL.dat", "VETO_MESSAGE_TBL.dat"):
        shutil.copy(files / "pubinfo/mini" / name, extract / name)
    (extract / "VETO_MESSAGE_TBL_1.lob").write_text(
        "<html><body><p>To the Members of the California State Senate:</p>"
        "<p>I am returning Senate Bill 275 without my signature.</p></body></html>", encoding="utf-8")
    tracker("init", env=env)
    tracker("import-pubinfo", str(extract), env=env)
    out = tracker("show", "SB 275", env=env).stdout
    assert "Veto message (2025-10-10):" in out
    assert "  I am returning Senate Bill 275 without my signature." in out and "<p>" not in out


def test_exported_authors_put_the_lead_author_first_whatever_the_row_order(env, partial_extract) -> None:
    """Bulk rows come in no particular order; the export names the lead author first, as `show` does."""
    rows = (partial_extract / "BILL_VERSION_AUTHORS_TBL.dat").read_text(encoding="utf-8").splitlines(keepends=True)
    (partial_extract / "BILL_VERSION_AUTHORS_TBL.dat").write_text("".join(reversed(rows)), encoding="utf-8")
    tracker("init", env=env)
    tracker("import-pubinfo", str(partial_extract), env=env)
    bills = {b["measure"]: b for b in jsonl(tracker("export", "bills", "--format", "jsonl", env=env).stdout)}
    assert bills["SB 275"]["authors"] == ["Smallwood-Cuevas", "Limón"]


def test_secrets_are_read_from_one_file_per_setting_as_the_readme_says(env, tmp_path) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "secret_key").write_text("k3y-from-file\n", encoding="utf-8")
    (folder / "smtp__password").write_text("pw-from-file", encoding="utf-8")
    (folder / "some_other_service_token").write_text("not ours", encoding="utf-8")
    code = ("from tracker.settings import get_settings; s = get_settings(); "
            "print(s.secret_key.get_secret_value(), s.smtp.password.get_secret_value(), s.smtp.host)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **env, "TRACKER_SECRETS_DIR": str(folder),
                              "TRACKER_SMTP__HOST": "mail.example.org"}).stdout
    assert out.split() == ["k3y-from-file", "pw-from-file", "mail.example.org"]
    shown = tracker("config", "show", env={**env, "TRACKER_SECRETS_DIR": str(folder)}).stdout
    assert "k3y-from-file" not in shown and "pw-from-file" not in shown


def test_a_missing_secrets_folder_is_one_line(env, tmp_path) -> None:
    proc = tracker("bills", env={**env, "TRACKER_SECRETS_DIR": str(tmp_path / "nowhere")}, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "TRACKER_SECRETS_DIR" in proc.stderr


def test_sending_real_mail_with_the_development_key_is_warned_about(env) -> None:
    tracker("init", env=env)
    smtp = {**env, "TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": "9"}
    assert "development key" in tracker("send", env=smtp, check=False).stderr
    assert "development key" not in tracker("send", env={**smtp, "TRACKER_SECRET_KEY": "a-real-one"},
                                            check=False).stderr


def test_importing_one_table_file_says_to_give_its_folder(env, files) -> None:
    tracker("init", env=env)
    proc = tracker("import-pubinfo", str(files / "pubinfo/mini/BILL_TBL.dat"), env=env, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "give the folder" in proc.stderr


def test_an_impossibly_large_measure_number_is_an_unknown_bill(env, files) -> None:
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env)
    proc = tracker("show", "AB 99999999999999999999", env=env, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "unknown bill" in proc.stderr


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("TRACKER_SMTP__HOTS", "mail.example.org", "smtp.hots"),  # a typo would send nothing, silently
    ("TRACKER_SOURCES__MAINTENANCE_WINDOW", "mornings", "sources.maintenance_window"),
    ("TRACKER_CONFIG", "/nowhere/settings.toml", "TRACKER_CONFIG"),
])
def test_a_misspelt_or_missing_setting_is_one_line_not_ignored(env, variable, value, named) -> None:
    proc = tracker("bills", env={**env, variable: value}, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and named in proc.stderr


def test_config_show_hides_the_database_password_and_names_the_development_key(env) -> None:
    out = tracker("config", "show", env={**env, "TRACKER_DATABASE_URL": "postgresql://cw:Sup3r@db.example/x"}).stdout
    assert "Sup3r" not in out and "postgresql://cw:***@db.example/x" in out
    assert "development key" in out


def test_a_database_that_cannot_be_opened_is_not_blamed_on_a_missing_init(env, tmp_path) -> None:
    proc = tracker("bills", env={**env, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}"}, check=False)  # a folder
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "unable to open" in proc.stderr
    assert "tracker init" not in proc.stderr


def test_a_database_never_initialised_still_says_run_init(env, tmp_path) -> None:
    proc = tracker("bills", env={**env, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}, check=False)
    assert proc.returncode == 2 and "tracker init" in proc.stderr


def test_the_web_app_on_a_taken_port_says_so_in_one_line(env) -> None:
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        tracker("init", env=env)
        proc = tracker("web", "--port", str(port), env=env, check=False, timeout=30)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "cannot listen" in proc.stderr


def test_the_web_app_will_not_serve_the_world_with_the_development_key(env) -> None:
    tracker("init", env=env)
    proc = tracker("web", "--host", "0.0.0.0", "--port", "1", env=env, check=False, timeout=30)
    assert proc.returncode == 2 and "development key" in proc.stderr


def test_the_replica_on_a_taken_port_says_so_in_one_line(env) -> None:
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = tracker("replica", "serve", "--port", str(port), env=env, check=False, timeout=30)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "cannot listen" in proc.stderr


def test_corrupt_bill_text_file_in_zip_is_one_clear_line(env, files, tmp_path) -> None:
    """A damaged .lob member is a damaged download like a damaged table: one line naming it."""
    lob = next(p for p in sorted((files / "pubinfo/mini").glob("BILL_VERSION_TBL_*.lob")))
    bad = tmp_path / "corrupt-text.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in (files / "pubinfo/mini").iterdir():
            zf.write(p, p.name)
    raw = bytearray(bad.read_bytes())
    mid = raw.find(lob.name.encode()) + len(lob.name) + 60
    raw[mid : mid + 20] = b"\x00" * 20
    bad.write_bytes(bytes(raw))
    tracker("init", env=env)  # an empty database: every print's text is read
    proc = tracker("import-pubinfo", str(bad), env=env, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and f"corrupt-text.zip!{lob.name}" in proc.stderr
    assert tracker("export", "bills", env=env).stdout == ""


def test_show_heads_a_signed_bills_governor_message_as_a_signing_message(env, files, tmp_path) -> None:
    extract = tmp_path / "extract"
    shutil.copytree(files / "pubinfo/mini", extract)
    veto = (extract / "VETO_MESSAGE_TBL.dat").read_text(encoding="utf-8")
    (extract / "VETO_MESSAGE_TBL.dat").write_text(
        veto + veto.splitlines()[0].replace("202520260SB275", "202520260AB831") + "\n", encoding="utf-8")
    tracker("init", env=env)
    tracker("import-pubinfo", str(extract), env=env)
    assert "Signing message" in tracker("show", "AB 831", env=env).stdout
    assert "Veto message" in tracker("show", "SB 275", env=env).stdout


def test_export_orders_a_regular_session_bill_before_its_extraordinary_namesake(env, files) -> None:
    """AB 1 and ABX1 1 share year, type and number: the order must not be left to the database."""
    tracker("init", env=env)
    tracker("import-pubinfo", str(files / "pubinfo/archive/1999"), env=env)
    ids = [json.loads(line)["bill_id"] for line in tracker("export", "bills", env=env).stdout.splitlines()]
    assert ids.index("199920000AB1") == ids.index("199920001AB1") - 1
