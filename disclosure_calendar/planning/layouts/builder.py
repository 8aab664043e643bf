"""What the layouts share: the headings so far, task numbering, units carried down.

A layout says "a heading at this level", "a task with this text and these units (or none)";
the builder numbers them (the plan's own numbers where it has them, a running count where it
has not), carries units down where the plan means "same as above", and applies standing
rules (以下工作均需各镇区落实).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ...core.i18n import gettext as _
from ..model import Section, Task, Unplaced
from ..units import Assignment


@dataclass
class _Heading:
    level: int
    number: int
    title: str
    units: Assignment | None


@dataclass
class Builder:
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    headings: list[_Heading] = field(default_factory=list)
    # units of 以下工作均需……落实 and where they were said (None: the whole plan)
    standing: tuple[str, ...] = ()
    standing_section: int | None = None
    _standing_used: int = 0
    # a table (or a copy of one) is being read: a task without units is "same as above"
    table_mode: bool = False
    _counters: dict[tuple[int, ...], int] = field(default_factory=dict)
    _last_units: Assignment | None = None
    _open: int | None = None  # index of the last task while it may still get units
    _preamble: int = 0

    # ------------------------------------------------------------------ headings

    def heading(self, level: int, number: int | None, title: str, units: Assignment | None) -> None:
        self.close()
        while self.headings and self.headings[-1].level >= level:
            self.headings.pop()
        path = self._path()
        if number is None:
            number = self._counters.get(path, 0) + 1
        self._counters[path] = number
        self.headings.append(_Heading(level, number, title, units))
        if len(self.headings) == 1:
            self.sections.append(Section(number, title))
            # a rule ends with its section, unless it closes that section: then it is
            # about the sections that follow (以下……, said after the section's last task)
            if self.standing_section is not None and self._standing_used:
                self.standing, self.standing_section = (), None

    def _path(self) -> tuple[int, ...]:
        return tuple(h.number for h in self.headings)

    def set_standing(self, units: tuple[str, ...]) -> None:
        self.close()  # the task before the rule is not under it
        self._standing_used = 0
        self.standing = units
        self.standing_section = self.headings[0].number if self.headings else None

    # ------------------------------------------------------------------ tasks

    def task(
        self,
        text: str,
        where: str,
        units: Assignment | None,
        *,
        number: int | None = None,
        sub: int | None = None,
        deadline: str = "",
        notes: tuple[str, ...] = (),
    ) -> None:
        self.close()
        path = self._path()
        if number is None:
            number = self._counters.get(path, 0) + 1
        self._counters[path] = number
        own = (number,) if sub is None else (number, sub)
        # a plan without sections: its tasks are section 1 (0 is the preamble's)
        ref = ".".join(str(n) for n in (*(path or (1,)), *own))
        section = " / ".join(h.title for h in self.headings)
        self.tasks.append(
            Task(ref, section, text, (), (), where, deadline_text=deadline, notes=notes)
        )
        self._open = len(self.tasks) - 1
        if units is not None:
            self.give_units(units)

    def preamble_task(self, text: str, where: str, units: Assignment) -> None:
        self._preamble += 1
        self.tasks.append(Task(f"0.{self._preamble}", _("preamble"), text, (), (), where))
        self._open = len(self.tasks) - 1
        self.give_units(units, carry=False)
        self._open = None

    @property
    def open_task(self) -> Task | None:
        return self.tasks[self._open] if self._open is not None else None

    def give_units(self, units: Assignment, *, note: str | None = None, carry: bool = True) -> None:
        """Units for the open task (a unit cell or line after it, its bracket)."""
        if self._open is None:
            return
        task = self.tasks[self._open]
        notes = task.notes
        if units.remarks:
            notes += (
                _("remark beside the units: {remarks}").format(remarks="；".join(units.remarks)),
            )
        if note:
            notes += (note,)
        self.tasks[self._open] = replace(
            task,
            lead_units=tuple(dict.fromkeys(task.lead_units + units.lead)),
            cooperating_units=tuple(dict.fromkeys(task.cooperating_units + units.cooperating)),
            notes=notes,
        )
        if carry:
            self._last_units = units
        if units.deadline:
            self.add_deadline(units.deadline)

    def same_as_above(self) -> None:
        """An empty unit cell: the units of the row above."""
        task = self.open_task
        if task is not None and not task.lead_units and self._last_units is not None:
            self.give_units(Assignment(self._last_units.lead, self._last_units.cooperating))
            self.tasks[self._open] = replace(self.tasks[self._open], carried=True)  # type: ignore[index]

    def add_text(self, text: str) -> None:
        task = self.open_task
        if task is not None:
            self.tasks[self._open] = replace(task, text=task.text + text)  # type: ignore[index]

    def add_deadline(self, text: str) -> None:
        task = self.open_task
        if task is not None:
            joined = f"{task.deadline_text}；{text}" if task.deadline_text else text
            self.tasks[self._open] = replace(task, deadline_text=joined)  # type: ignore[index]

    def close(self) -> None:
        """The open task gets no more units: fill them in from above, the section, the rules."""
        if self._open is None:
            return
        task = self.tasks[self._open]
        if not task.lead_units:
            section_units = next((h.units for h in reversed(self.headings) if h.units), None)
            if self.table_mode and self._last_units is not None:
                self.same_as_above()
            elif section_units is not None:
                self.give_units(
                    section_units, note=_("units from the section heading"), carry=False
                )
        task = self.tasks[self._open]
        if self.standing:
            extra = tuple(
                u for u in self.standing if u not in task.lead_units + task.cooperating_units
            )
            if extra:
                note = _("standing rule of the plan: {units} also implement it").format(
                    units="、".join(extra)
                )
                self._standing_used += 1
                self.tasks[self._open] = replace(
                    task,
                    cooperating_units=task.cooperating_units + extra,
                    notes=task.notes + (note,),
                )
        self._open = None

    def place(self, where: str, text: str) -> None:
        self.unplaced.append(Unplaced(where, text))
