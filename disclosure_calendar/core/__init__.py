"""Leaf helpers every stage may use: the user-error family, atomic file writes, text tables.

Imports nothing else of the package.
"""
