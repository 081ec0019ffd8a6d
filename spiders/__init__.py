"""Scrapy project for the legislature's websites and bulk download.

Spiders only fetch; every page is turned into ``tracker.items`` records by the plain functions
in ``spiders.parsers`` so that parsing can be tested on saved pages without a network, and so
that the website and the bulk channel reach the ingest in the same shape.
"""
