"""Exports for Excel: CSV with a BOM and Chinese headers, xlsx workbooks with real dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import cli
from disclosure_calendar.core.sheets import BOM, Sheet, csv_text, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "schedule.yaml"
CLOCK = {"DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-05-06T10:00"}


def run(*args: str, lang: str = "zh") -> str:
    result = CliRunner().invoke(
        cli.main,
        ["-f", str(SCHEDULE), *args],
        env={"DISCLOSURE_CALENDAR_LANG": lang, **CLOCK},
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_agenda_csv_has_a_bom_and_chinese_headers() -> None:
    out = run("agenda", "--year", "2026", "--format", "csv")
    assert out.startswith(BOM)
    rows = list(csv.reader(io.StringIO(out.removeprefix(BOM))))
    assert rows[0][:3] == ["UID", "条目", "职责"]
    assert "截止日期" in rows[0]
    due = rows[0].index("截止日期")
    assert dt.date.fromisoformat(rows[1][due])  # ISO in a table meant for machines


def test_agenda_csv_english_headers_on_request() -> None:
    out = run("agenda", "--year", "2026", "--format", "csv", lang="en")
    assert out.startswith(BOM)
    header = out.removeprefix(BOM).splitlines()[0]
    assert header.startswith("uid,ref,duty,unit,unit_name,period,period_name,due,title")


@pytest.mark.parametrize(
    ("command", "sheet", "headers", "date_column"),
    [
        (("agenda", "--year", "2026"), "待办", ["UID", "条目", "职责"], 8),
        (("duties",), "职责", ["条目", "标识", "周期"], None),
        (("status", "--year", "2026"), "状态", ["单位", "名称", "按时完成"], None),
    ],
    ids=["agenda", "duties", "status"],
)
def test_xlsx_workbooks(
    tmp_path: Path,
    empty_ledger: str,
    command: tuple[str, ...],
    sheet: str,
    headers: list[str],
    date_column: int | None,
) -> None:
    target = tmp_path / "out.xlsx"
    if command[0] == "status":
        command = (*command, "--db", empty_ledger)
    out = run(*command, "--format", "xlsx", "-o", str(target))
    assert str(target) in out
    book = load_workbook(target)
    assert book.sheetnames == [sheet]
    ws = book[sheet]
    assert [c.value for c in ws[1]][:3] == headers
    assert ws.freeze_panes == "A2"
    assert ws.max_row > 1
    if date_column is not None:
        value = ws.cell(row=2, column=date_column).value
        assert isinstance(value, dt.datetime)  # a real date: Excel sorts and filters it
    # a column of Chinese names is wider than its two-character header
    name_width = ws.column_dimensions["B"].width
    assert name_width and name_width >= 6


def test_xlsx_needs_an_output_file() -> None:
    result = CliRunner().invoke(
        cli.main, ["-f", str(SCHEDULE), "--lang", "zh", "duties", "--format", "xlsx"]
    )
    assert result.exit_code == 2
    assert "--format xlsx 需要 -o FILE" in result.output


def test_widths_count_chinese_characters_twice() -> None:
    book = load_workbook(
        io.BytesIO(xlsx_bytes([Sheet("s", ["a", "b"], [["一般公共预算", "abcdef"]])]))
    )
    ws = book["s"]
    assert ws.column_dimensions["A"].width == 14  # 6 characters, 12 columns, +2
    assert ws.column_dimensions["B"].width == 8


def test_csv_text_dates_iso_and_empty_cells() -> None:
    text = csv_text(["日期", "备注"], [[dt.date(2026, 3, 16), None]])
    assert text == BOM + "日期,备注\r\n2026-03-16,"


def test_xlsx_text_that_looks_like_a_formula_stays_text() -> None:
    import io

    from openpyxl import load_workbook

    from disclosure_calendar.core.sheets import Sheet, xlsx_bytes

    data = xlsx_bytes([Sheet("表", ["网址"], [['=HYPERLINK("http://x")'], ["普通"]])])
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
