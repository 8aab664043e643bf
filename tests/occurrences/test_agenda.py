"""agenda: rows by due date, unit and group views, --as-of, table/json/csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.occurrences import agenda as ag

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal.yaml"
Y2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_all_units_view_names_groups_once(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    view = ag.agenda(schedule, cal, *Y2026)
    repealed = [r for r in view.rows if r.duty == "repealed-files"]
    assert [(r.unit, r.due) for r in repealed] == [("towns", dt.date(2026, 3, 16))]
    # 10th working day after Mon 2026-03-02: Mar 3-6 (4), 9-13 (9), Mon 16 (10).
    assert [r.due for r in view.rows] == sorted(r.due for r in view.rows)


def test_unit_view_includes_duties_through_groups(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    view = ag.agenda(schedule, cal, *Y2026, unit="torch_zone")
    assert {r.duty for r in view.rows} == {"water-ranking", "repealed-files"}
    assert {r.unit for r in view.rows} == {"torch_zone"}
    row = next(r for r in view.rows if r.duty == "repealed-files")
    assert row.uid == "repealed-files.event-2026-03-02.torch_zone@test.example"


def test_group_view_lists_what_names_the_group(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    view = ag.agenda(schedule, cal, *Y2026, unit="towns")
    assert {(r.duty, r.unit) for r in view.rows} == {
        ("water-ranking", "towns"),
        ("repealed-files", "towns"),
    }


def test_duty_filter(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    view = ag.agenda(schedule, cal, *Y2026, duty="electricity-market")
    assert [(r.period, r.due) for r in view.rows] == [
        ("2025-Q4", dt.date(2026, 1, 15)),  # Jan 1-3 off, Sun Jan 4 worked: 4, 5-9, 12-15
        ("2026-Q1", dt.date(2026, 4, 15)),  # Apr 4-6 (清明) off: 1,2,3,7..10,13,14,15
        ("2026-Q2", dt.date(2026, 7, 14)),
        ("2026-Q3", dt.date(2026, 10, 20)),
    ]


def test_unknown_unit_or_duty_is_a_user_error(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DisclosureError, match="unknown unit"):
        ag.agenda(schedule, cal, *Y2026, unit="nobody")
    with pytest.raises(DisclosureError, match="unknown duty"):
        ag.agenda(schedule, cal, *Y2026, duty="nothing")


def test_as_of_splits_overdue_and_upcoming(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    as_of = dt.date(2026, 10, 16)
    view = ag.agenda(schedule, cal, *ag.as_of_range(as_of, 4), as_of=as_of, weeks=4)
    status = {(r.duty, r.period): r.status for r in view.rows}
    # Oct 10 2026 is a Saturday worked in exchange for the National Day break (2026 notice).
    assert status[("grain-oil-prices", "2026-09")] == ag.OVERDUE  # due Sat 10-10
    assert status[("electricity-market", "2026-Q3")] == ag.UPCOMING  # due Tue 10-20
    assert all(r.due <= as_of + dt.timedelta(weeks=4) for r in view.rows)
    text = ag.format_agenda(view, "table")
    assert (
        text.index("Overdue")
        < text.index("2026-10-10")
        < text.index("Due in the next")
        < text.index("2026-10-20")
    )


def test_json_fields(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    view = ag.agenda(schedule, cal, *Y2026, duty="budget-execution")
    items = json.loads(ag.format_agenda(view, "json"))
    first = items[0]
    assert {"uid", "ref", "duty", "unit", "period", "due", "title", "provisional"} <= set(first)
    assert first["uid"] == "budget-execution.2025-12.finance@test.example"
    assert (first["ref"], first["unit"], first["period"], first["due"]) == (
        "1.3", "finance", "2025-12", "2026-01-22",
    )  # fmt: skip
    assert first["provisional"] is False


def test_csv_has_a_header_and_a_row_per_item(schedule, cal) -> None:  # type: ignore[no-untyped-def]
    view = ag.agenda(schedule, cal, *Y2026, unit="finance")
    rows = list(csv.DictReader(io.StringIO(ag.format_agenda(view, "csv"))))
    assert len(rows) == len(view.rows) > 0
    assert rows[0]["due"] == view.rows[0].due.isoformat()


def test_cli_agenda_json_for_a_unit() -> None:
    result = CliRunner().invoke(
        main,
        [
            "-f",
            str(MINIMAL),
            "agenda",
            "--unit",
            "economy_it",
            "--year",
            "2026",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert {i["duty"] for i in items} == {"electricity-market"}


def test_cli_agenda_as_of_table() -> None:
    result = CliRunner().invoke(
        main, ["-f", str(MINIMAL), "--lang", "zh", "agenda", "--as-of", "2026-10-16"]
    )
    assert result.exit_code == 0, result.output
    assert "即将到期" in result.stdout and "电力市场交易资格单位名单" in result.stdout


def test_cli_agenda_rejects_a_bad_date_and_unknown_unit() -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["-f", str(MINIMAL), "agenda", "--as-of", "tomorrow"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    unknown = runner.invoke(
        main, ["-f", str(MINIMAL), "agenda", "--unit", "nobody", "--year", "2026"]
    )
    assert unknown.exit_code == 1 and "unknown unit or group 'nobody'" in unknown.output


def test_as_of_takes_a_date_as_every_date_argument_does() -> None:
    """2026-4-14 (as staff type it) is 2026-04-14; a wrong date is said as for event add's DATE."""
    runner = CliRunner()
    args = ["-f", str(MINIMAL), "--lang", "zh", "agenda", "--as-of"]
    padded = runner.invoke(main, [*args, "2026-10-16"])
    short = runner.invoke(main, [*args, "2026-10-6"])
    assert short.exit_code == 0, short.output
    assert runner.invoke(main, [*args, "2026-10-06"]).stdout == short.stdout != padded.stdout
    bad = runner.invoke(main, [*args, "2026-04-31"])
    assert bad.exit_code == 2
    assert (
        "--as-of 的值无效：'2026-04-31' 不是日期：请按“年-月-日”写，例如 2026-01-31" in bad.output
    )
