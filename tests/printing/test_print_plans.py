"""A printed calendar names the plans in force and, on each row, the document a duty is from."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from disclosure_calendar.printing import edition as editions
from disclosure_calendar.printing import render
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"
BUILT = dt.date(2025, 11, 20)
LAW = "《中华人民共和国政府信息公开条例》"


def test_finance_2025_lists_both_plans_and_the_article_in_force(tmp_path):
    schedule = load_schedule(BUNDLED)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    occurrences = editions.year_occurrences(schedule, cal, 2025)
    edition = editions.build_edition(schedule, cal, 2025, occurrences, unit="finance", built=BUILT)
    assert edition.plans == (
        "《中山市贯彻落实省政府办公厅2017年政务公开工作要点分工方案》"
        "（中山市人民政府办公室，2017年6月9日印发）",
        f"{LAW}（国务院，2007年4月5日公布）",
    )
    rows = [r for m in edition.months for r in m.rows if r.ref == "49.1"]
    # 31 January 2025 fell in the Spring Festival (28 Jan-4 Feb): the last working day before.
    assert [(r.date, r.plan) for r in rows] == [("1月27日", LAW)]
    assert "第四十九条第一款" in rows[0].rule and "第三十一条" not in rows[0].rule
    [(pdf, _)] = render.write_calendars(
        schedule, cal, 2025, units=["finance"], out_dir=tmp_path, built=BUILT
    )
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\n", "")
    assert "中华人民共和国政府信息公开条例》（国务院，2007年4月5日公布）" in text
    assert "依据《中华人民共和国政府信息公开条例》" in text
