"""Opening a ledger (creating or upgrading its schema), its transactions, and its meta values."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from . import backends, schema
from .backends import Target, parse_target
from .schema import meta

PORTAL_VERSION = "portal_version"


# Statements the portal runs on every form, built once per dialect: building one costs more
# than running it (SQLAlchemy's construction and cache key, ~0.15 ms, against ~0.02 ms).
_BUMPS: dict[str, sa.Executable] = {}
_PORTAL_VERSION = sa.select(meta.c.value).where(meta.c.key == PORTAL_VERSION)


def bump_portal_version(conn: Connection) -> None:
    """In the transaction of a change the portal shows (see ``portal_version``)."""
    bump = _BUMPS.get(conn.dialect.name)
    if bump is None:
        upsert = backends.insert(conn, meta).values(key=PORTAL_VERSION, value="1")
        bump = _BUMPS[conn.dialect.name] = upsert.on_conflict_do_update(
            index_elements=[meta.c.key],
            set_={"value": sa.cast(sa.cast(meta.c.value, sa.Integer) + 1, sa.Text)},
        )
    conn.execute(bump)


class LedgerBase:
    """The ledger at ``target`` (a path or ``postgresql://`` URL); use as a context manager.

    Opening it brings its schema to this program's version (unless ``upgrade`` is false);
    ``create=False`` refuses to start a new one; ``read_only`` neither creates nor upgrades,
    and the database refuses any write (reports, dry runs).

    A ledger that may be written is checked first (:func:`backends.check_database`): a
    damaged SQLite file is refused before anything is written into it; ``full_check`` runs
    SQLite's whole integrity check (`ledger status`, `ledger upgrade`) instead of the quick one.
    """

    def __init__(
        self,
        target: str | Path | Target,
        *,
        create: bool = True,
        upgrade: bool = True,
        read_only: bool = False,
        full_check: bool = False,
    ):
        self.target = target if isinstance(target, Target) else parse_target(target)
        if read_only:
            create = upgrade = False
        backends.check_file(self.target)
        existed = self.target.exists()
        if not existed:
            if not create:
                raise backends.LedgerMissing(self.target.shown)
            assert self.target.path is not None
            self.target.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = backends.create_engine(self.target, read_only=read_only)
        self._conn: Connection | None = None
        self.upgraded: tuple[int, int] | None = None
        self.tables = {t.name for t in schema.metadata.sorted_tables}
        self.schema_seen = schema.SCHEMA_VERSION  # what the tables are (older when read-only)
        try:
            if existed and (full_check or not read_only):
                with self._tx(reading=True) as conn:
                    backends.check_database(
                        conn, self.target, full=full_check, writing=not read_only
                    )
            if upgrade:
                with self._tx() as conn:
                    self.upgraded = schema.upgrade(conn, self.target.shown, create=create)
            else:
                with self._tx() as conn:
                    version = schema.current_version(conn)
                    # An old ledger looked at as it is: only the tables it has.
                    self.tables = set(sa.inspect(conn).get_table_names())
                    self.schema_seen = version
                if version == 0 and not create:
                    raise backends.LedgerMissing(self.target.shown)
                if read_only and version > schema.SCHEMA_VERSION:
                    raise DisclosureError(
                        _(
                            "{where}: ledger schema {version} is newer than this program "
                            "understands ({latest}); upgrade disclosure-calendar"
                        ).format(
                            where=self.target.shown, version=version, latest=schema.SCHEMA_VERSION
                        )
                    )
        except BaseException:
            self.engine.dispose()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self, *, reading: bool = False) -> Iterator[Connection]:
        """One transaction, or the one `deciding()` holds open. ``reading``: it only reads,
        and on SQLite takes no write lock, so the portal's pages never wait for the daemon's
        writes (or for each other)."""
        if self._conn is not None:
            yield self._conn
            return
        try:
            with self.engine.connect() as conn:
                if reading:
                    conn.execution_options(**{backends.READING: True})
                with conn.begin():
                    yield conn
        except sa.exc.IntegrityError:
            raise
        except sa.exc.DBAPIError as exc:
            raise backends.translate(exc, self.target) from None

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        return self._tx(reading=True)

    @contextmanager
    def deciding(self) -> Iterator[None]:
        """Hold the decision lock: the calls made inside are one transaction, one daemon at a time."""
        with self._tx() as conn:
            backends.lock_decisions(conn)
            self._conn = conn
            try:
                yield
            finally:
                self._conn = None

    # -- schema -----------------------------------------------------------------------------

    def version(self) -> int:
        with self._read() as conn:
            return schema.current_version(conn)

    def history(self) -> list[tuple[int, str, str]]:
        with self._read() as conn:
            return schema.history(conn)

    def counts(self) -> dict[str, int]:
        """Rows per data table (the tables this ledger's version has)."""
        with self._read() as conn:
            present = set(sa.inspect(conn).get_table_names())
            return {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
                for t in schema.DATA_TABLES
                if t.name in present
            }

    # -- meta -------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._read() as conn:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def portal_version(self) -> str:
        """A number that changes with every done mark, event date and access link, from any
        process: the web portal re-reads those only when it changed (one small query per
        page instead of a unit's marks each time)."""
        with self._read() as conn:
            return conn.execute(_PORTAL_VERSION).scalar() or "0"

    def tracking_since(self, today: dt.date) -> dt.date:
        """The first day reminders are tracked: fixed the first time the ledger is used.

        Without it, a fresh ledger would chase every occurrence since the plan of 2017.
        """
        with self._tx() as conn:
            conn.execute(
                backends.insert(conn, meta)
                .values(key="track_from", value=today.isoformat())
                .on_conflict_do_nothing()
            )
            value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "track_from")).scalar()
        return dt.date.fromisoformat(str(value))

    def set_tracking_start(self, day: dt.date) -> dt.date | None:
        """Set the first tracked day (deployment day): nothing due before it is chased or
        counted as overdue. Returns the day it replaced, if any."""
        with self._tx() as conn:
            old = conn.execute(sa.select(meta.c.value).where(meta.c.key == "track_from")).scalar()
            upsert = backends.insert(conn, meta).values(key="track_from", value=day.isoformat())
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[meta.c.key], set_={"value": upsert.excluded.value}
                )
            )
            bump_portal_version(conn)
        return dt.date.fromisoformat(old) if old else None

    def tracking_start(self) -> dt.date | None:
        """The first tracked day if one was fixed; reads only (for a dry run)."""
        value = self.meta("track_from")
        return dt.date.fromisoformat(value) if value else None
