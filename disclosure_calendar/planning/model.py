"""What the layouts read out of a plan, before any mapping to schedule.yaml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    # the plan's numbering: "3.2" (section 三, item 2), "2.1.3" (二、(一) 3.), "0.1" for a
    # duty of the preamble
    ref: str
    # the heading of the section it is in, sub-sections joined by " / "
    section: str
    text: str
    lead_units: tuple[str, ...]
    cooperating_units: tuple[str, ...]
    where: str
    # the deadline column or line (完成时限：……), when the plan has one
    deadline_text: str = ""
    notes: tuple[str, ...] = ()
    # the units are the row above's: the plan's unit cell is empty (merged, ``||``)
    carried: bool = False


@dataclass(frozen=True)
class Section:
    number: int
    title: str


@dataclass(frozen=True)
class Unplaced:
    """Text the layouts could not place: shown in the review summary."""

    where: str
    text: str


@dataclass(frozen=True)
class PlanText:
    source: str
    title: str | None
    issuer: str | None
    issued: dt.date | None
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    unplaced: tuple[Unplaced, ...] = ()

    @property
    def year(self) -> int | None:
        """The year the plan is for: the first year its title names, else its issue year."""
        import re

        match = re.search(r"(20\d\d)年", self.title or "")
        if match:
            return int(match.group(1))
        return self.issued.year if self.issued else None
