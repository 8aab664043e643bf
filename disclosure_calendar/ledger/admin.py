"""`ledger status`, `ledger upgrade` and `ledger copy`: looking after a ledger rather than using it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.table import table
from ..core.text import one_line
from . import backends, schema
from .backends import Target, parse_target
from .store import Ledger

# A message's states as `ledger status` names them.
STATES = {
    "pending": N_("pending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "missed": N_("missed"),
    "cancelled": N_("cancelled"),
}
# Rows copied per INSERT: big enough to be quick, small enough to keep memory flat.
_CHUNK = 1000
# Columns holding text people typed: stored raw by versions before core/text.py, cleaned as
# they are copied (PostgreSQL refuses NUL, and a feed must not get ESC or BEL).
_TYPED = {("events", "note"), ("done", "url"), ("done_log", "url"), ("audit", "evidence"), ("audit", "detail")}  # fmt: skip


@dataclass(frozen=True)
class Copied:
    table: str
    source: int
    copied: int


def status_text(target: str | Path | Target, timezone: str = "UTC") -> str:
    """Where the ledger is, its schema version and migrations, what it holds, who holds claims.

    Times are shown in ``timezone`` (the plan's), with the offset.
    """
    target = target if isinstance(target, Target) else parse_target(target)
    with Ledger(target, create=False, upgrade=False, full_check=True) as ledger:
        version = ledger.version()
        if version == schema.SCHEMA_VERSION:
            age = ""
        elif version < schema.SCHEMA_VERSION:
            age = _(" (older: `ledger upgrade` or any command that writes brings it forward)")
        else:
            age = _(" (newer than this program: upgrade disclosure-calendar)")
        lines = [
            _("ledger: {where} ({kind})").format(where=target.shown, kind=target.kind),
            _("schema: version {version} of {latest}").format(
                version=version, latest=schema.SCHEMA_VERSION
            )
            + age,
        ]
        for number, applied, description in ledger.history():
            name = _(description)  # a msgid of schema.MIGRATIONS, or an older ledger's own words
            lines.append(f"  {number}  {_local(applied, timezone)}  {name}")
        counts = ledger.counts()
        lines += ["", table([_("table"), _("rows")], [[k, str(v)] for k, v in counts.items()])]
        if version >= 2:
            states = _message_states(ledger)
            listed = _(", ").join(
                _("{count} {state}").format(count=n, state=_(STATES.get(s, s))) for s, n in states
            )
            listed = listed or _("none")
            lines += ["", _("messages: {states}").format(states=listed)]
            held = ledger.holders()
            if held:
                lines += ["", _("claims held now:")]
                lines += [
                    "  "
                    + _("{who}: {count} message(s), lease ends in {seconds} s").format(
                        who=who, count=n, seconds=f"{left:.0f}"
                    )
                    for who, n, left in held
                ]
            else:
                lines.append(_("claims held now: none"))
    return "\n".join(lines)


def _message_states(ledger: Ledger) -> list[tuple[str, int]]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            sa.select(schema.messages.c.state, sa.func.count())
            .group_by(schema.messages.c.state)
            .order_by(schema.messages.c.state)
        )
        return [(str(s), int(n)) for s, n in rows]


def upgrade(target: str | Path | Target) -> str:
    """Bring the ledger to this program's schema; say from which version to which."""
    with Ledger(target, create=False, full_check=True) as ledger:
        assert ledger.upgraded is not None
        old, new = ledger.upgraded
        shown = ledger.target.shown
    if old == new:
        return _("{where}: schema version {version}, up to date").format(where=shown, version=new)
    return _("{where}: schema version {old} -> {new}").format(where=shown, old=old, new=new)


def copy_ledger(source: str | Path | Target, dest: str | Path | Target) -> list[Copied]:
    """Copy every row of ``source`` into the empty ledger ``dest``; both counted afterwards.

    The source is brought to the current schema first (as any command opening it would). The
    destination is created if need be and must hold no rows: copying into a ledger in use
    would mix two histories. The copy is one transaction, so a failure leaves it empty.
    """
    src = source if isinstance(source, Target) else parse_target(source)
    dst = dest if isinstance(dest, Target) else parse_target(dest)
    if src.url == dst.url:
        raise DisclosureError(_("ledger copy: --from and --to are the same ledger"))
    with Ledger(src, create=False) as a, Ledger(dst) as b:
        busy = {k: v for k, v in b.counts().items() if v}
        if busy:
            held = _(", ").join(f"{k} {v}" for k, v in busy.items())
            raise DisclosureError(
                _("ledger copy: {where} is not empty ({held})").format(where=dst.shown, held=held)
            )
        try:
            with a.engine.connect() as reader, b.engine.begin() as writer:
                for t in schema.DATA_TABLES:
                    rows = reader.execute(sa.select(t).order_by(*t.primary_key.columns))
                    while chunk := rows.fetchmany(_CHUNK):
                        writer.execute(
                            t.insert(), [_portable(t.name, dict(r._mapping)) for r in chunk]
                        )
                    backends.reset_sequences(writer, t)
        except sa.exc.DBAPIError as exc:
            raise backends.translate(exc, dst) from None
        before, after = a.counts(), b.counts()
    result = [Copied(t, before[t], after.get(t, 0)) for t in before]
    return result


def _portable(table_name: str, copied: dict[str, Any]) -> dict[str, Any]:
    """A row as it may be written anywhere: typed text cleaned, NUL out of every other text."""
    for key, value in copied.items():
        if isinstance(value, str):
            if (table_name, key) in _TYPED:
                copied[key] = one_line(value)
            elif "\x00" in value:
                copied[key] = value.replace("\x00", "")
    return copied


def copy_report(result: list[Copied], source: str, dest: str) -> str:
    rows = [
        [c.table, str(c.source), str(c.copied), _("ok") if c.source == c.copied else _("DIFFERS")]
        for c in result
    ]
    return f"{source} -> {dest}\n" + table([_("table"), _("source"), _("copied"), _("check")], rows)


def _local(stamp: str, timezone: str) -> str:
    """An ISO time as recorded (UTC) in the plan's zone; as recorded if it does not parse."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        return stamp
    return moment.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")
