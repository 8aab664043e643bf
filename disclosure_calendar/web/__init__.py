"""Serving over HTTP: the feeds and pages in out/.

The top stage: may import any stage below it.
"""
