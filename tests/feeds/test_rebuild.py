"""Building fast without changing a byte: skipped feeds, feeds rendered on two cores,
reproducible stamps (SOURCE_DATE_EPOCH)."""

from __future__ import annotations

import datetime as dt
import os
import select
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from icscheck import lint, parse_all

from cli import main
from disclosure_calendar import feeds
from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.feeds import build as build_module
from disclosure_calendar.feeds import encoding, fingerprint, workers
from disclosure_calendar.feeds.manifest import INPUTS
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"
NOW = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
START, END = dt.date(2017, 1, 1), dt.date(2027, 12, 31)


def build(path: Path, out: Path, now: dt.datetime = NOW, workers: int = 1) -> feeds.BuildResult:
    schedule = load_schedule(path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    return feeds.build_feeds(schedule, cal, START, END, out, now=now, workers=workers)


def published(out: Path) -> dict[str, bytes]:
    """Every file of the folder but the local cache of file times."""
    return {
        p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != INPUTS and p.is_file()
    }


def edited(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "schedule.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The feeds each build renders, in order (a reused feed is not rendered)."""
    calls: list[str] = []
    render_all, render_unit = build_module.Renderer.render_all, build_module.Renderer.render_unit

    def all_(self):  # type: ignore[no-untyped-def]
        calls.append("all.ics")
        return render_all(self)

    def unit(self, u):  # type: ignore[no-untyped-def]
        calls.append(f"{u.id}.ics")
        return render_unit(self, u)

    monkeypatch.setattr(build_module.Renderer, "render_all", all_)
    monkeypatch.setattr(build_module.Renderer, "render_unit", unit)
    return calls


def test_a_rebuild_with_nothing_changed_expands_nothing(tmp_path, monkeypatch, rendered):
    out = tmp_path / "out"
    first = build(MINIMAL, out)
    before = published(out)
    rendered.clear()

    def no_expansion(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged rebuild expanded the duties")

    monkeypatch.setattr(build_module, "expand", no_expansion)
    result = build(MINIMAL, out, now=LATER)
    assert rendered == [] and result.written == ()
    assert published(out) == before
    assert all(c.empty for c in result.changes)
    # Counts and provisional years come from the previous build's record, unchanged.
    assert result.feeds == first.feeds
    assert result.provisional_years == (2027,)


def test_editing_one_duty_renders_only_the_feeds_it_reaches(tmp_path, rendered):
    out = tmp_path / "out"
    build(MINIMAL, out)
    rendered.clear()
    path = edited(
        tmp_path,
        "due: {rule: fixed_day, day: 10, roll: following}",
        "due: {rule: workdays_after_period, n: 12}",
    )
    result = build(path, out, now=LATER)
    assert rendered == ["all.ics", "development_reform.ics"]
    assert set(result.written) == {"all.ics", "development_reform.ics"}
    # The skipped feeds are as a full build of the edited schedule would write them.
    full = tmp_path / "full"
    build(path, full)
    for name in ("finance.ics", "shiqi.ics", "index.html"):
        assert (out / name).read_bytes() == (full / name).read_bytes()


def test_a_rebuild_parses_only_the_manifest_parts_it_renders(tmp_path, monkeypatch):
    """The index in .inputs.json points at each feed's part of the manifest: the edit above
    parses two parts (its feeds') and copies the rest; the folder ends as it would with the
    whole manifest parsed; a manifest the index does not describe is parsed whole."""
    import json

    from disclosure_calendar.feeds import manifest as manifest_module

    parsed: list[int] = []
    real_loads = json.loads

    def counting(data, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(len(data))
        return real_loads(data, *args, **kwargs)

    path = edited(
        tmp_path,
        "due: {rule: fixed_day, day: 10, roll: following}",
        "due: {rule: workdays_after_period, n: 12}",
    )
    indexed, whole = tmp_path / "indexed", tmp_path / "whole"
    for out in (indexed, whole):
        build(MINIMAL, out)
    size = (indexed / feeds.MANIFEST).stat().st_size
    inputs = json.loads((whole / INPUTS).read_bytes())
    del inputs["manifest"]  # as a build before the index left it: the whole manifest is read
    (whole / INPUTS).unlink()  # a symlink into the current generation
    (whole / INPUTS).write_text(json.dumps(inputs), encoding="utf-8")

    monkeypatch.setattr(manifest_module.json, "loads", counting)
    build(path, indexed, now=LATER)
    assert parsed and max(parsed) < size / 2  # two parts, not the file
    parsed.clear()
    build(path, whole, now=LATER)
    assert size in parsed
    assert published(indexed) == published(whole)
    # The index is rewritten with the manifest; one that does not fit the file is not used.
    data = (indexed / feeds.MANIFEST).read_bytes()
    (indexed / feeds.MANIFEST).unlink()
    (indexed / feeds.MANIFEST).write_bytes(data.replace(b'{"feeds":{', b'{"feeds": {', 1))
    parsed.clear()
    build(MINIMAL, indexed, now=LATER)
    assert size + 1 in parsed


@pytest.mark.parametrize("cores", [1, 2])
def test_uids_too_long_for_one_line_are_folded_and_read_back_whole(tmp_path, monkeypatch, cores):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    domain = "disclosure." + "very-long-subdomain." * 3 + "example.gov.cn"
    path = edited(tmp_path, "uid_domain: test.example", f"uid_domain: {domain}")
    out = tmp_path / "out"
    build(path, out, workers=cores)
    for name in ("finance.ics", "all.ics"):
        data = (out / name).read_bytes()
        assert lint(data) == []
        uids = [e.uid for e in parse_all(data)]
        assert uids and all(u.endswith(f"@{domain}") and len(u) > 75 for u in uids)


def test_a_new_writer_format_renders_every_feed_again(tmp_path, monkeypatch, rendered):
    # Feeds written by an older writer differ in bytes no input shows (e.g. the alarm text).
    out = tmp_path / "out"
    build(MINIMAL, out)
    rendered.clear()
    monkeypatch.setattr(fingerprint, "WRITER_FORMAT", fingerprint.WRITER_FORMAT + 1)
    build(MINIMAL, out, now=LATER)
    assert len(rendered) == 6


def test_a_feed_deleted_or_edited_by_hand_is_written_again(tmp_path, rendered):
    out = tmp_path / "out"
    build(MINIMAL, out)
    original = (out / "finance.ics").read_bytes()
    (out / "shiqi.ics").unlink()
    (out / "finance.ics").write_bytes(original.replace(b"SUMMARY:", b"SUMMARY:x", 1))
    rendered.clear()
    build(MINIMAL, out, now=LATER)
    assert sorted(rendered) == ["finance.ics", "shiqi.ics"]
    assert (out / "finance.ics").read_bytes() == original
    assert (out / "shiqi.ics").exists()


def test_a_lost_manifest_renders_everything_again(tmp_path, rendered):
    out = tmp_path / "out"
    build(MINIMAL, out)
    (out / feeds.MANIFEST).unlink()
    rendered.clear()
    result = build(MINIMAL, out, now=LATER)
    assert len(rendered) == 6 and result.first


def test_two_cores_write_the_same_bytes_as_one(tmp_path, monkeypatch):
    # Split even the small schedule: the encoding in stretches and the feeds by size.
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    changed = edited(tmp_path, "按月公开全市一般公共预算收支完成情况。", "按月公开预算收支。")
    results = {}
    for n in (1, 2, 4):
        out = tmp_path / f"cores-{n}"
        first = build(MINIMAL, out, workers=n)
        # A rebuild with a previous manifest: unchanged, changed and new events.
        again = build(changed, out, now=LATER, workers=n)
        results[n] = (first, again, published(out))
    assert results[1] == results[2] == results[4]
    assert any(c.changed for c in results[1][1].changes)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 100])
@pytest.mark.parametrize("cores", [1, 2, 3, 4])
def test_chunks_cover_every_item_once_in_order(monkeypatch, count, cores):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    seen = []
    results = workers.split_map(
        lambda start, stop: list(range(start, stop)), count, cores, lambda: seen.append("x")
    )
    assert [i for items in results for i in items] == list(range(count))
    assert seen == ["x"]


def test_a_busy_process_takes_less_work(monkeypatch):
    # The parent is busy first (as with the fingerprints of a first build): the child takes
    # the chunks meanwhile, instead of waiting for a share fixed in advance.
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    parent = os.getpid()

    def where(start: int, stop: int) -> list[bool]:
        time.sleep(0.01)
        return [os.getpid() == parent] * (stop - start)

    here = [h for chunk in workers.split_map(where, 64, 2, lambda: time.sleep(1)) for h in chunk]
    assert len(here) == 64
    assert here.count(True) <= 16  # a fixed share would have been half, or 27 of 64


def test_jobs_are_shared_whatever_their_number(monkeypatch):
    # More jobs than a pipe holds numbers for: they are handed out in groups.
    monkeypatch.setattr(workers, "_NUMBER_BYTES", 4096)  # 16 numbers in a 64 kB pipe
    numbers, groups = workers._numbers(50)
    os.close(numbers)
    assert [k for group in groups for k in group] == list(range(50)) and len(groups) <= 16
    assert workers._share(list(range(50)), lambda k: k * k, 3) == [k * k for k in range(50)]


class Stretch(NamedTuple):
    start: int
    stop: int


@pytest.mark.parametrize(
    "result",
    [
        lambda a, b: ((a, b), [b"x" * a, "年" * b]),  # marshalled
        lambda a, b: (Stretch(a, b), {a: b}),  # a NamedTuple: pickled, and still one
    ],
    ids=["plain", "objects"],
)
def test_a_childs_results_come_back_as_they_were(monkeypatch, result):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    results = workers.split_map(result, 10, 2)
    bounds = [r[0] for r in results]
    assert [a for a, _b in bounds] == [0, *(b for _a, b in bounds[:-1])] and bounds[-1][1] == 10
    assert results == [result(*r[0]) for r in results]
    assert {type(r[0]) for r in results} == {type(result(0, 1)[0])}


class Unpicklable(Exception):
    def __init__(self, code: int, text: str):  # pickle passes only the message back
        super().__init__(f"{code}: {text}")


def test_a_childs_error_that_cannot_be_pickled_arrives_as_its_text(monkeypatch):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    parent, slept = os.getpid(), []

    def fail(a: int, b: int) -> int:
        if os.getpid() != parent:
            raise Unpicklable(7, "no ledger")
        if not slept:  # the child gets chunks too
            slept.append(a)
            time.sleep(0.2)
        return a

    with pytest.raises(DisclosureError, match="7: no ledger"):
        workers.split_map(fail, 40, 2)


def test_a_failure_in_an_encoding_process_reaches_the_caller(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    with _failing(encoding.encode, "cannot encode", in_child=True) as failing:
        monkeypatch.setattr(encoding, "encode", failing)
        with pytest.raises(DisclosureError, match="cannot encode"):
            build(MINIMAL, tmp_path / "out", workers=2)
    assert not (tmp_path / "out" / feeds.MANIFEST).exists()


def test_a_failure_in_a_rendering_process_reaches_the_caller(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    with _failing(build_module.Renderer.render_unit, "cannot render", in_child=True) as failing:
        monkeypatch.setattr(build_module.Renderer, "render_unit", failing)
        with pytest.raises(DisclosureError, match="cannot render"):
            build(MINIMAL, tmp_path / "out", workers=2)
    assert not (tmp_path / "out" / feeds.MANIFEST).exists()


@contextmanager
def _failing(
    real: Callable[..., Any], message: str, *, in_child: bool
) -> Iterator[Callable[..., Any]]:
    """``real``, but raising ``message`` in a child process (or in the parent). The processes
    take work as they go, so the others' first call waits for the failing side's: else they
    could take all of a small plan's work before it takes any."""
    parent, (read_end, write_end) = os.getpid(), os.pipe()
    waited: list[object] = []

    def call(*args: Any) -> Any:
        if (os.getpid() != parent) == in_child:
            os.write(write_end, b"!")
            raise DisclosureError(message)
        if not waited:
            waited.append(select.select([read_end], [], [], 30))
        return real(*args)

    try:
        yield call
    finally:
        os.close(read_end)
        os.close(write_end)


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a process waiting for a dead one would wait forever."""

    def expired(_signum, _frame):  # type: ignore[no-untyped-def]
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("cores", [2, 3])
def test_a_killed_process_ends_the_build_with_a_message(tmp_path, monkeypatch, cores):
    # Killed before it shared what it encoded (by the OOM killer, say): the others must not
    # wait for it forever.
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    encode, parent = encoding.encode, os.getpid()

    def killed(writer, occurrences, modified, started):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return encode(writer, occurrences, modified, started)

    monkeypatch.setattr(encoding, "encode", killed)
    with _deadline(30), pytest.raises(DisclosureError, match="ended without a result"):
        build(MINIMAL, tmp_path / "out", workers=cores)
    assert _no_children_left()
    assert not (tmp_path / "out" / feeds.MANIFEST).exists()


def test_a_failure_in_the_parent_ends_the_other_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_ITEMS_TO_SPLIT", 0)
    with _failing(encoding.encode, "the parent cannot encode", in_child=False) as failing:
        monkeypatch.setattr(encoding, "encode", failing)
        with _deadline(30), pytest.raises(DisclosureError, match="the parent cannot encode"):
            build(MINIMAL, tmp_path / "out", workers=3)
    assert _no_children_left()
    assert list((tmp_path / "out").glob("*.ics")) == []  # the children stopped before rendering


def test_source_date_epoch_makes_builds_from_scratch_identical(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")  # 2025-12-02T00:00:00Z
    for name in ("a", "b"):
        args = ["-f", str(MINIMAL), "build", "-o", str(tmp_path / name), "--year", "2026"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    assert published(tmp_path / "a") == published(tmp_path / "b")
    text = (tmp_path / "a" / "finance.ics").read_text(encoding="utf-8")
    assert text.count("DTSTAMP:20251202T000000Z") == text.count("BEGIN:VEVENT") > 0


def test_without_source_date_epoch_the_clock_stamps(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert feeds.stamp_time(os.environ, NOW) == NOW
    assert feeds.stamp_time({"SOURCE_DATE_EPOCH": " "}, NOW) == NOW


@pytest.mark.parametrize("value", ["yesterday", "1.5e9", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_a_clear_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = CliRunner().invoke(main, ["-f", str(MINIMAL), "build", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH" in result.output and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())
