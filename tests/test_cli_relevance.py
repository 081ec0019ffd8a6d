"""The relevance CLI contract: match, stage, topics check, explain (real console script)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import jsonl, tracker

LABELLED = Path(__file__).parent / "files" / "labelled"


def test_match_adds_decision_fields_and_keeps_input_order(tmp_path: Path) -> None:
    rows = [{"title": "Behavioral health.", "id": 1}, {"title": "Wildlife.", "summary": "Fish.", "id": 2},
            {"title": "Fees.", "summary": "Funds 988 crisis centers and mobile crisis teams.", "id": 3}]
    out = jsonl(tracker("match", "-", input="".join(json.dumps(r) + "\n" for r in rows)).stdout)
    assert [o["id"] for o in out] == [1, 2, 3]
    assert [o["relevant"] for o in out] == [True, False, True]
    assert all(isinstance(o["score"], int | float) and isinstance(o["topics"], list)
               and isinstance(o["matched"], list) for o in out)
    assert "crisis_988" in out[2]["topics"]


def test_match_reads_a_file_and_uses_a_topics_override(tmp_path: Path) -> None:
    topics = tmp_path / "t.toml"
    topics.write_text('[[topic]]\nid = "wild"\nlabel = "W"\nlabel_es = "W"\nterms = ["wildlife"]\n', encoding="utf-8")
    data = tmp_path / "in.jsonl"
    data.write_text('{"title": "Wildlife."}\n', encoding="utf-8")
    out = jsonl(tracker("match", str(data), "--topics", str(topics)).stdout)
    assert out[0]["relevant"] and out[0]["topics"] == ["wild"]


def test_match_invalid_json_names_the_line_and_exits_2() -> None:
    proc = tracker("match", "-", input='{"title": "a"}\n{oops\n', check=False)
    assert proc.returncode == 2 and "<stdin>:2:" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_match_missing_title_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text('{"summary": "x"}\n', encoding="utf-8")
    proc = tracker("match", str(data), check=False)
    assert proc.returncode == 2 and f"{data}:1: missing 'title'" in proc.stderr


def test_stage_labels_each_action() -> None:
    out = jsonl(tracker("stage", str(LABELLED / "actions.jsonl")).stdout)
    assert len(out) == 109 and all("stage" in o and "action" in o for o in out)


def test_stage_histories_gives_the_current_stage() -> None:
    out = jsonl(tracker("stage", "--histories", str(LABELLED / "histories.jsonl")).stdout)
    assert [o["stage"] for o in out] == [o["final_stage"] for o in out]


def test_stage_missing_action_exits_2() -> None:
    proc = tracker("stage", "-", input='{"date": "2025-01-01"}\n', check=False)
    assert proc.returncode == 2 and "<stdin>:1: missing 'action'" in proc.stderr


def test_topics_check_accepts_the_shipped_file() -> None:
    assert "ok" in tracker("topics", "check").stdout


def test_topics_check_prints_one_line_per_error_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[topic]]\nid = "A B"\nlabel = "x"\nterms = ["x"]\n[watch]\nbills = ["nope"]\n', encoding="utf-8")
    proc = tracker("topics", "check", "--topics", str(bad), check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 3
    assert all(line.startswith(f"{bad}:") for line in lines)


def test_explain_shows_why_a_stored_bill_matched_or_not(db_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "var")}
    tracker("init", env=env)
    tracker("import-pubinfo", str(Path(__file__).parent / "files/pubinfo/mini"), env=env)
    out = tracker("explain", "AB 831", env=env).stdout
    assert out.startswith("AB 831 (202520260AB831): not relevant")
    data = json.loads(tracker("explain", "AB-831", "--json", env=env).stdout)
    assert data["relevant"] is False and data["bill_id"] == "202520260AB831"


def test_explain_unknown_bill_is_one_line_error(db_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "var")}
    tracker("init", env=env)
    proc = tracker("explain", "AB 99999", env=env, check=False)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "unknown bill" in proc.stderr


def test_match_reads_a_file_notepad_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text('{"title": "Behavioral health."}\n', encoding="utf-8-sig")
    assert jsonl(tracker("match", str(data)).stdout)[0]["relevant"] is True
    piped = tracker("match", "-", input='\ufeff{"title": "Behavioral health."}\n').stdout
    assert jsonl(piped)[0]["relevant"] is True
