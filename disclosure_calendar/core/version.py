"""The package version, in the lowest stage so any stage may stamp its output with it."""

__version__ = "0.1.0"
