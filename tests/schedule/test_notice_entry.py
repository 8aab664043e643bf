"""Putting a notice's entry into schedule.yaml (schedule.notice_entry) and the `workdays notice` command."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

import cli
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.schedule.notice_entry import NoticeEntryError, add_entry, snippet

ROOT = Path(__file__).resolve().parents[2]
NOTICES = ROOT / "tests" / "workdays" / "data" / "notices"
EXAMPLE = NOTICES / "example_2027.txt"
DATA = ROOT / "tests" / "data"

ENTRY = {
    "year": 2027,
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "published": "2026-11-12",
    "days_off": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "中秋节、国庆节", "from": "2027-10-01", "to": "2027-10-07"},
    ],
    "workdays": ["2027-09-26", "2027-10-09"],
}
ENTRY_LINES = [
    "    - year: 2027",
    "      title: 国务院办公厅关于2027年部分节假日安排的通知",
    "      published: 2026-11-12",
    "      days_off:",
    "        - {name: 元旦, from: 2027-01-01, to: 2027-01-03}",
    "        - {name: 中秋节、国庆节, from: 2027-10-01, to: 2027-10-07}",
    "      workdays: [2027-09-26, 2027-10-09]   # 调休上班",
]


def only_inserted(old: str, new: str) -> list[str]:
    """The lines ``new`` adds to ``old``; fails if any old line was changed or dropped."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    added = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), tag
        if tag == "insert":
            added.extend(new.splitlines()[j1:j2])
    return added


def test_bundled_schedule_keeps_every_byte_and_gains_the_entry() -> None:
    old = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    new = add_entry(old, ENTRY)
    assert only_inserted(old, new) == ["", "calendar:", "  notices:", *ENTRY_LINES]
    assert "              xiaolan, huangpu," in new  # the hand-wrapped members: list stays


def test_empty_calendar_keeps_its_comment() -> None:
    old = "version: 1\ncalendar: {}                    # optional: new holiday notices\nunits: []\n"
    new = add_entry(old, ENTRY)
    assert new == (
        "version: 1\ncalendar:                    # optional: new holiday notices\n  notices:\n"
        + "\n".join(ENTRY_LINES)
        + "\nunits: []\n"
    )


@pytest.mark.parametrize(
    "old",
    [
        "calendar:\n  local_days_off:\n    - {name: 台风停工, date: 2026-09-16}\n",
        "calendar:\n  notices: []\n  local_days_off:\n    - {name: 台风停工, date: 2026-09-16}\n",
        "calendar:\n",
    ],
    ids=["no-notices", "empty-notices", "bare-key"],
)
def test_calendar_without_notices(old: str) -> None:
    new = add_entry(old, ENTRY)
    assert yaml.safe_load(new)["calendar"]["notices"][0]["days_off"][1]["name"] == "中秋节、国庆节"
    assert "\n".join(ENTRY_LINES) in new


def test_entries_stay_in_year_order_with_their_comments() -> None:
    old = (
        "calendar:\n  notices:\n"
        "  - year: 2026\n    title: a\n    published: 2025-11-04\n"
        "  # the next one was entered by hand\n"
        "  - year: 2028\n    title: b\n    published: 2027-11-04\n"
    )
    new = add_entry(old, ENTRY)
    years = [n["year"] for n in yaml.safe_load(new)["calendar"]["notices"]]
    assert years == [2026, 2027, 2028]
    assert "  # the next one was entered by hand\n  - year: 2028" in new
    assert "  - year: 2027\n    title:" in new  # this list's own indentation, not the default
    assert "    days_off:\n    - {name: 元旦" in new


def test_existing_year_refused_unless_replace() -> None:
    old = (DATA / "calendar_override.yaml").read_text(encoding="utf-8")
    with pytest.raises(NoticeEntryError) as info:
        add_entry(old, ENTRY)
    assert (info.value.line, info.value.message) == (
        11,
        "calendar: notices: already has 2027; give --replace to put this notice in its place",
    )
    new = add_entry(old, ENTRY, replace=True)
    loaded = yaml.safe_load(new)["calendar"]
    assert [n["title"] for n in loaded["notices"]] == [ENTRY["title"]]
    assert loaded["local_days_off"] == [{"name": "台风停工", "date": dt.date(2026, 9, 16)}]


def test_flow_notices_refused() -> None:
    with pytest.raises(NoticeEntryError, match="not a block list"):
        add_entry("calendar:\n  notices: [{year: 2026, title: a, published: 2025-11-04}]\n", ENTRY)


def test_crlf_file_stays_crlf() -> None:
    old = "version: 1\r\nunits: []\r\n"
    new = add_entry(old, ENTRY)
    assert "\n" not in new.replace("\r\n", "")
    assert new.startswith("version: 1\r\ncalendar:\r\n")


