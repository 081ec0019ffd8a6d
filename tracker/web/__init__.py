"""The public web app: server-rendered pages, subscriptions, feeds, a JSON API and a staff area.

``tracker.web.app.create_app`` builds the Starlette application; ``tracker web`` serves it with
uvicorn. Every page works without JavaScript.
"""
