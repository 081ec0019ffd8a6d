"""Ingest: validated records → diff against what we knew → one transaction of upserts, change
events and outbox rows."""
