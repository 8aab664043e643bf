"""Reminders: contacts, what to send when, channels (SMTP, webhooks), the ledger, done-tracking, daemon.

An output stage: imports ``core`` up to ``occurrences``, never feeds, printing or web.
"""
