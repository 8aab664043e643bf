"""The parsed-schedule cache: a cached load equals a fresh one, errors and lines included.

Each test points DISCLOSURE_CALENDAR_CACHE at a folder of its own, so it sees only the
entries it wrote; the fresh load (``cache=False``) is the reference.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.schedule import Schedule, cachefiles, load_schedule
from disclosure_calendar.schedule.cache import STATS
from disclosure_calendar.schedule.cachefiles import ENV, MAX_ENTRIES, entry_file
from disclosure_calendar.schedule.sections import cut
from disclosure_calendar.schedule.yamlsource import FastLoader

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


def _bench_build():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_build", ROOT / "bench" / "bench_build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV, str(folder))
    return folder


def positions(schedule: Schedule) -> list[object]:
    """What == does not compare: where each unit, group and duty stands in the file."""
    return [x.where for x in (*schedule.units, *schedule.groups, *schedule.duties)]


def outcome(path: Path, *, cache: bool) -> tuple[Schedule | None, str | None]:
    try:
        return load_schedule(path, cache=cache), None
    except InputError as exc:
        return None, str(exc)


def assert_same(path: Path) -> Schedule | None:
    """A cached load of ``path`` gives what a fresh one does: the schedule, or the error."""
    cached, error = outcome(path, cache=True)
    fresh, fresh_error = outcome(path, cache=False)
    assert error == fresh_error
    assert cached == fresh
    if cached is not None and fresh is not None:
        assert positions(cached) == positions(fresh)
        assert cached.digest == fresh.digest and cached.path == fresh.path
    return cached


def counts() -> dict[str, int]:
    return dict(STATS)


def moved(before: dict[str, int]) -> dict[str, int]:
    return {k: v - before[k] for k, v in STATS.items() if v != before[k]}


def test_bundled_schedule_cached_equals_fresh(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    shutil.copy(ROOT / "schedule.yaml", path)
    before = counts()
    first = assert_same(path)  # read whole, stored
    assert moved(before) == {"full": 1}
    assert stat_mode(cache) == 0o700
    before = counts()
    again = assert_same(path)
    assert moved(before) == {"hits": 1}
    assert again == first and any(d.is_self_check for d in again.duties)
    # One duty's title edited: that duty alone is read again; the self-checks are redone.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: 指导本系统政务公开工作", "title: 指导本系统工作", 1))
    before = counts()
    edited = assert_same(path)
    assert moved(before) == {"reuses": 1, "duties_read": 1}
    assert edited is not None and edited.duty("system-guidance").title == "指导本系统工作"
    # Two lines added above a duty: the later plans' duties (plans: stands after duties:)
    # move down with every duty below, from the entry; the duty above the lines is read.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: system-guidance", "\n  # 新\n  - id: system-guidance"))
    before = counts()
    assert_same(path)
    assert moved(before) == {"reuses": 1, "duties_read": 1}


def stat_mode(folder: Path) -> int:
    return folder.stat().st_mode & 0o777


def test_province_cached_equals_fresh(cache: Path, tmp_path: Path) -> None:
    """bench_build's synthetic province (300 units, 2,000 duties): hit, one title edited,
    a duty removed, one added, a blank line above a duty (every later duty's line moves)."""
    path = tmp_path / "province.yaml"
    text = _bench_build().synthetic_yaml()
    path.write_text(text, encoding="utf-8")
    assert_same(path)
    before = counts()
    assert_same(path)
    assert moved(before) == {"hits": 1}
    lines = text.split("\n")
    at = lines.index("  - id: duty-1000")
    lines[at + 2] += "（修订）"
    removed = lines.index("  - id: duty-1500")
    end = lines.index("  - id: duty-1501")
    added = [line.replace("duty-1500", "duty-9999") for line in lines[removed:end]]
    del lines[removed:end]
    lines[at:at] = ["", "  # 新增"]
    lines[-1:-1] = added  # before the file's last line break
    path.write_text("\n".join(lines), encoding="utf-8")
    before = counts()
    schedule = assert_same(path)
    # The edited duty, the one before the blank line (its text grew), the added one.
    assert moved(before) == {"reuses": 1, "duties_read": 3}
    assert schedule is not None and schedule.duty("duty-9999").where is not None


# -- random small edits: the cached load equals the fresh one, errors identical -----------

# The minimal schedule with its groups after the duties: a section whose lines move.
_MINIMAL = MINIMAL.read_text(encoding="utf-8")
_GROUPS = _MINIMAL[_MINIMAL.index("groups:\n") : _MINIMAL.index("duties:\n")]
BASE = _MINIMAL.replace(_GROUPS, "") + _GROUPS
BASE_LINES = BASE.split("\n")
DUTY_STARTS = [n for n, line in enumerate(BASE_LINES) if line.startswith("  - id: ")]
DUTY_STARTS = [n for n in DUTY_STARTS if n > BASE_LINES.index("duties:")]
FIELD_LINES = [
    n
    for n, line in enumerate(BASE_LINES)
    if n > DUTY_STARTS[0] and line.startswith("    ") and ": " in line
]
UNIT_LINES = [n for n, line in enumerate(BASE_LINES) if line.startswith("  - {id: ")]
DEFAULT_LINES = [BASE_LINES.index("defaults:") + 1, BASE_LINES.index("defaults:") + 2]
VALUES = st.sampled_from(
    ["新标题", "monthly", "once", "[finance]", "[nowhere]", '"1.1"', "1.1", "", "2030-01-01",
     "{rule: workdays_after_period, n: 5}", "[3, 1]", "true", "'09:30'", "x: y", "[", "&a b"]
)  # fmt: skip


def _edit_field(lines: list[str], n: int, value: str) -> None:
    if n < len(lines):
        key = lines[n].split(":", 1)[0]
        lines[n] = f"{key}: {value}"


@st.composite
def edits(draw: st.DrawFn) -> str:
    lines = list(BASE_LINES)
    for _round in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["field", "unit", "default", "add", "remove", "blank", "comment"])
        )
        if kind == "field":
            _edit_field(lines, draw(st.sampled_from(FIELD_LINES)), draw(VALUES))
        elif kind == "unit":
            n = min(draw(st.sampled_from(UNIT_LINES)), len(lines) - 1)
            lines[n] = draw(
                st.sampled_from(
                    [lines[n].replace("name: ", "name: 新"), "", lines[n].replace("id: ", "id: x")]
                )
            )
        elif kind == "default":
            _edit_field(lines, draw(st.sampled_from(DEFAULT_LINES)), draw(VALUES))
        else:
            starts = [n for n, line in enumerate(lines) if line.startswith("  - id: ")]
            starts = [n for n in starts if n > lines.index("duties:")] if "duties:" in lines else []
            if not starts:
                continue
            i = draw(st.integers(0, len(starts) - 1))
            begin = starts[i]
            end = starts[i + 1] if i + 1 < len(starts) else len(lines) - 1
            if kind == "add":
                new_id = draw(st.sampled_from(["added", lines[begin].split(": ")[1]]))
                lines[end:end] = [f"  - id: {new_id}", *lines[begin + 1 : end]]
            elif kind == "remove":
                del lines[begin:end]
            else:
                lines.insert(begin, "" if kind == "blank" else "  # 注释")
    return "\n".join(lines)