def test_odd_title_is_quoted() -> None:
    entry = ENTRY | {
        "title": "通知: #1 [测试]",
        "days_off": [{"name": "a, b", "from": "2027-01-01", "to": "2027-01-01"}],
    }
    loaded = yaml.safe_load(snippet(entry))["calendar"]["notices"][0]
    assert loaded["title"] == "通知: #1 [测试]"
    assert loaded["days_off"][0]["name"] == "a, b"


# -------------------------------------------------------------------------- the command


def invoke(schedule: Path, *args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(
        cli.main, ["-f", str(schedule), "workdays", "notice", *args], input=stdin
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_prints_the_entry(tmp_path: Path) -> None:
    result = invoke(tmp_path / "none.yaml", str(EXAMPLE))
    assert result.exit_code == 0
    assert result.output.startswith("calendar:\n  notices:\n    - year: 2027\n")
    assert "        - {name: 春节, from: 2027-02-05, to: 2027-02-13}\n" in result.output
    assert yaml.safe_load(result.output)["calendar"]["notices"][0]["workdays"][0] == dt.date(
        2027, 2, 14
    )


def test_json_from_stdin(tmp_path: Path) -> None:
    result = invoke(
        tmp_path / "none.yaml", "--json", "-", stdin=EXAMPLE.read_text(encoding="utf-8")
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["year", "title", "published", "days_off", "workdays"]
    assert data["published"] == "2026-11-12"
    assert data["days_off"][0] == {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}
    assert data["workdays"] == [
        "2027-02-14",
        "2027-02-20",
        "2027-04-25",
        "2027-05-08",
        "2027-09-26",
        "2027-10-09",
    ]


def test_no_date_of_issue_gives_null_and_a_warning(tmp_path: Path) -> None:
    text = "\n".join(EXAMPLE.read_text(encoding="utf-8").splitlines()[:-2])
    result = invoke(tmp_path / "none.yaml", "--json", "-", stdin=text)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["published"] is None
    assert "warning: no date of issue in the text; give --published" in result.stderr
    dated = invoke(tmp_path / "none.yaml", "--json", "--published", "2026-11-12", "-", stdin=text)
    assert json.loads(dated.stdout)["published"] == "2026-11-12"


def test_write_shows_the_diff_then_the_year_is_official(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    shutil.copy(ROOT / "schedule.yaml", schedule)
    old = schedule.read_text(encoding="utf-8")
    result = invoke(schedule, "--write", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"--- {schedule}\n+++ {schedule}\n@@ ")
    assert "+    - year: 2027\n" in result.output
    assert result.output.endswith(f"wrote {schedule}: calendar: notices: 2027\n")
    assert len(only_inserted(old, schedule.read_text(encoding="utf-8"))) == 15
    assert [n.year for n in load_schedule(schedule).notices] == [2027]
    year = CliRunner().invoke(cli.main, ["-f", str(schedule), "workdays", "year", "2027"])
    assert "Source: 《国务院办公厅关于2027年部分节假日安排的通知》 (2026-11-12)" in year.output
    assert "presumed" not in year.output
    check = CliRunner().invoke(cli.main, ["-f", str(schedule), "workdays", "check", "2027-02-14"])
    assert check.output.startswith(
        "2027-02-14 Sunday: working day (make-up working day)\n"
        "2027-02-14 (Sunday) is a make-up working day: make-up working day. "
    ), check.output
    zh = ["--lang", "zh", "-f", str(schedule), "workdays", "check", "2027-02-14"]
    assert "工作日（调休上班）" in CliRunner().invoke(cli.main, zh).output

    again = invoke(schedule, "--write", str(EXAMPLE))
    assert again.exit_code == 1
    # the entry written above, at the line of its "- year: 2027"
    line = schedule.read_text(encoding="utf-8").splitlines().index("    - year: 2027") + 1
    where = f"{schedule}:{line}:1"
    assert f"{where}: calendar: notices: already has 2027; give --replace" in again.output
    replaced = invoke(schedule, "--write", "--replace", str(EXAMPLE))
    assert replaced.exit_code == 0
    assert replaced.output == f"{schedule} already has this entry: nothing written\n"


EXTENSION_2027 = """国务院办公厅关于延长2027年春节假期的通知

    一、延长2027年春节假期至2月14日（农历正月初九，星期日），2月15日（星期一）起正常上班。

国务院办公厅
2027年2月9日
"""


def test_separate_notice_changes_the_entered_year(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    shutil.copy(DATA / "minimal.yaml", schedule)
    assert invoke(schedule, "--write", str(EXAMPLE)).exit_code == 0
    result = invoke(schedule, "--write", "-", stdin=EXTENSION_2027)  # no --replace needed
    assert result.exit_code == 0, result.output
    assert "-        - {name: 春节, from: 2027-02-05, to: 2027-02-13}\n" in result.output
    assert "+        - {name: 春节, from: 2027-02-05, to: 2027-02-14}\n" in result.output
    (notice,) = load_schedule(schedule).notices
    assert dt.date(2027, 2, 14) not in notice.workdays  # the make-up Sunday is a day off now
    assert notice.published == dt.date(2027, 2, 9)
    assert notice.title == (
        "国务院办公厅关于2027年部分节假日安排的通知；国务院办公厅关于延长2027年春节假期的通知"
    )


def test_separate_notice_for_a_year_not_entered(tmp_path: Path) -> None:
    result = invoke(tmp_path / "none.yaml", "-", stdin=EXTENSION_2027)
    assert result.exit_code == 1
    assert result.output == (
        "Error: 1 problem found:\n<stdin>: ‘国务院办公厅关于延长2027年春节假期的通知’ changes the "
        "2027 arrangement, which is not entered yet: enter the 2027 notice first\n"
    )


def test_write_needs_a_date_of_issue(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    shutil.copy(DATA / "minimal.yaml", schedule)
    text = "\n".join(EXAMPLE.read_text(encoding="utf-8").splitlines()[:-2])
    result = invoke(schedule, "--write", "-", stdin=text)
    assert result.exit_code == 1
    assert "give it with --published YYYY-MM-DD" in result.output
    assert schedule.read_bytes() == (DATA / "minimal.yaml").read_bytes()


def test_write_refuses_an_entry_the_schedule_would_reject(tmp_path: Path) -> None:
    """The new file is loaded before it is written: a clash with another notice stops it."""
    schedule = tmp_path / "schedule.yaml"
    text = (DATA / "calendar_override.yaml").read_text(encoding="utf-8")
    schedule.write_text(text.replace("2027-02-20]", "2027-02-20, 2027-12-25]"), encoding="utf-8")
    before = schedule.read_bytes()
    notice = "一、元旦：2027年12月25日（周六）至2028年1月1日（周六）放假调休，共8天。"
    result = invoke(
        schedule, "--write", "--year", "2028", "--published", "2027-11-01", "-", stdin=notice
    )
    assert result.exit_code == 1
    assert (
        f"{schedule} (as changed above):18:7: calendar: notice for 2028, days_off[0] 2027-12-25: "
        "is a make-up working day in notice 0"
    ) in result.output
    assert "+  - year: 2028\n" in result.output or "+    - year: 2028\n" in result.output
    assert schedule.read_bytes() == before
    assert list(tmp_path.iterdir()) == [schedule]  # the copy it checked is gone


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", "Error: 1 problem found:\nNAME: the text is empty\n", id="empty"),
        pytest.param(
            "中山市政务公开工作要点。".encode(),
            "Error: 1 problem found:\nNAME: no year: the text has no title naming it; give --year\n",
            id="unrelated",
        ),
        pytest.param(
            b"x" * (10 * 2**20),
            "Error: 1 problem found:\nNAME: more than 400,000 bytes; a holiday notice is a few KB\n",
            id="10MB",
        ),
        pytest.param(
            EXAMPLE.read_text(encoding="utf-8").replace("共9天", "共8天").encode(),
            "Error: 1 problem found:\nNAME:7:1: 春节: ‘共8天’, but 2027-02-05 to 2027-02-13 is 9 days\n",
            id="wrong-count",
        ),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes(content)
    result = invoke(tmp_path / "none.yaml", str(path))
    assert result.exit_code == 1
    assert result.output == expected.replace("NAME", str(path))
    assert "Traceback" not in result.output


def test_build_dry_run_shows_what_moved(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    shutil.copy(ROOT / "schedule.yaml", schedule)
    out = tmp_path / "out"
    main = ["-f", str(schedule)]
    first = CliRunner().invoke(cli.main, [*main, "build", "--year", "2027", "-o", str(out)])
    assert first.exit_code == 0
    assert "holiday notice for 2027 is not in the data yet" in first.stderr
    assert invoke(schedule, "--write", str(EXAMPLE)).exit_code == 0
    dry = CliRunner().invoke(
        cli.main, [*main, "build", "--year", "2027", "-o", str(out), "--dry-run"]
    )
    assert dry.exit_code == 0
    # the notice's Spring Festival break and make-up Sunday 02-14 move January's report
    assert "  ~ infectious-disease-info 2027-01: 2027-02-18 -> 2027-02-19\n" in dry.stdout
    # the daily monitoring is one recurring event a year: it changes (make-up day 02-14
    # joins its RDATE), it does not move
    assert "government_office.ics 市政府办公室: 0 added, 0 removed" in dry.stdout
    assert "holiday notice for 2027 is not in the data yet" not in dry.stderr
    assert "moved" in dry.stdout.splitlines()[0]
