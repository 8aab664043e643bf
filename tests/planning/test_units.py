"""Unit names and assignments in the forms plans write them."""

from __future__ import annotations

import pytest

from disclosure_calendar.planning.units import (
    is_unit_name,
    parse_assignment,
    split_names,
    standing_rule,
)

FORMS = [
    ("市财政局", ("市财政局",), ()),
    ("市财政局、市审计局", ("市财政局", "市审计局"), ()),
    ("市人力资源社会 保障局", ("市人力资源社会保障局",), ()),
    ("市政府各部门、 各镇区", ("市政府各部门", "各镇区"), ()),
    ("市财政局负责落实", ("市财政局",), ()),
    ("市发展改革局牵头落实", ("市发展改革局",), ()),
    ("市委网信办、市政府办公室分别负责落实", ("市委网信办", "市政府办公室"), ()),
    (
        "市政府办公室牵头，市政府各部门、各镇区按职责分工负责",
        ("市政府办公室",),
        ("市政府各部门", "各镇区"),
    ),
    ("市住房城乡建设局牵头，市自然资源局配合", ("市住房城乡建设局",), ("市自然资源局",)),
    ("由市司法局负责", ("市司法局",), ()),
    ("市教育局会同市财政局负责", ("市教育局",), ("市财政局",)),
    ("牵头单位：市政务服务数据管理局；责任单位：各镇区", ("市政务服务数据管理局",), ("各镇区",)),
    (
        "牵头单位：市卫生健康局、市医保局；配合单位：市财政局",
        ("市卫生健康局", "市医保局"),
        ("市财政局",),
    ),
    ("责任单位：各县（市、区）人民政府", ("各县（市、区）人民政府",), ()),
]


@pytest.mark.parametrize(("text", "lead", "cooperating"), FORMS, ids=[f[0] for f in FORMS])
def test_assignment_forms(text: str, lead: tuple[str, ...], cooperating: tuple[str, ...]) -> None:
    found = parse_assignment(text)
    assert found is not None
    assert (found.lead, found.cooperating) == (lead, cooperating)


@pytest.mark.parametrize(
    "text",
    [
        "试行",
        "广东",
        "粤府函〔2017〕65号",
        "PPP",
        "单张",
        "一期",
        "按月公开全市一般公共预算收支完成情况",
        "2017年",
    ],
)
def test_brackets_that_are_not_assignments(text: str) -> None:
    assert parse_assignment(text) is None


def test_a_remark_beside_a_unit() -> None:
    assert split_names("市政府办公室 （市政府督查室）") == (["市政府办公室"], ["市政府督查室"])


@pytest.mark.parametrize(
    "name", ["市委宣传部", "火炬开发区管委会", "市12345热线服务中心", "各镇区", "市直各单位"]
)
def test_unit_names(name: str) -> None:
    assert is_unit_name(name)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("以下工作均需各镇区落实，不再列出。", ("各镇区",)),
        ("以下各项工作均需各镇街、市直各单位落实，不再一一列出。", ("各镇街", "市直各单位")),
        ("以下工作由市财政局负责。", None),
    ],
)
def test_standing_rules(text: str, units: tuple[str, ...] | None) -> None:
    assert standing_rule(text) == units
