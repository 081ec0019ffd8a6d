"""Alerts: subscriptions, the durable outbox, message rendering, SMTP delivery, digests.

The flow is ingest → ``outbox.enqueue_events`` (same transaction as the change events) →
``sender.send_pending`` (renders at send time, marks a row sent only after the server accepted
it). All subscription logic lives in ``subscriptions`` so the CLI and the web app share it.
"""
