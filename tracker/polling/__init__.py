"""Polling: run the spiders, decide what to fetch, ingest what they found, record the run.

``cycle.run_poll`` is one poll of one or more sources in this process (the Twisted reactor runs
once per process, which is why the scheduler starts every poll as a child process).
"""
