"""Whatever tables, cells and damaged files come in, the importer answers with tasks or one
DisclosureError: never a traceback."""

from __future__ import annotations

import datetime as dt
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.planning import import_plan, recognise
from disclosure_calendar.planning.document import Document, Paragraph, Table
from disclosure_calendar.planning.output import as_json, as_yaml
from tests.planning.genre import DOCUMENTS

CELLS = [
    "",
    "序号",
    "工作任务",
    "具体内容",
    "牵头单位",
    "责任单位",
    "配合单位",
    "责任科室",
    "完成时限",
    "时间进度",
    "附件",
    "一、推进公开",
    "（一）加强解读",
    "1",
    "2.按月公开财政收支。",
    "每季度公布进度，年底前完成。",
    "次年1月31日前",
    "一季度",
    "9月中旬前",
    "市财政局",
    "市财政局*、市审计局",
    "＊",
    "*",
    "市民政局和市农业农村局",
    "市级各部门及各县区政府",
    "办公室牵头，各科室配合",
    "牵头单位：市数据局 完成时限：持续推进",
    "责任单位：，配合单位：",
    "（",
    "）",
    "和",
    "及",
    "注：排在第一位的为牵头单位。",
    "以下各项任务各乡镇均需落实，不再列出。",
    "－ 2 －",
    "\n",
]
ROWS = st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=6), max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(ROWS, st.lists(st.sampled_from(CELLS), max_size=4)), max_size=5))
def test_any_mix_of_tables_and_paragraphs_is_read(blocks: list[list[object]]) -> None:
    out: list[Paragraph | Table] = []
    for n, block in enumerate(blocks):
        if block and isinstance(block[0], list):
            width = max(len(r) for r in block)  # type: ignore[arg-type]
            rows = tuple(tuple(r) + ("",) * (width - len(r)) for r in block)  # type: ignore[arg-type]
            out.append(Table(rows, f"table {n}"))  # type: ignore[arg-type]
        else:
            out.append(Paragraph("".join(map(str, block)), f"line {n}"))
    plan = recognise(Document("plan.docx", tuple(out)))
    for task in plan.tasks:
        assert task.text
        assert all(u for u in task.lead_units + task.cooperating_units)


@cache
def _original(key: str) -> tuple[str, bytes]:
    return DOCUMENTS[key][0]()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(DOCUMENTS)),
    st.integers(min_value=0, max_value=1 << 20),
    st.integers(min_value=1, max_value=64),
    st.sampled_from(["cut", "flip", "zero"]),
)
def test_a_damaged_file_gives_a_draft_or_one_error(key: str, at: int, size: int, how: str) -> None:
    name, data = _original(key)
    at %= len(data)
    if how == "cut":
        data = data[:at]
    elif how == "flip":
        data = data[:at] + bytes(b ^ 0x5A for b in data[at : at + size]) + data[at + size :]
    else:
        data = data[:at] + b"\0" * size + data[at + size :]
    try:
        draft = import_plan(name, None, today=dt.date(2026, 1, 1), data=data)
    except DisclosureError as exc:
        assert "\n" not in str(exc)
        return
    as_json(draft)
    as_yaml(draft, source=name)
