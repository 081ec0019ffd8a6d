"""Subscriptions: the API the web app calls, tokens, and the staff CLI (privacy included)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.clirun import tracker
from tracker.alerts import subscriptions as subs
from tracker.alerts.sender import send_pending
from tracker.alerts.tokens import BadToken, make_token, read_token
from tracker.alerts.testing import add_bill, database, recording_server
from tracker.db.base import transaction
from tracker.db.models_alerts import OutboxMessage, Subscriber, Subscription
from tracker.errors import TrackerError
from tracker.settings import get_settings


@pytest.fixture
def factory(db_url: str, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    factory = database(db_url)
    with transaction(factory) as s:  # subscriptions name bills we hold
        add_bill(s, "AB 13")
        add_bill(s, "SB 43")
    return factory


def outbox(s: Session, kind: str | None = None) -> list[OutboxMessage]:
    q = select(OutboxMessage)
    if kind:
        q = q.where(OutboxMessage.kind == kind)
    return list(s.execute(q).scalars())


def test_subscribe_is_idempotent_and_each_request_queues_one_confirmation(factory) -> None:
    with transaction(factory) as s:
        a = subs.subscribe(s, " Ana@Example.ORG ", topics=["crisis_988"], lang="es")
        b = subs.subscribe(s, "ana@example.org", bills=["AB 13"], lang="es")
        assert a.id == b.id and a.email == "ana@example.org" and a.confirmed_at is None
        assert {(x.kind, x.target) for x in a.subscriptions} == {("topic", "crisis_988"), ("bill", "202520260AB13")}
        assert len(outbox(s, "confirm")) == 2
        topic = next(x for x in a.subscriptions if x.kind == "topic")
        bill = next(x for x in a.subscriptions if x.kind == "bill")
        assert "new_action" not in topic.event_kinds and "outcome" in topic.event_kinds
        assert "new_action" in bill.event_kinds  # a bill subscription gets everything
    with transaction(factory) as s:
        sub = subs.find_by_token(s, a.token_id)
        assert sub is not None
        subs.confirm(s, sub)
        subs.subscribe(s, "ana@example.org", topics=["crisis_988"])  # confirmed: no new mail
        assert len(outbox(s, "confirm")) == 2


def test_bad_input_is_one_clear_error(factory) -> None:
    with transaction(factory) as s:
        for kwargs in ({"topics": ["not_a_topic"]}, {"bills": ["XY 1"]}, {}, {"topics": ["crisis_988"], "cadence": "hourly"},
                       {"topics": ["crisis_988"], "lang": "fr"}):
            with pytest.raises(TrackerError):
                subs.subscribe(s, "a@example.org", **kwargs)
        with pytest.raises(TrackerError):
            subs.subscribe(s, "not an address", topics=["crisis_988"])


def test_unsubscribe_stops_mail_and_delete_removes_everything(factory) -> None:
    with transaction(factory) as s:
        sub = subs.subscribe(s, "b@example.org", topics=["crisis_988"])
        subs.unsubscribe(s, sub)
        assert sub.status == "unsubscribed" and sub.subscriptions == []
        assert {r.status for r in outbox(s)} == {"canceled"}
        subs.delete_subscriber(s, sub)
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Subscriber)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Subscription)).scalar_one() == 0
        assert outbox(s) == []


def test_update_preferences_replaces_the_set(factory) -> None:
    with transaction(factory) as s:
        sub = subs.subscribe(s, "c@example.org", topics=["crisis_988", "peer_support"], confirmed=True)
        subs.update_preferences(s, sub, lang="es", topics=["peer_support"], bills=["SB 43"],
                                all_bills=True, cadence="weekly")
        assert {(x.kind, x.target, x.cadence) for x in sub.subscriptions} == {
            ("topic", "peer_support", "weekly"), ("bill", "202520260SB43", "weekly"), ("all", "", "weekly")}
        assert sub.lang == "es"


def test_a_bill_we_do_not_hold_is_refused_with_its_number(factory) -> None:
    with transaction(factory) as s, pytest.raises(subs.SubscriptionError, match="AB 99999"):
        subs.subscribe(s, "f@example.org", bills=["AB 99999"], confirmed=True)


def test_tokens_are_signed_per_purpose_and_can_expire() -> None:
    token = make_token("unsubscribe", "abc")
    assert read_token("unsubscribe", token) == "abc"
    with pytest.raises(BadToken):
        read_token("confirm", token)  # a link for one purpose cannot be used for another
    with pytest.raises(BadToken):
        read_token("unsubscribe", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    old = make_token("confirm", "abc")
    time.sleep(1.1)
    with pytest.raises(BadToken):
        read_token("confirm", old, max_age=0)
    assert issubclass(BadToken, TrackerError)


def test_cli_add_list_remove_and_import(factory, tmp_path) -> None:
    tracker("subscribers", "add", "Dee@example.org", "--topic", "crisis_988", "--bill", "AB 13",
            "--lang", "es", "--cadence", "immediate", "--confirmed")
    bad = tracker("subscribers", "add", "x@example.org", "--topic", "nope", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "nope" in bad.stderr
    csv = tmp_path / "people.csv"
    csv.write_text("email,lang,topics,bills,cadence\ne@example.org,en,crisis_988;peer_support,,weekly\n")
    assert "imported 1" in tracker("subscribers", "import", str(csv), "--confirmed").stdout
    listing = tracker("subscribers", "list").stdout
    assert "@" not in listing and "crisis_988" in listing and "AB 13" in listing
    assert "dee@example.org" in tracker("subscribers", "list", "--show-emails").stdout
    tracker("subscribers", "remove", "dee@example.org")
    with factory() as s:
        assert subs.find_by_email(s, "dee@example.org") is None


def test_saving_preferences_after_unsubscribing_starts_mail_again(factory) -> None:
    with transaction(factory) as s:
        sub = subs.subscribe(s, "ana@example.org", topics=["crisis_988"], confirmed=True)
        subs.unsubscribe(s, sub)
        assert sub.status == "unsubscribed"
        subs.update_preferences(s, sub, lang="en", topics=["crisis_988"], bills=[], all_bills=False,
                                cadence="immediate")
        assert sub.status == "active" and sub.confirmed_at is not None
        assert [(x.kind, x.target) for x in sub.subscriptions] == [("topic", "crisis_988")]


def test_the_sign_up_form_changes_nothing_for_a_confirmed_member_and_mails_them_their_link(factory) -> None:
    with transaction(factory) as s:
        subs.subscribe(s, "ana@example.org", topics=["crisis_988"], lang="en", confirmed=True)
    with transaction(factory) as s:  # anyone who knows the address, through the web form
        sub = subs.subscribe(s, "ana@example.org", topics=["youth_school"], lang="es")
        assert sub.lang == "en"
        assert [(x.kind, x.target) for x in sub.subscriptions] == [("topic", "crisis_988")]
        assert len(outbox(s, "manage")) == 1 and outbox(s, "confirm") == []


def test_staff_adding_a_bill_for_a_spanish_speaker_keeps_their_language(factory, tmp_path) -> None:
    tracker("subscribers", "add", "ana@example.org", "--bill", "AB 13", "--lang", "es", "--confirmed")
    tracker("subscribers", "add", "ana@example.org", "--bill", "SB 43", "--confirmed")
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("email,bills\nana@example.org,AB 13\n", encoding="utf-8")
    tracker("subscribers", "import", str(csv_file))
    with factory() as s:
        assert s.execute(select(Subscriber.lang).where(Subscriber.email == "ana@example.org")).scalar_one() == "es"


# Staff and the sign-up form each keep their own rules -------------

def test_an_address_with_accented_letters_is_refused_when_added_in_one_line(factory) -> None:
    """Plain SMTP cannot carry 'é': storing such an address would only fail at send time."""
    proc = tracker("subscribers", "add", "josé.núñez@example.org", "--topic", "crisis_988", "--lang", "es",
                   "--confirmed", check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "accented" in proc.stderr and "Traceback" not in proc.stderr
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Subscriber)).scalar_one() == 0


def test_an_import_does_not_re_subscribe_someone_who_unsubscribed_and_says_so(factory, tmp_path) -> None:
    with transaction(factory) as s:
        sub = subs.subscribe(s, "gone@example.org", topics=["crisis_988"], confirmed=True)
        subs.unsubscribe(s, sub)
    members = tmp_path / "members.csv"
    members.write_text("email,topics\ngone@example.org,crisis_988\nnew@example.org,crisis_988\n", encoding="utf-8")
    out = tracker("subscribers", "import", str(members), "--confirmed").stdout
    assert f"{members}:2: gone@example.org: not added: they unsubscribed" in out
    assert "imported 1 subscriber row(s); skipped 1" in out
    with factory() as s:
        gone = subs.find_by_email(s, "gone@example.org")
        assert gone is not None and gone.status == "unsubscribed" and gone.subscriptions == []
        assert [r.kind for r in outbox(s) if r.subscriber_id == gone.id and r.status == "pending"] == []


def test_staff_cannot_re_add_someone_who_unsubscribed(factory) -> None:
    with transaction(factory) as s:
        subs.unsubscribe(s, subs.subscribe(s, "gone@example.org", topics=["crisis_988"], confirmed=True))
    for extra in (["--confirmed"], []):
        proc = tracker("subscribers", "add", "gone@example.org", "--bill", "AB 13", *extra, check=False)
        assert proc.returncode == 1
        assert proc.stdout.strip() == ("gone@example.org: not added: they unsubscribed; only they can sign up "
                                       "again (on the web site)")
    with factory() as s:
        gone = subs.find_by_email(s, "gone@example.org")
        assert gone is not None and (gone.status, gone.subscriptions) == ("unsubscribed", [])
        assert {r.status for r in outbox(s)} <= {"canceled"}  # no confirmation email either


def test_staff_adding_a_bill_to_a_member_adds_it_says_what_changed_and_sends_no_email(factory) -> None:
    tracker("subscribers", "add", "member@example.org", "--topic", "crisis_988", "--cadence", "weekly", "--confirmed")
    out = tracker("subscribers", "add", "member@example.org", "--bill", "AB 13", "--lang", "es").stdout
    assert out.strip() == "member@example.org: updated (confirmed): now follows AB 13; language en → es"
    with factory() as s:
        sub = subs.find_by_email(s, "member@example.org")
        assert sub is not None and sub.lang == "es"
        assert {(x.kind, x.target, x.cadence) for x in sub.subscriptions} == {
            ("topic", "crisis_988", "weekly"), ("bill", "202520260AB13", "weekly")}
        assert outbox(s) == []  # no "you are already signed up" email to the member
    again = tracker("subscribers", "add", "member@example.org", "--bill", "AB 13").stdout
    assert again.strip() == "member@example.org: updated (confirmed): nothing new (already follows that)"


def test_a_paused_member_who_signs_up_again_comes_back_only_by_confirming(factory, monkeypatch) -> None:
    """Their mail bounced, so the form (which anyone can fill in) changes nothing until a
    confirmation reaches them; confirming reactivates them with what they asked for."""
    with transaction(factory) as s:
        sub = subs.subscribe(s, "ana@example.org", topics=["crisis_988"], lang="en", confirmed=True)
        sub.status, sub.bounce_count = "paused", 3  # as the sender leaves it after three bounces
    with transaction(factory) as s:  # what the sign-up form calls
        sub = subs.subscribe(s, "ana@example.org", topics=["peer_support"], lang="es", cadence="weekly")
        assert (sub.status, sub.lang, sub.bounce_count) == ("paused", "en", 3)
        assert [(x.kind, x.target) for x in sub.subscriptions] == [("topic", "crisis_988")]
        assert [r.kind for r in outbox(s)] == ["confirm"]
    with recording_server() as (h, port):
        monkeypatch.setenv("TRACKER_SMTP__HOST", "127.0.0.1")
        monkeypatch.setenv("TRACKER_SMTP__PORT", str(port))
        monkeypatch.setenv("TRACKER_SMTP__TLS", "none")
        get_settings.cache_clear()
        assert send_pending(factory).sent == 1
        (message,) = h.parsed()
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Confirme sus alertas de Capitol Watch"  # the language asked for
    with transaction(factory) as s:
        sub = subs.find_by_email(s, "ana@example.org")
        subs.confirm(s, sub)
    with factory() as s:
        sub = subs.find_by_email(s, "ana@example.org")
        assert (sub.status, sub.lang, sub.bounce_count) == ("active", "es", 0)
        assert {(x.kind, x.target, x.cadence) for x in sub.subscriptions} == {
            ("topic", "crisis_988", "weekly"), ("topic", "peer_support", "weekly")}  # "How often" is for all


# Addresses that are not one deliverable address are refused before anything is stored --------

NOT_ONE_ADDRESS = [
    "ana@example",          # no top-level domain
    "ana,bob@example.org",  # two people in one field
    "ana bob@example.org",
    "ana@ex@ample.org",
    "@example.org",         # no mailbox
    "ana@",                 # no domain
    "ana@.example.org",     # an empty part of the domain
    "ana@example..org",
    "ana@-example.org",     # a part of the domain starting with a hyphen
]


@pytest.mark.parametrize("address", NOT_ONE_ADDRESS)
def test_staff_adding_a_malformed_address_is_refused_in_one_line_naming_it(factory, address) -> None:
    proc = tracker("subscribers", "add", address, "--topic", "crisis_988", "--confirmed", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"tracker: error: not an email address: {address!r}"]
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Subscriber)).scalar_one() == 0


@pytest.mark.parametrize("address", NOT_ONE_ADDRESS)
def test_signing_up_with_a_malformed_address_is_refused_and_stores_nothing(factory, address) -> None:
    with transaction(factory) as s, pytest.raises(subs.SubscriptionError) as refused:
        subs.subscribe(s, address, topics=["crisis_988"])
    assert str(refused.value) == f"not an email address: {address!r}"
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Subscriber)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0


@pytest.mark.parametrize("address", ["ana@mail.example.co.uk", "ana+alerts@example.org",
                                     "ana@xn--80ak6aa92e.xn--p1ai"])
def test_ordinary_and_internationalised_domain_addresses_are_accepted(address) -> None:
    assert subs.normalise_email(address) == address
