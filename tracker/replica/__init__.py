"""A local stand-in for the legislature's servers, for tests, demos and benchmarks.

It serves leginfo-shaped pages on the real URL scheme, the PUBINFO bulk zips and the two
chamber calendars from a state loaded from a PUBINFO directory, and lets callers change that
state and inject faults through ``/_replica/...``. Nothing in the product depends on it.
"""
