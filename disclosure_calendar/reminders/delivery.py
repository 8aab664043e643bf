"""What became of one message: each recipient accepted, refused for good, or failed for now."""

from __future__ import annotations

from dataclasses import dataclass, field


class SendError(Exception):
    """An attempt failed as a whole. ``in_doubt``: the message was handed over, no answer came."""

    def __init__(self, text: str, *, in_doubt: bool = False):
        super().__init__(text)
        self.in_doubt = in_doubt


@dataclass
class Delivery:
    """What became of one message, recipient by recipient, with the server's own answer."""

    accepted: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # for good: never retried
    failed: dict[str, str] = field(default_factory=dict)  # for now: a later run retries
    in_doubt: bool = False  # the failed ones may have received it all the same
    stopped: bool = False  # a stop cut the send short; the failed ones stay pending

    def merge(self, other: Delivery) -> None:
        self.accepted.update(other.accepted)
        self.refused.update(other.refused)
        for r in (*other.accepted, *other.refused):
            self.failed.pop(r, None)
        self.failed.update(other.failed)
