"""`build` with nothing changed ends before reading the schedule (feeds/quick.py), and any
change to what the feeds are made from takes the full build again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from disclosure_calendar.feeds import build as build_module
from disclosure_calendar.feeds import patch as patch_module
from disclosure_calendar.feeds import quick

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    schedule = tmp_path / "schedule.yaml"
    shutil.copy(MINIMAL, schedule)
    out = tmp_path / "out"
    assert run(schedule, out).exit_code == 0
    return schedule, out


def run(schedule: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["-f", str(schedule), "build", "-o", str(out), *extra])


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the builds that went past the quick check."""
    calls: list[int] = []
    real, real_patch = build_module._build, patch_module.patch

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not calls:  # a patch that falls back to the whole build is one build
            calls.append(1)
        return real(*args, **kwargs)

    def counted_patch(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        result = real_patch(*args, **kwargs)
        if isinstance(result, str):
            calls.pop()
        return result

    monkeypatch.setattr(build_module, "_build", counted)
    monkeypatch.setattr(patch_module, "patch", counted_patch)
    return calls


def stamps(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}


def test_nothing_changed_reads_no_schedule_and_touches_no_file(site, full_builds) -> None:
    schedule, out = site
    before = stamps(out)
    first = run(schedule, out)
    assert first.exit_code == 0, first.output
    assert full_builds == [] and stamps(out) == before
    # The same summary as a full build finding nothing to do.
    (out / "finance.ics").touch()
    full = run(schedule, out)
    assert full_builds == [1]
    assert full.output.splitlines()[-1] == first.output.splitlines()[-1]
    assert run(schedule, out).exit_code == 0 and full_builds == [1]  # quick again


@pytest.mark.parametrize(
    "change",
    ["schedule", "feed-deleted", "index-edited", "manifest-deleted", "year", "base-url", "event"],
)
def test_any_change_takes_the_full_build(site, full_builds, change: str) -> None:
    schedule, out = site
    extra: list[str] = []
    if change == "schedule":
        text = schedule.read_text(encoding="utf-8")
        schedule.write_text(text.replace("按月公开", "按月公布", 1), encoding="utf-8")
    elif change == "feed-deleted":
        (out / "finance.ics").unlink()
    elif change == "index-edited":
        (out / "index.html").write_text("<p>edited</p>", encoding="utf-8")
    elif change == "manifest-deleted":
        (out / ".manifest.json").unlink()
    elif change == "year":
        extra = ["--year", "2027"]
    elif change == "base-url":
        extra = ["--base-url", "https://other.example/feeds/"]
    elif change == "event":
        added = CliRunner().invoke(
            main,
            ["-f", str(schedule), "event", "add", "repealed-files", "2026-11-02", "--all-units"],
        )
        assert added.exit_code == 0, added.output
    result = run(schedule, out, *extra)
    assert result.exit_code == 0, result.output
    assert full_builds == [1]
    if change in ("feed-deleted", "index-edited", "manifest-deleted"):
        assert (out / "finance.ics").exists() and "edited" not in (out / "index.html").read_text(
            encoding="utf-8"
        )
    if change == "event":
        assert "UID:repealed-files.event-2026-11-02." in (out / "all.ics").read_text(
            encoding="utf-8"
        )


def test_a_ledger_on_postgresql_always_builds_fully() -> None:
    assert quick.ledger_stamp("postgresql://calendar@db.example/calendar") is None
    assert quick.ledger_stamp(Path("/nonexistent/ledger.db")) == "- -"


def test_the_key_covers_every_input() -> None:
    import datetime as dt

    base = (b"schedule", "- -", dt.date(2026, 1, 1), dt.date(2027, 12, 31), None)
    key = quick.build_key(*base)
    assert key == quick.build_key(*base)
    for i, other in enumerate(
        (b"schedulE", "1:2 -", dt.date(2026, 1, 2), dt.date(2027, 12, 30), "https://x/")
    ):
        changed = list(base)
        changed[i] = other
        assert quick.build_key(*changed) != key, i  # type: ignore[arg-type]
