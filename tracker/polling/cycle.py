"""One poll cycle of one or more sources, in this process (``tracker poll``)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tracker.polling.base import SourcePoll, Summary
from tracker.polling.bulk import PubinfoPoll
from tracker.polling.crawl import Interrupted, run_steps
from tracker.polling.hearings import HearingsPoll
from tracker.polling.web import WebPoll
from tracker.settings import Settings

SOURCES = ("pubinfo", "web", "hearings")


def make_polls(settings: Settings, factory: sessionmaker[Session], sources: list[str],
               include_delta: bool = False) -> list[SourcePoll]:
    polls: list[SourcePoll] = []
    src = settings.sources
    for name in sources:
        if name == "pubinfo":
            polls.append(PubinfoPoll(settings, factory, src.pubinfo_url, include_delta=include_delta))
        elif name == "web":
            polls.append(WebPoll(settings, factory, src.leginfo_url))
        elif name == "hearings":
            polls.append(HearingsPoll(settings, factory, f"{src.senate_url} {src.assembly_url}"))
        else:
            raise ValueError(f"unknown source {name!r}")
    return polls


def run_poll(settings: Settings, factory: sessionmaker[Session], sources: list[str],
             include_delta: bool = False) -> list[Summary]:
    """Crawl every source (one reactor run), then ingest each in order: bulk, web, hearings.

    Each source is opened as a running SourceRun before crawling, so a crash or kill leaves a
    visible 'running' record that the scheduler closes as failed.
    """
    polls = make_polls(settings, factory, sources, include_delta)
    errors = run_steps(settings, [(p.crawls, p.crawl) for p in polls])  # type: ignore[misc]
    summaries = [p.finish(err) for p, err in zip(polls, errors)]  # type: ignore[attr-defined]
    if any(isinstance(err, Interrupted) for err in errors):
        raise KeyboardInterrupt  # every run is closed as failed; the command says "interrupted"
    return summaries
