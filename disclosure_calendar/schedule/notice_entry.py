"""Put a holiday notice's entry into schedule.yaml's ``calendar: notices:`` without touching the rest.

The entry's lines are spliced into the file's text at the place the YAML parser reports
(node marks), so every other byte -- comments, blank lines, quoting, hand-wrapped
``members: [...]`` lists -- stays as written.  (A ruamel.yaml round trip keeps comments,
but re-flows wrapped flow lists: on the bundled schedule.yaml it joined three hand-wrapped
``members:`` lists into single lines of 400-700 characters.)  After splicing, the file is
parsed again and must equal the old data with exactly this entry added or replaced.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError, InputError, Problem, Where
from ..core.files import write_atomic
from .loader import load_schedule
from .yamlsource import read_text

# Top-level keys that come after ``calendar:`` in a schedule (the loader's order).
_AFTER_CALENDAR = ("units", "groups", "duties")


class NoticeEntryError(DisclosureError):
    """The entry cannot be put into the file (year already there, unusual layout).

    ``line`` (1-based) is where in the file, 0 when it is about the file as a whole.
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _scalar(value: object, *, flow: bool) -> str:
    """A string as YAML: plain where YAML reads it back unchanged, else double-quoted."""
    text = str(value)
    probe = f"[{text}]" if flow else f"k: {text}"
    try:
        back = yaml.safe_load(probe)
    except yaml.YAMLError:
        back = None
    if back == ([text] if flow else {"k": text}):
        return text
    return json.dumps(text, ensure_ascii=False)


def entry_lines(entry: Mapping[str, Any], *, dash: int, offset: int) -> list[str]:
    """The entry as block YAML lines: ``- year: ...`` with the dash at column ``dash``.

    ``offset`` is the file's sequence style: how far a list's dash sits right of its key.
    """
    pad = " " * dash
    inner = " " * (dash + 2)
    lines = [f"{pad}- year: {entry['year']}"]
    lines.append(f"{inner}title: {_scalar(entry['title'], flow=False)}")
    lines.append(f"{inner}published: {entry['published'] or 'null'}")
    days_off: Sequence[Mapping[str, Any]] = entry["days_off"]
    if days_off:
        lines.append(f"{inner}days_off:")
        item_pad = " " * (dash + 2 + offset)
        for span in days_off:
            name = _scalar(span["name"], flow=True)
            lines.append(f"{item_pad}- {{name: {name}, from: {span['from']}, to: {span['to']}}}")
    workdays: Sequence[str] = entry["workdays"]
    if workdays:
        lines.append(f"{inner}workdays: [{', '.join(workdays)}]   # 调休上班")
    return lines


def snippet(entry: Mapping[str, Any]) -> str:
    """What to paste under an empty schedule: ``calendar:`` / ``notices:`` and the entry."""
    return "\n".join(["calendar:", "  notices:", *entry_lines(entry, dash=4, offset=2)]) + "\n"


