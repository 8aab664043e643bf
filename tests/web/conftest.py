"""The web tests' fixtures live in webportal.py (importable by name from the tests)."""

from webportal import portal  # noqa: F401
