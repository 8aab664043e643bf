"""The errors a user can cause. The CLI turns every one into a message and exit 1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class DisclosureError(Exception):
    """A user mistake or an unusable input: reported without a traceback."""


@dataclass(frozen=True)
class Where:
    """A position in an input file, 1-based, as editors show it."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    where: Where | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(DisclosureError):
    """One or more problems in an input file, all reported at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))
