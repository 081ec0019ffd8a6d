"""Pure helpers behind the sheets: sentences, shortening, version comparison, progress line."""

from __future__ import annotations

from tracker.advocacy.progress import bill_progress
from tracker.advocacy.text import compare, digest_summary, sentences, shorten


def test_sentences_do_not_split_abbreviations_and_join_hard_breaks() -> None:
    text = "Existing law, Sec. 5 of the U.S. Code, says x.\nIt also\nsays y.\n\nThis bill would do z."
    assert sentences(text) == ["Existing law, Sec. 5 of the U.S. Code, says x.", "It also says y.",
                               "This bill would do z."]


def test_shorten_cuts_at_a_word_and_flags_it() -> None:
    assert shorten("hello world this is long", 13) == ("hello world…", True)
    assert shorten("short", 10) == ("short", False)


def test_digest_summary_starts_at_this_bill() -> None:
    digest = "Existing law does this. It does that.\n\nThis bill would do more. It would do less."
    assert digest_summary(digest, 100) == ("This bill would do more. It would do less.", False)
    text, cut = digest_summary(digest, 30)
    assert text == "This bill would do more." and cut


def test_compare_reports_added_removed_reworded() -> None:
    c = compare("A cat sat on the mat today. Dogs bark loudly at night. Birds sing.",
                "A cat sat on the red mat today. Birds sing. Fish swim.")
    assert c.added == ["Fish swim."] and c.removed == ["Dogs bark loudly at night."]
    assert [(s.kind, s.text) for s in c.reworded[0]] == [
        ("same", "A cat sat on the "), ("ins", "red "), ("same", "mat today.")]
    assert compare("Same.", "Same.").empty


def test_progress_line() -> None:
    assert bill_progress("in_committee", "AB", "Assembly", ["introduced", "in_committee"]).step == 1
    p = bill_progress("floor", "AB", "Senate", ["passed_house", "floor"])
    assert (p.step, p.state) == (3, "moving")
    assert bill_progress("chaptered", "SB", "Secretary of State", []).state == "law"
    assert bill_progress("vetoed", "SB", "Senate", []).state == "vetoed"
    held = bill_progress("held_in_committee", "SB", "Senate", ["in_committee", "held_in_committee"])
    assert (held.step, held.state) == (1, "stopped")
    assert bill_progress("two_year", "AB", "Assembly", ["in_committee", "floor", "two_year"]).step == 2
    assert bill_progress(None, "AB", None, []).state == "unknown"
