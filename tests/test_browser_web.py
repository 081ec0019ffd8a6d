"""End-to-end in headless Chromium against the real ``tracker web`` on loopback.

A real aiosmtpd server receives the mail that ``tracker send`` delivers, so the whole member
journey is exercised: subscribe → confirmation email → confirm → change preferences →
unsubscribe (and RFC 8058 one-click), in English, in Spanish and with JavaScript off.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, sync_playwright

from test_web_support import free_port, seed, start_web

pytestmark = pytest.mark.browser
TRACKER = str(Path(sys.executable).with_name("tracker"))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
LINK = re.compile(r"https?://127\.0\.0\.1:\d+/(?:confirm|preferences|unsubscribe)/[A-Za-z0-9_.\-]+")


class Inbox:
    """aiosmtpd handler that keeps every delivered message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium missing: run scripts/system-deps.sh")
    tmp = tmp_path_factory.mktemp("web")
    db_url = f"sqlite:///{tmp / 'web.db'}"
    seed(db_url).kw["bind"].dispose()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp / "var"),
                "TRACKER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "TRACKER_SECRET_KEY": "browser-test-secret",
                "TRACKER_SMTP__HOST": "127.0.0.1", "TRACKER_SMTP__PORT": str(smtp.port),
                "TRACKER_SMTP__TLS": "none", "TRACKER_SMTP__OUTBOX_DIR": str(tmp / "outbox"),
                "TRACKER_WEB__SUBSCRIBE_RATE_PER_IP": "50"})
    proc, base = start_web(env, port)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield {"base": base, "env": env, "inbox": inbox, "browser": browser}
        browser.close()
    proc.terminate()
    proc.wait(timeout=10)
    smtp.stop()


def send_mail(site: dict[str, Any]) -> None:
    proc = subprocess.run([TRACKER, "send"], env=site["env"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def mail_to(site: dict[str, Any], address: str) -> EmailMessage:
    for _ in range(50):
        found = [m for m in site["inbox"].messages if address in str(m["To"])]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail for {address}")


def links(msg: EmailMessage) -> dict[str, str]:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    out: dict[str, str] = {}
    for url in LINK.findall(part.get_content()):
        out.setdefault(url.split("/")[3], url)
    return out


def subscribe_in_browser(browser: Browser, base: str, address: str, *, js: bool = True,
                         lang: str = "en") -> str:
    ctx = browser.new_context(java_script_enabled=js, locale="es-MX" if lang == "es" else "en-US")
    page = ctx.new_page()
    page.goto(base + "/")
    page.click("a[href='/subscribe']")
    page.fill("#email", address)
    page.check(f"#lang-{lang}")
    page.check("#topic-mental_health_services")
    page.fill("#bills", "AB 1656")
    page.check("#cadence-weekly")
    page.click("form.stack button[type=submit]")
    text = page.inner_text("main")
    ctx.close()
    return text


def test_member_journey_english(site: dict[str, Any]) -> None:
    browser, base = site["browser"], site["base"]
    text = subscribe_in_browser(browser, base, "ana@example.org")
    assert "Check your email" in text
    send_mail(site)
    msg = mail_to(site, "ana@example.org")
    urls = links(msg)
    assert "confirm" in urls
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(urls["confirm"])
    page.click("main form button[type=submit]")
    assert "You are subscribed" in page.inner_text("h1")
    page.click("text=Change what you get")
    assert "Your alert choices" in page.inner_text("h1")
    assert page.is_checked("#topic-mental_health_services") and page.is_checked("#cadence-weekly")
    page.check("#topic-crisis_988")
    page.check("#cadence-daily")
    page.click("form.stack button[type=submit]")
    assert "Saved" in page.inner_text("main")
    page.reload()
    assert page.is_checked("#topic-crisis_988") and page.is_checked("#cadence-daily")
    page.click("text=Stop all alerts")
    assert "Stop alerts" in page.inner_text("h1")
    page.click("main form button[type=submit]")
    assert "You are unsubscribed" in page.inner_text("h1")
    ctx.close()


def test_one_click_unsubscribe_from_the_mail_header(site: dict[str, Any]) -> None:
    subscribe_in_browser(site["browser"], site["base"], "ben@example.org")
    send_mail(site)
    msg = mail_to(site, "ben@example.org")
    header = str(msg["List-Unsubscribe"])
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    url = re.search(r"<(https?://[^>]+)>", header).group(1)  # type: ignore[union-attr]
    assert httpx.get(url).status_code == 200  # a scanner's GET changes nothing
    r = httpx.post(url, content=b"List-Unsubscribe=One-Click",
                   headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert "unsubscribed" in r.text


def test_spanish_flow(site: dict[str, Any]) -> None:
    browser, base = site["browser"], site["base"]
    ctx = browser.new_context(locale="es-MX", extra_http_headers={"Accept-Language": "es-MX,es;q=0.9"})
    page = ctx.new_page()
    page.goto(base + "/")
    assert page.get_attribute("html", "lang") == "es"
    assert "Recursos para crisis" in page.content()
    page.click("a[href='/subscribe']")
    page.fill("#email", "carla@example.org")
    assert page.is_checked("#lang-es")
    page.check("#topic-crisis_988")
    page.click("form.stack button[type=submit]")
    assert "Revise su correo" in page.inner_text("h1")
    page.click("a[lang=en]")
    assert page.get_attribute("html", "lang") == "en"
    ctx.close()
    send_mail(site)
    urls = links(mail_to(site, "carla@example.org"))
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(urls["confirm"] + "?lang=es")
    page.click("main form button[type=submit]")
    assert page.get_attribute("html", "lang") == "es"
    ctx.close()


def test_forms_work_without_javascript(site: dict[str, Any]) -> None:
    browser, base = site["browser"], site["base"]
    assert "Check your email" in subscribe_in_browser(browser, base, "dee@example.org", js=False)
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(base + "/bills")
    page.select_option("#topic", "crisis_988")
    page.click("form.filters button[type=submit]")
    assert "topic=crisis_988" in page.url and "AB 1656" in page.inner_text("main")
    page.goto(base + "/matrix")
    assert page.title()
    ctx.close()