def _last_line(node: Node) -> int:
    """The 0-based last line holding the node's own text (a block collection's end mark
    points at the next token, past blank lines and comments)."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line if end.column > 0 else end.line - 1
    if isinstance(node, MappingNode):
        return max(_last_line(v) for pair in node.value for v in pair)
    if isinstance(node, SequenceNode) and node.value:
        return max(_last_line(v) for v in node.value)
    return node.start_mark.line


def _get(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None


def _empty(node: Node) -> bool:
    if isinstance(node, ScalarNode):
        return node.tag.endswith(":null")
    return isinstance(node, (MappingNode, SequenceNode)) and not node.value


def _style(root: MappingNode) -> tuple[int, int]:
    """(mapping indent, sequence offset) as the file writes them; (2, 2) when it cannot tell."""
    indent, offset = 2, 2
    for key, value in root.value:
        if isinstance(value, MappingNode) and not value.flow_style and value.value:
            indent = value.value[0][0].start_mark.column - key.start_mark.column
            break
    for key, value in root.value:
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            offset = value.start_mark.column - key.start_mark.column
            break
    return indent, offset


def _open_empty(lines: list[str], key: ScalarNode, value: Node) -> None:
    """``calendar: {}`` / ``notices: []`` / a bare key: keep the key and its comment, drop ``{}``."""
    row = key.start_mark.line
    if not isinstance(value, ScalarNode):
        line = lines[row]
        start, end = value.start_mark, value.end_mark
        if start.line == row and end.line == row:
            lines[row] = line[: start.column].rstrip() + line[end.column :]


def add_entry(text: str, entry: Mapping[str, Any], *, replace: bool = False) -> str:
    """``text`` (a schedule file) with ``entry`` under ``calendar: notices:``.

    The entry goes in year order; an entry for the same year is refused unless ``replace``,
    which puts the new entry in its place.  Raises :class:`NoticeEntryError`.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        old_data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NoticeEntryError(
            _("the schedule is not valid YAML: {error}").format(error=exc)
        ) from None
    if not isinstance(root, MappingNode) or not isinstance(old_data, dict):
        raise NoticeEntryError(_("the schedule is not a YAML mapping"))
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    indent, offset = _style(root)
    year = entry["year"]
    found = _get(root, "calendar")
    if found is None:
        at = len(lines)
        for key, _value in root.value:
            if key.value in _AFTER_CALENDAR:
                at = key.start_mark.line
                while at > 0 and lines[at - 1].lstrip().startswith("#"):
                    at -= 1
                break
        column = root.value[0][0].start_mark.column if root.value else 0
        block = [
            " " * column + "calendar:",
            " " * (column + indent) + "notices:",
            *entry_lines(entry, dash=column + indent + offset, offset=offset),
        ]
        if at < len(lines) and at > 0 and not lines[at - 1].strip():
            block.append("")
        lines[at:at] = block
    else:
        cal_key, cal = found
        if _empty(cal):
            _open_empty(lines, cal_key, cal)
            column = cal_key.start_mark.column + indent
            block = [
                " " * column + "notices:",
                *entry_lines(entry, dash=column + offset, offset=offset),
            ]
            lines[cal_key.start_mark.line + 1 : cal_key.start_mark.line + 1] = block
        elif not isinstance(cal, MappingNode) or cal.flow_style:
            raise NoticeEntryError(
                _(
                    "calendar: is not written as a block mapping; write it as in the README "
                    "to use --write"
                ),
                cal_key.start_mark.line + 1,
            )
        else:
            _into_calendar(lines, cal, entry, year, offset=offset, replace=replace)
    new_text = newline.join(lines) + (newline if text.endswith(("\n", "\r")) or not text else "")
    _verify(old_data, new_text, entry)
    return new_text


def _into_calendar(
    lines: list[str], cal: MappingNode, entry: Mapping[str, Any], year: int, *,
    offset: int, replace: bool,
) -> None:  # fmt: skip
    found = _get(cal, "notices")
    column = cal.value[0][0].start_mark.column
    if found is None:
        row = cal.value[0][0].start_mark.line
        lines[row:row] = [
            " " * column + "notices:",
            *entry_lines(entry, dash=column + offset, offset=offset),
        ]
        return
    key, notices = found
    if _empty(notices):
        _open_empty(lines, key, notices)
        row = key.start_mark.line + 1
        lines[row:row] = entry_lines(entry, dash=column + offset, offset=offset)
        return
    if not isinstance(notices, SequenceNode) or notices.flow_style:
        raise NoticeEntryError(
            _(
                "notices: is not a block list ('- year: ...'); write it as in the README to "
                "use --write"
            ),
            key.start_mark.line + 1,
        )
    dash = notices.start_mark.column
    offset = dash - key.start_mark.column  # this list's own style wins over the file's
    after: int | None = None  # the last line of the last entry of an earlier year
    for item in notices.value:
        item_year = None
        if isinstance(item, MappingNode) and (y := _get(item, "year")) is not None:
            item_year = y[1].value
        if str(item_year) == str(year):
            if not replace:
                raise NoticeEntryError(
                    _(
                        "calendar: notices: already has {year}; give --replace to put this "
                        "notice in its place"
                    ).format(year=year),
                    item.start_mark.line + 1,
                )
            first, last = item.start_mark.line, _last_line(item)
            lines[first : last + 1] = entry_lines(entry, dash=dash, offset=offset)
            return
        if item_year is not None and str(item_year).isdigit() and int(item_year) < year:
            after = _last_line(item)
    row = notices.start_mark.line if after is None else after + 1
    lines[row:row] = entry_lines(entry, dash=dash, offset=offset)


