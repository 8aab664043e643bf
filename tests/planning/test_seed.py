"""The seed plan (tests/data/seed_plan.txt): every item with its lead units, in every format.

The expected items come from tests/schedule/test_plan_coverage.py's own parser of the seed
(written for schedule.yaml, independently of the importer).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from disclosure_calendar.planning import PlanText, read_plan, recognise
from disclosure_calendar.planning.readers.dispatch import read_bytes
from tests.planning.makers import Row, make_docx, make_html, make_pdf, make_xlsx
from tests.schedule.test_plan_coverage import PLAN_ITEMS, PLAN_SECTIONS, normalise

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "seed_plan.txt"
TITLE = "中山市贯彻落实省政府办公厅2017年政务公开工作要点分工方案"


@cache
def seed() -> PlanText:
    return recognise(read_plan(SEED))


def items(plan: PlanText) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {t.ref: (t.text, t.lead_units) for t in plan.tasks if not t.ref.startswith("0.")}


def test_front_matter() -> None:
    plan = seed()
    assert (plan.title, plan.issuer, plan.issued) == (
        TITLE,
        "中山市人民政府办公室",
        dt.date(2017, 6, 9),
    )
    assert [(s.number, normalise(s.title)) for s in plan.sections] == [
        (n, normalise(t)) for n, t in sorted(PLAN_SECTIONS.items())
    ]


def test_every_item_with_its_lead_units() -> None:
    found = items(seed())
    assert list(found) == list(PLAN_ITEMS)
    for ref, expected in PLAN_ITEMS.items():
        text, units = found[ref]
        assert list(units) == expected["units"], ref
        # 著力 -> 着力: OpenCC keeps 著, the importer proof-reads it (clean.PROOFREAD)
        assert normalise(text) == normalise(expected["text"].replace("著力", "着力")), ref


def test_preamble_duties() -> None:
    preamble = [t for t in seed().tasks if t.ref.startswith("0.")]
    assert [(t.ref, t.lead_units) for t in preamble] == [
        ("0.1", ("各镇区", "各牵头部门")),
        ("0.2", ("各牵头部门",)),
        ("0.3", ("市政府办公室",)),
    ]
    assert "本方案公布后30个工作日内" in preamble[0].text


def seed_rows() -> list[Row]:
    """The seed's table as a Word, Excel, PDF or web table would hold it."""
    rows: list[Row] = []
    previous: tuple[str, ...] = ()
    titles = dict(PLAN_SECTIONS)
    chinese = "一二三四五六七八九十"
    for ref, item in PLAN_ITEMS.items():
        section, number = map(int, ref.split("."))
        heading = (
            (
                chinese[section - 1]
                if section <= 10
                else ("十" if section < 20 else "二十")
                + (chinese[section % 10 - 1] if section % 10 else "")
            )
            + "、"
            + titles[section]
        )
        units = tuple(item["units"])
        merged = units == previous and rows and rows[-1][0] == heading
        rows.append(
            (
                heading,
                f"{number}.{item['text']}" if section != 3 else item["text"],
                None if merged else "、".join(units),
            )
        )
        previous = units
    return rows


MAKERS = {
    "docx": lambda rows: make_docx(rows, TITLE),
    "xlsx": lambda rows: make_xlsx(rows, TITLE),
    "pdf": lambda rows: make_pdf(rows, TITLE),
    "html": lambda rows: make_html(rows, TITLE),
}


@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_the_same_table_in_every_format_gives_the_same_tasks(fmt: str) -> None:
    data = MAKERS[fmt](seed_rows())
    plan = recognise(read_bytes(data, f"seed.{fmt}"))
    assert plan.title == TITLE
    assert items(plan) == items(seed())
