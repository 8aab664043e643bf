"""Whatever text comes in, the importer answers with a draft or a DisclosureError."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.planning import import_plan
from disclosure_calendar.planning.output import as_json, as_yaml
from disclosure_calendar.schedule import load_schedule

PIECES = [
    "一、",
    "（一）",
    "1.",
    "（1）",
    "①",
    "二十、",
    "3、",
    "按月公开",
    "每季度",
    "年底前",
    "6月底前",
    "本方案印发后30个工作日内",
    "20个工作日内",
    "及时",
    "定期",
    "市财政局",
    "各镇区",
    "市政府各部门",
    "、",
    "，",
    "。",
    "；",
    "：",
    "（",
    "）",
    "(",
    ")",
    "|",
    "||",
    " ",
    "\n",
    "\n\n",
    "牵头单位：",
    "责任单位：",
    "配合单位：",
    "负责落实",
    "牵头",
    "配合",
    "分别负责落实",
    "以下工作均需各镇区落实，不再列出。",
    "完成时限：",
    "2017年6月9日",
    "某某市人民政府办公室",
    "工作任务 |",
    "牵头单位 |",
    "發(fā)",
    "區(qū)",
    "【打印】",
    "首页 > 政务公开",
    "加强",
    "公开",
    "《方案》",
    "x",
    "12",
    "〔2017〕",
    "\t",
    "　",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_any_text_gives_a_draft_or_one_error(pieces: list[str]) -> None:
    data = ("一、加强公开\n1.按月公开预算。（市财政局负责）\n" + "".join(pieces)).encode("utf-8")
    try:
        draft = import_plan("plan.txt", None, today=dt.date(2026, 1, 1), data=data)
    except DisclosureError as exc:
        assert "\n" not in str(exc)
        return
    as_json(draft)
    with tempfile.TemporaryDirectory() as folder:  # the draft always validates
        path = Path(folder) / "draft.yaml"
        path.write_text(as_yaml(draft, source="plan.txt"), encoding="utf-8")
        try:
            load_schedule(path)
        except DisclosureError as exc:
            raise AssertionError(f"{exc}\n---\n{path.read_text(encoding='utf-8')}") from None