def test_random_edits_cached_equals_fresh(cache: Path, tmp_path: Path) -> None:
    """Edits to a duty's fields, to units and defaults, duties added (also under an id
    already taken) or removed, blank and comment lines above a duty: after each, a cached load
    gives what a fresh one does, then again from the entry the edited file left."""
    path = tmp_path / "schedule.yaml"

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=edits())
    def check(text: str) -> None:
        path.write_text(BASE, encoding="utf-8")
        load_schedule(path)  # the entry the edit starts from
        path.write_text(text, encoding="utf-8")
        assert_same(path)
        assert_same(path)

    before = counts()
    check()
    # The property ran through the reuse path and the hits, not only through full reads.
    assert STATS["reuses"] - before["reuses"] > 20
    assert STATS["hits"] - before["hits"] > 20
    assert STATS["duties_read"] - before["duties_read"] > 20


# -- a cache that cannot be trusted or used is no cache ------------------------------------


def test_corrupt_truncated_or_foreign_entries_are_replaced(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "schedule.yaml"
    shutil.copy(MINIMAL, path)
    reference = load_schedule(path, cache=False)
    load_schedule(path)
    entry = entry_file(cache, path)
    good = entry.read_bytes()
    for damaged in (
        good[: len(good) // 2],
        good[:-1],
        b"garbage",
        b"",
        good.replace(b"1\n", b"2\n", 1),
    ):
        entry.write_bytes(damaged)
        before = counts()
        assert load_schedule(path) == reference
        assert moved(before) == {"full": 1}
        before = counts()  # replaced by a sound entry
        assert load_schedule(path) == reference
        assert moved(before) == {"hits": 1}
    # Another version of the code: its entries are not read.
    monkeypatch.setattr(cachefiles, "_stamp", b"0" * 64)
    before = counts()
    assert load_schedule(path) == reference
    assert moved(before) == {"full": 1}


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="no file owners")
def test_an_unsafe_folder_is_not_used(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "schedule.yaml"
    shutil.copy(MINIMAL, path)
    reference = load_schedule(path)
    entry = entry_file(cache, path)
    assert entry.exists()
    for mode in (0o770, 0o702, 0o777):
        cache.chmod(mode)
        stamp = entry.stat().st_mtime_ns
        before = counts()
        assert load_schedule(path) == reference
        assert moved(before) == {"full": 1}  # the entry there was not read
        assert entry.stat().st_mtime_ns == stamp  # nor replaced
    cache.chmod(0o700)
    link = tmp_path / "link"
    link.symlink_to(cache)
    monkeypatch.setenv(ENV, str(link))
    before = counts()
    assert load_schedule(path) == reference
    assert moved(before) == {"full": 1}


@pytest.mark.parametrize("value", ["off", "", "OFF"])
def test_the_cache_can_be_turned_off(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, value)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    shutil.copy(MINIMAL, tmp_path / "schedule.yaml")
    assert load_schedule("schedule.yaml") == load_schedule("schedule.yaml", cache=False)
    assert cachefiles.cache_folder() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schedule.yaml"]


def test_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cachefiles.cache_folder() == tmp_path / ".cache" / "disclosure-calendar"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachefiles.cache_folder() == tmp_path / "xdg" / "disclosure-calendar"
    load_schedule(MINIMAL)
    assert stat_mode(tmp_path / "xdg" / "disclosure-calendar") == 0o700


def test_an_unusable_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV, str(blocker / "cache"))
    assert load_schedule(MINIMAL) == load_schedule(MINIMAL, cache=False)


def test_the_cache_stays_bounded(cache: Path, tmp_path: Path) -> None:
    for n in range(MAX_ENTRIES + 5):
        path = tmp_path / f"s{n}.yaml"
        shutil.copy(MINIMAL, path)
        load_schedule(path)
    left = list(cache.iterdir())
    assert len(left) == MAX_ENTRIES
    assert entry_file(cache, path) in left  # the newest are kept


def test_a_file_with_problems_reports_as_without_the_cache(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text(BASE, encoding="utf-8")
    load_schedule(path)
    path.write_text(BASE.replace("units: [finance]", "units: [finance, nowhere]", 1))
    with pytest.raises(InputError) as cached:
        load_schedule(path)
    with pytest.raises(InputError) as fresh:
        load_schedule(path, cache=False)
    assert str(cached.value) == str(fresh.value)
    assert "unknown unit or group 'nowhere'" in str(cached.value)


def test_a_one_off_date_read_from_an_edit_is_checked_against_the_calendar(
    cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text(BASE, encoding="utf-8")
    load_schedule(path)
    due = "due: {rule: workdays_after_date, date: 2017-06-09, n: 30}"
    assert due in BASE
    path.write_text(BASE.replace(due, "due: {rule: fixed_date, date: 2004-01-01, roll: preceding}"))
    with pytest.raises(InputError) as cached:
        load_schedule(path)
    assert "gives no working day within the calendar's years" in str(cached.value)
    assert str(cached.value) == outcome(path, cache=False)[1]


# -- the loader's tag memo (FastLoader) composes what the safe loader under it does --------


def _tree(node: Node | None) -> object:
    if node is None:
        return None
    marks = (node.tag, node.start_mark.line, node.start_mark.column, node.end_mark.line)
    if isinstance(node, ScalarNode):
        return (*marks, node.value, node.style)
    if isinstance(node, SequenceNode):
        return (*marks, node.flow_style, [_tree(n) for n in node.value])
    assert isinstance(node, MappingNode)
    return (*marks, node.flow_style, [(_tree(k), _tree(v)) for k, v in node.value])


def _compose(loader: type, text: str) -> object:
    instance = loader(text)
    try:
        return _tree(instance.get_single_node())
    except yaml.YAMLError as exc:
        return str(exc)
    finally:
        instance.dispose()


@pytest.mark.parametrize(
    "path",
    [ROOT / "schedule.yaml", MINIMAL, *sorted((ROOT / "tests" / "data" / "bad").glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_fast_loader_composes_as_the_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    tags = "x: [1, 1.5, .inf, true, yes, null, ~, '', 2026-01-01, 0x1f, 1_000, 'true', 2026-1-1]\n"
    base = FastLoader.__mro__[1]
    assert base in (yaml.CSafeLoader, yaml.SafeLoader)
    assert _compose(FastLoader, text) == _compose(base, text)
    assert _compose(FastLoader, text + tags) == _compose(base, text + tags)


def test_a_chain_of_edits_builds_on_the_delta(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each edit is written as a delta beside the entry; the next edit takes the duties read
    for the one before from it; a damaged delta is no delta; a large one becomes the entry."""
    path = tmp_path / "schedule.yaml"
    path.write_text(BASE, encoding="utf-8")
    load_schedule(path)
    first = BASE.replace("title: 公开具体工作措施", "title: 公开措施", 1)
    second = first.replace("  - id: concrete-measures", "\n  # 新\n  - id: concrete-measures", 1)
    second = second.replace("title: 一般公共预算收支完成情况", "title: 预算收支", 1)
    assert second != first != BASE
    path.write_text(first, encoding="utf-8")
    before = counts()
    assert_same(path)
    assert moved(before) == {"reuses": 1, "duties_read": 1}
    delta = entry_file(cache, path, delta=True)
    assert delta.exists()
    before = counts()
    assert_same(path)  # the delta's own text
    assert moved(before) == {"hits": 1}
    # Two lines above the first duty: every duty moves down, the one edited first taken from
    # the delta; another title edited: that duty alone is read.
    path.write_text(second, encoding="utf-8")
    before = counts()
    assert_same(path)
    assert moved(before) == {"reuses": 1, "duties_read": 1}
    delta.write_bytes(delta.read_bytes()[:-20])
    before = counts()
    assert_same(path)  # the damaged delta ignored: from the entry, two duties read
    assert moved(before) == {"reuses": 1, "duties_read": 2}
    monkeypatch.setattr("disclosure_calendar.schedule.cache.DELTA_DUTIES", 0)
    path.write_text(first, encoding="utf-8")
    assert_same(path)
    assert not delta.exists()  # the entry itself was written again
    before = counts()
    assert_same(path)
    assert moved(before) == {"hits": 1}


def test_a_cut_the_parser_disagrees_with_is_not_trusted(cache: Path, tmp_path: Path) -> None:
    """A quoted title running over a line that looks like a top-level key: the cut sees a
    section the YAML parser does not, so an edit is read whole (and still equals fresh)."""
    text = BASE.replace("  title: 测试方案\n", '  title: "测试方案\nextra: 1"\n', 1)
    path = tmp_path / "schedule.yaml"
    path.write_text(text, encoding="utf-8")
    assert assert_same(path) is not None
    path.write_text(text.replace("title: 公开具体工作措施", "title: 公开措施", 1))
    before = counts()
    assert_same(path)
    assert moved(before) == {"full": 1}


@pytest.mark.parametrize(
    "change",
    [
        ("    title: 公开具体工作措施", "    title:\t公开具体工作措施"),  # a tab
        ("    title: 公开具体工作措施", "    title: 公开\u2028具体工作措施"),  # a YAML line break
        ("version: 1", "%YAML 1.1\n---\nversion: 1"),  # a directive and a document marker
        ("    title: 公开具体工作措施", "    title: &t 公开具体工作措施"),  # an anchor
        ("duties:\n", "duties: # 职责\n  # 说明\n"),  # comments are fine: cut
        ("duties:\n", "duties:\n 说明: x\n"),  # a line less indented than the items
        ("  - id: budget-execution", "  -id: budget-execution"),  # at the items' indent, no item
        ("duties:\n", "duties: !!seq\n"),  # duties: with a value on its line
        ("version: 1", "'version': 1"),  # a top-level key quoted
    ],
    ids=["tab", "ls", "directive", "anchor", "comments", "outdented", "no-item", "tag", "quoted"],
)
def test_what_the_cut_is_not_sure_of(change: tuple[str, str]) -> None:
    old, new = change
    assert old in BASE
    text = BASE.replace(old, new, 1)
    found = cut(text.encode(), text)
    if "说明" in new and "#" in new:
        assert found is not None and len(found.duties) == len(DUTY_STARTS)
    else:
        assert found is None
