"""The importer on plans in the layouts other cities publish (tests/planning/genre.py):
every task found, with the lead and cooperating units the plan gives it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from disclosure_calendar.planning import import_plan, recognise
from disclosure_calendar.planning.output import as_json, as_yaml
from disclosure_calendar.planning.readers.dispatch import read_bytes
from disclosure_calendar.schedule import load_schedule
from tests.planning.genre import DOCUMENTS


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_every_task_with_its_units(key: str) -> None:
    make, expected = DOCUMENTS[key]
    name, data = make()
    plan = recognise(read_bytes(data, name))
    assert [(t.lead_units, t.cooperating_units) for t in plan.tasks] == expected
    assert not [u for u in plan.unplaced if "牵头" not in u.text]  # only the note on the star


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_the_draft_validates(key: str, tmp_path: Path) -> None:
    make, expected = DOCUMENTS[key]
    name, data = make()
    draft = import_plan(name, None, today=dt.date(2026, 1, 1), data=data)
    path = tmp_path / "draft.yaml"
    path.write_text(as_yaml(draft, source=name), encoding="utf-8")
    schedule = load_schedule(path)
    assert schedule.duties
    assert len(json.loads(as_json(draft))["tasks"]) >= len(expected)


def _plan(key: str):  # type: ignore[no-untyped-def]
    name, data = DOCUMENTS[key][0]()
    return recognise(read_bytes(data, name))


def test_a_standing_rule_said_at_a_sections_end_covers_the_sections_after() -> None:
    plan = _plan("province_prose.txt")
    ruled = [t.ref for t in plan.tasks if "各地级以上市人民政府" in t.cooperating_units]
    assert ruled == ["1.1.1", "2.1.1", "2.1.2", "2.2"]  # 1.1.1 by its own bracket


def test_a_bracket_inside_a_sentence_is_text() -> None:
    plan = _plan("county_lines.txt")
    assert plan.tasks[2].text == "动态更新乡镇（街道）政务公开事项标准目录。"
    assert [t.deadline_text for t in plan.tasks] == [
        "2024年12月底前",
        "按季度",
        "持续推进",
        "2024年6月底前、12月底前",
    ]


def test_titles_from_a_sheet_under_its_attachment_line_and_a_task_list() -> None:
    assert _plan("sheet.xlsx").title == "白河市2025年政务公开重点工作任务分工表"
    assert _plan("numbered_brackets.docx").title == "西岭市2023年政务公开工作重点任务"


def test_a_deadline_in_the_text_and_in_its_column_is_one_duty() -> None:
    name, data = DOCUMENTS["sheet.xlsx"][0]()
    draft = import_plan(name, None, today=dt.date(2026, 1, 1), data=data)
    first = [t for t in json.loads(as_json(draft))["tasks"] if t["ref"] == "1.1"]
    assert [t["due"] for t in first] == [
        {"rule": "fixed_date", "date": "2025-03-31", "roll": "preceding"}
    ]


def test_a_policys_issue_is_an_event_and_words_are_listed_once() -> None:
    name, data = DOCUMENTS["asterisk.pdf"][0]()
    draft = import_plan(name, None, today=dt.date(2026, 1, 1), data=data)
    tasks = json.loads(as_json(draft))["tasks"]
    assert [t["cadence"] for t in tasks if t["ref"] == "1.1.1"] == ["event", "ongoing"]
    assert [t["timing_words"] for t in tasks if t["ref"] == "1.2.2"][0] == ["及时", "月度"]


def test_table_section_column_under_headings_across_the_row() -> None:
    plan = _plan("district.html")
    assert [t.ref for t in plan.tasks] == ["1.1.1", "1.1.2", "2.1.3"]
    assert plan.tasks[0].section == "紧扣高质量发展，深化政务公开 / 推进规划信息公开"


def test_a_time_label_in_the_units_bracket_is_the_tasks_deadline() -> None:
    plan = _plan("bracket_labels.txt")
    assert plan.title == "沧浪市2020年政务公开工作要点"
    assert [t.deadline_text for t in plan.tasks] == ["每年6月底前", "持续推进", ""]
    assert not plan.unplaced


def test_the_note_that_the_first_unit_leads_is_obeyed_not_reported() -> None:
    plan = _plan("first_listed.docx")
    assert not plan.unplaced
    assert [t.ref for t in plan.tasks] == ["1.1", "1.2", "2.3", "2.4"]


def test_a_paragraph_cut_by_a_pdf_page_is_one_task() -> None:
    plan = _plan("county_prose.pdf")
    assert plan.tasks[3].text.startswith("常态化开展政府开放日活动。")
    assert plan.tasks[3].text.endswith("做好活动信息公开。")
    assert not plan.unplaced  # the page number "－ 2 －" is the printer's


@pytest.mark.parametrize(
    ("words", "due"),
    [
        (
            "次年1月31日前",
            ("once", {"rule": "fixed_date", "date": "2024-01-31", "roll": "preceding"}),
        ),
        ("9月中旬前", ("once", {"rule": "fixed_date", "date": "2023-09-20", "roll": "preceding"})),
        ("第三季度", ("once", {"rule": "fixed_date", "date": "2023-09-30", "roll": "preceding"})),
        ("一季度", ("once", {"rule": "fixed_date", "date": "2023-03-31", "roll": "preceding"})),
        (
            "每年一季度",
            ("yearly", {"rule": "fixed_day", "month": 3, "day": 31, "roll": "preceding"}),
        ),
        ("次月10日前", ("monthly", {"rule": "fixed_day", "day": 10, "roll": "preceding"})),
        ("政策出台后3个工作日内", ("event", {"rule": "workdays_after_event", "n": 3})),
        ("季度", ("quarterly", None)),
        ("上一季度", ("quarterly", None)),
    ],
)
def test_deadline_words_other_plans_use(words: str, due: tuple[str, object]) -> None:
    from disclosure_calendar.planning.words import find_words

    found = find_words(words, 2023)
    assert [(w.cadence, w.due) for w in found] == [due]


@pytest.mark.parametrize(
    ("text", "lead", "cooperating"),
    [
        (
            "（市发展改革委、市财政局等市有关部门按职责分工负责）",
            ("市发展改革委", "市财政局", "市有关部门"),
            (),
        ),
        ("市统计局等8个部门负责", ("市统计局",), ()),
        ("市国资委指导各市属国有企业落实", ("市国资委",), ("各市属国有企业",)),
        ("市政府办公室（市政务公开办）", ("市政府办公室",), ()),
        ("责任单位：市财政局，配合单位：市审计局", ("市财政局",), ("市审计局",)),
        ("牵头单位：市财政局 责任单位：各区政府", ("市财政局",), ("各区政府",)),
        ("市红十字会和市文联", ("市红十字会", "市文联"), ()),
        ("市住房和城乡建设局", ("市住房和城乡建设局",), ()),
        ("（）", None, None),
        ("（（", None, None),
    ],
)
def test_unit_forms_of_other_plans(
    text: str, lead: tuple[str, ...] | None, cooperating: tuple[str, ...] | None
) -> None:
    from disclosure_calendar.planning.units import parse_assignment

    found = parse_assignment(text)
    got = (found.lead, found.cooperating) if found else (None, None)
    assert got == (lead, cooperating)


def _table(rows: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    from disclosure_calendar.planning.document import Document, Table

    plan = recognise(Document("plan.docx", (Table(tuple(rows), "table 1"),)))
    return [(t.lead_units, t.cooperating_units) for t in plan.tasks]


def test_a_leaders_column_is_no_unit_column() -> None:
    header = ("序号", "工作任务", "牵头领导", "牵头单位", "责任单位", "完成时限")
    row = ("1", "按月公开财政收支。", "王某某", "市财政局", "各区政府", "每月")
    assert _table([header, row]) == [(("市财政局",), ("各区政府",))]


def test_a_responsible_subject_column_and_a_note_in_the_heading() -> None:
    assert _table([("序号", "工作任务", "责任主体"), ("1", "按月公开财政收支。", "市财政局")]) == [
        (("市财政局",), ())
    ]
    header = ("序号", "工作任务", "责任单位（排第一位的为牵头单位）", "完成时限")
    row = ("1", "按月公开财政收支。", "市财政局、市审计局", "每月")
    assert _table([header, row]) == [(("市财政局",), ("市审计局",))]
