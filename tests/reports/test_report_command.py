"""`report` on the bundled schedule with a ledger of marks: its figures are `status`'s, on
SQLite and PostgreSQL; the .docx, .xlsx and JSON carry them; mistakes are one clear line."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

import cli
from disclosure_calendar.ledger import Ledger
from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays.calendar import WorkdayCalendar

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "schedule.yaml"
CLOCK = {"DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-10-12T10:00"}
AT = dt.datetime(2026, 10, 12, 2, tzinfo=dt.UTC)


def run(*args: str, schedule: Path = SCHEDULE) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["-f", str(schedule), *args], env=CLOCK)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def bundled():
    schedule = load_schedule(SCHEDULE)
    cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    return schedule, cal


def _mark_some(db: str, schedule, cal) -> int:
    """Marks for every third occurrence due Jan-Sep 2026: alternately on time and late."""
    marked = 0
    occurrences = expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2026, 9, 30))
    with Ledger(db) as ledger:
        n = 0
        for occ in occurrences:
            if occ.duty.routine:
                continue
            for unit in schedule.unit_ids_of(occ.duty):
                n += 1
                if n % 3:
                    continue
                late = (n // 3) % 2
                on = occ.due + dt.timedelta(days=4 if late else -2)
                uid = occ.uid(unit, schedule.plan.uid_domain)
                ledger.mark_done(uid, unit, min(on, dt.date(2026, 10, 12)), None, AT)
                marked += 1
    return marked


@pytest.fixture
def marked_db(ledger_db, bundled):
    schedule, cal = bundled
    assert _mark_some(ledger_db, schedule, cal) > 100
    return ledger_db


def empty_ledger(folder: Path) -> str:
    path = str(folder / "ledger.db")
    with Ledger(path):
        pass
    return path


STATUS_KEYS = ("on_time", "late", "open", "overdue", "on_time_rate")


def test_figures_equal_status(marked_db):
    code, out = run("status", "--year", "2026", "--format", "json", "--db", marked_db)
    assert code == 0, out
    status = {u["unit"]: u for u in json.loads(out)["units"]}
    code, out = run("report", "--year", "2026", "--format", "json", "--db", marked_db)
    assert code == 0, out
    report = json.loads(out)
    assert report["period"]["code"] == "2026" and report["as_of"] == "2026-10-12"
    units = {u["unit"]: u for u in report["units"]}
    assert units.keys() == status.keys()
    assert {k: {f: v[f] for f in STATUS_KEYS} for k, v in units.items()} == {
        k: {f: v[f] for f in STATUS_KEYS} for k, v in status.items()
    }
    assert sum(u["late"] for u in units.values()) > 0
    # Every overdue occurrence status lists is in the notice's overdue list, and no other.
    code, out = run("status", "--year", "2026", "--format", "json", "--db", marked_db)
    overdue = {
        (o["unit"], o["ref"], o["period"])
        for o in json.loads(out)["occurrences"]
        if o["state"] == "overdue"
    }
    assert {(o["unit"], o["ref"], o["period"]) for o in report["overdue"]} == overdue
    days = [o["workdays_overdue"] for o in report["overdue"]]
    assert days == sorted(days, reverse=True) and days[-1] >= 1


def test_quarters_add_up_to_the_year(marked_db):
    totals = []
    for quarter in range(1, 5):
        code, out = run("report", "--quarter", f"2026Q{quarter}", "--format", "json", "--db", marked_db)  # fmt: skip
        assert code == 0, out
        totals.append(json.loads(out))
    code, out = run("report", "--year", "2026", "--format", "json", "--db", marked_db)
    year = json.loads(out)
    for key in ("on_time", "late", "open", "overdue"):
        assert sum(t["totals"][key] for t in totals) == year["totals"][key]
    # Each quarter compares itself with the one before, counted the same way.
    assert totals[2]["previous"]["on_time"] == totals[1]["totals"]["on_time"]
    assert totals[2]["previous"]["period"]["code"] == "2026Q2"


def test_docx_carries_the_same_figures(marked_db, tmp_path):
    out_file = tmp_path / "q3.docx"
    code, out = run("report", "--quarter", "2026Q3", "--db", marked_db, "-o", str(out_file))
    assert code == 0 and str(out_file) in out
    code, out = run("report", "--quarter", "2026Q3", "--format", "json", "--db", marked_db)
    data = json.loads(out)
    doc = Document(io.BytesIO(out_file.read_bytes()))
    assert doc.paragraphs[0].text == "关于2026年第三季度政务公开工作落实情况的通报"
    units = doc.tables[0]
    rated = [u for u in data["units"] if u["on_time_rate"] is not None]
    assert len(units.rows) == len(rated) + 1
    first = units.rows[1].cells
    assert [first[1].text, first[3].text, first[5].text] == [
        rated[0]["name"], str(rated[0]["on_time"]), str(rated[0]["overdue"]),
    ]  # fmt: skip
    assert len(doc.tables[1].rows) == len(data["overdue"]) + 1
    # The notice writes each overdue item's period in words (2026年6月), the json its code.
    first_overdue = doc.tables[1].rows[1].cells[3].text
    assert re.search(r"（2026年(\d+月|第\d季度)）$", first_overdue), first_overdue
    t = data["totals"]
    text = "".join(p.text for p in doc.paragraphs)
    assert f"已到期{t['due']}项，其中按时完成{t['on_time']}项" in text


def test_unit_and_group_scope(tmp_path):
    code, out = run("report", "--year", "2026", "--unit", "finance", "--format", "json",
                    "--db", empty_ledger(tmp_path))  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert [u["unit"] for u in data["units"]] == ["finance"] and data["scope"] == "finance"
    code, out = run("report", "--year", "2026", "--unit", "nope", "--db", empty_ledger(tmp_path))
    assert code == 1 and "--unit: unknown unit or group 'nope'" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2026Q5"], "--quarter '2026Q5': expected a year and quarter such as 2026Q3"),
        (["--quarter", "2026Q3", "--year", "2026"], "give one period"),
        ([], "give one period"),
        (["--from", "2026-07-01"], "--from and --to go together"),
    ],
    ids=["bad-quarter", "two-periods", "none", "half-range"],
)
def test_period_mistakes(args, message, tmp_path):
    code, out = run("report", *args, "--db", empty_ledger(tmp_path))
    assert code == 1 and message in out and "Traceback" not in out
    assert not list(tmp_path.glob("report-*"))


def test_report_yaml_mistake_names_the_line(tmp_path):
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(SCHEDULE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "report.yaml").write_text("printed_by: 市政府办公室\ncopy: x\n", encoding="utf-8")
    out_file = tmp_path / "r.docx"
    code, out = run("report", "--year", "2026", "-o", str(out_file), "--db",
                    empty_ledger(tmp_path), schedule=schedule)  # fmt: skip
    assert code == 1 and "report.yaml:2:1: report.yaml: unknown key 'copy'" in out
    assert not out_file.exists()


def test_provisional_dates_are_marked(tmp_path):
    """2029 has no State Council notice yet (years ahead): its due dates are provisional."""
    db = empty_ledger(tmp_path)
    out_file = tmp_path / "q1.docx"
    result = CliRunner().invoke(
        cli.main,
        ["-f", str(SCHEDULE), "report", "--quarter", "2029Q1", "--db", db, "-o", str(out_file)],
        env={"DISCLOSURE_CALENDAR_FAKE_CLOCK": "2029-05-10T10:00"},
    )
    assert result.exit_code == 0, result.output
    doc = Document(io.BytesIO(out_file.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "的日期所依据的节假日安排尚未公布" in text
    due = [row.cells[4].text for row in doc.tables[1].rows[1:]]
    assert due and all(d.endswith("（暂定）") for d in due)