def _loaded(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry as ``yaml.safe_load`` reads it back from the file (dates as dates)."""
    day = dt.date.fromisoformat
    loaded: dict[str, Any] = {
        "year": entry["year"],
        "title": entry["title"],
        "published": day(entry["published"]) if entry["published"] else None,
    }
    if entry["days_off"]:  # entry_lines leaves out an empty list
        loaded["days_off"] = [
            {"name": s["name"], "from": day(s["from"]), "to": day(s["to"])}
            for s in entry["days_off"]
        ]
    if entry["workdays"]:
        loaded["workdays"] = [day(d) for d in entry["workdays"]]
    return loaded


def _by_year(notices: object) -> list[Any]:
    items = notices if isinstance(notices, list) else []
    return sorted(items, key=lambda n: str(n.get("year")) if isinstance(n, dict) else "")


def _verify(old: dict[str, Any], new_text: str, entry: Mapping[str, Any]) -> None:
    """The spliced file must read as the old data with exactly this entry added or replaced."""
    try:
        new = yaml.safe_load(new_text)
    except yaml.YAMLError as exc:  # pragma: no cover - a splicing bug, not a user mistake
        raise NoticeEntryError(
            _("adding the entry would break the file: {error}").format(error=exc)
        ) from None
    calendar = dict(old.get("calendar") or {})
    kept = [n for n in calendar.get("notices") or [] if n.get("year") != entry["year"]]
    calendar["notices"] = _by_year([*kept, _loaded(entry)])
    expected = old | {"calendar": calendar}
    got = dict(new) if isinstance(new, dict) else {}
    got["calendar"] = dict(got.get("calendar") or {})
    got["calendar"]["notices"] = _by_year(got["calendar"].get("notices"))
    if got != expected:  # pragma: no cover - a splicing bug, not a user mistake
        raise NoticeEntryError(
            "adding the entry would change other parts of the file; add it by hand"
        )


def updated_schedule(
    path: Path, entry: Mapping[str, Any], *, replace: bool = False
) -> tuple[str, str]:
    """(old text, new text) of the schedule file with ``entry`` added; nothing written."""
    if not entry.get("published"):
        raise NoticeEntryError(
            _(
                "the notice text has no date of issue (the line under 国务院办公厅); "
                "give it with --published YYYY-MM-DD"
            )
        )
    old = read_text(path)
    try:
        new = add_entry(old, entry, replace=replace)
    except NoticeEntryError as exc:
        where = Where(str(path), exc.line, 1) if exc.line else None
        raise InputError(
            [Problem(where, exc.message if where else f"{path}: {exc.message}")]
        ) from None
    return old, new


def check_loads(path: Path, new: str) -> None:
    """The new text must load as a schedule (tried on a temporary copy beside the file).

    So a notice that clashes with the rest of the calendar -- e.g. a day another notice
    makes a working day -- is reported before anything is written; positions are those
    of the new text, as the diff shows it.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new.encode("utf-8"))
        load_schedule(tmp)
    except InputError as exc:
        changed = _("{path} (as changed above)").format(path=path)
        raise InputError(
            [
                Problem(Where(changed, p.where.line, p.where.column), p.message)
                if p.where is not None and p.where.path == tmp
                else p
                for p in exc.problems
            ]
        ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def diff(old: str, new: str, name: str) -> str:
    """A unified diff of the change, as ``git diff`` shows it."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), name, name, n=2
        )
    )


def save(path: Path, text: str) -> None:
    """Replace the schedule file atomically (a reader never sees half of it)."""
    write_atomic(path, text.encode("utf-8"))
