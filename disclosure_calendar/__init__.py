"""Recurring government information-disclosure duties as calendars, feeds and reminders."""

__version__ = "0.1.0"
