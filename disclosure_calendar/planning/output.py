"""The draft as JSON (for scripts) and as schedule.yaml (for the coordinator to finish).

The YAML is written line by line, not dumped, so that it reads like the hand-made file:
one comment per section heading, flow mappings for rules, and ``# 待确认`` after every
choice the text does not make.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from ..core.i18n import gettext as _
from ..schedule.model import Schedule
from .draft import Draft, DraftDuty, is_lead_group

CONFIRM = "# 待确认"
REVIEW_ASSUMPTION = (
    "方案未定常态化任务的自查周期：取每季度倒数第3个工作日前完成本单位常态化任务自查"
)
CONFIRM_WHY = {
    "due": "日期为推定",
    "cadence": "周期为推定",
    "issued": "原文无印发日期",
    "events": "事件日期待登记",
}


def as_json(draft: Draft) -> str:
    ids = {n.name: n.id for n in draft.names}
    plan = draft.plan
    tasks = [
        {
            "ref": d.plan_ref or d.task.ref,
            "schedule_ref": d.task.ref,
            "id": d.id,
            "section": d.task.section,
            "text": d.task.text,
            "lead_units": list(d.task.lead_units),
            "cooperating_units": list(d.task.cooperating_units),
            "unit_ids": [ids[n] for n in (*d.task.lead_units, *d.task.cooperating_units)],
            "timing_words": list(dict.fromkeys(w.text for w in d.words if not w.deadline)),
            "deadline_words": list(dict.fromkeys(w.text for w in d.words if w.deadline)),
            "cadence": d.drafted.cadence,
            "due": d.drafted.due,
            "assumed": d.drafted.assumed,
            "assumption": d.drafted.assumption,
            "notes": list(d.task.notes)
            + ([_("unit cell empty: same as the item above")] if d.task.carried else [])
            + [CONFIRM_WHY[c] for c in d.drafted.confirm],
        }
        for d in draft.duties
    ]
    body = {
        "title": plan.title,
        "issuer": plan.issuer,
        "issued": plan.issued.isoformat() if plan.issued else None,
        "tasks": tasks,
        "units": [{"name": n.name, "id": n.id, "known": n.known} for n in draft.names],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def q(value: object) -> str:
    """One YAML scalar, quoted only where YAML needs it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) if isinstance(v, dict) else q(v) for v in value) + "]"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return value  # a date, as YAML reads it
    if isinstance(value, str) and _PLAIN.fullmatch(value) and not _RESOLVES.fullmatch(value):
        return value  # Chinese text: no quotes needed, as a person writes it
    if isinstance(value, str) and value and "\n" not in value:
        text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30)
        return text.removesuffix("\n...\n").rstrip("\n")
    return json.dumps(value, ensure_ascii=False)


# A plain scalar YAML reads back as the same string: starts with a letter or a Chinese
# character, and holds none of the characters that mean something in YAML (or a tab)
_PLAIN = re.compile(r"[\u3400-\u9fff“《（A-Za-z0-9][^:#\t\n\\\[\]{},&*!|>'\"%@`]*(?<! )")
_RESOLVES = re.compile(
    r"(?i)y|n|yes|no|true|false|on|off|null|~|[-+]?[0-9_.,:eE+-]+|\d{4}-\d\d?-\d\d?.*|\.(inf|nan)"
)


def flow(mapping: dict[str, object]) -> str:
    return "{" + ", ".join(f"{k}: {q(v)}" for k, v in mapping.items()) + "}"


def as_yaml(draft: Draft, *, source: str) -> str:
    plan = draft.plan
    sched = draft.schedule
    lines: list[str] = []
    add = lines.append
    add(f"# {plan.title or '（标题待补）'}")
    add(
        "# 由 `disclosure-calendar plan import` 从方案原文起草：每个标有“# 待确认”的选择须由协调人核对后删去该注释。"
    )
    add("# Drafted by `disclosure-calendar plan import`; confirm every line marked # 待确认.")
    add("")
    add("version: 1")
    add("plan:")
    add(f"  id: {_plan_id(draft)}")
    add(
        f"  title: {q(plan.title or '待补充的方案标题')}"
        + ("" if plan.title else f"  {CONFIRM}：原文未见标题")
    )
    add(
        f"  issuer: {q(plan.issuer or '待补充的印发单位')}"
        + ("" if plan.issuer else f"  {CONFIRM}：原文未见印发单位")
    )
    if plan.issued:
        add(f"  issued: {plan.issued.isoformat()}")
    else:
        add(f"  issued: {draft.year:04d}-01-01  {CONFIRM}：原文未见印发日期")
    add("  timezone: Asia/Shanghai")
    add(f"  source: {q(Path(source).name)}")
    domain = sched.plan.uid_domain if sched else "disclosure.example.gov.cn"
    add(f"  uid_domain: {q(domain)}" + ("" if sched else f"  {CONFIRM}：本单位的域名"))
    if sched and sched.plan.base_url:
        add(f"  base_url: {q(sched.plan.base_url)}")
    add("")
    add("defaults:")
    reminders = sched.defaults.reminders if sched else (5, 1)
    add(f"  reminders: [{', '.join(map(str, reminders))}]")
    remind_at = sched.defaults.remind_at.strftime("%H:%M") if sched else "09:00"
    add(f'  remind_at: "{remind_at}"')
    review = _raw_review(sched)
    add("  review:")
    add(f"    cadence: {q(review.get('cadence', 'quarterly'))}  {CONFIRM}：常态化任务的自查周期")
    add(f"    due: {flow(review.get('due') or {'rule': 'workday_of_period', 'n': -3})}")
    add(f"    assumption: {q(review.get('assumption') or REVIEW_ASSUMPTION)}")
    add("")
    _units(draft, add)
    _groups(draft, add)
    add("")
    add("duties:")
    section = None
    for duty in draft.duties:
        head = duty.task.ref.split(".")[0]
        if head != section:
            section = head
            title = duty.task.section.split(" / ")[0] or "（方案未分部分）"
            add(f"  # {_chinese(int(head))}、{title}" if head != "0" else "  # 〇、方案总体要求")
        if duty.units:
            _duty(duty, add)
        else:  # no unit in the text: left for the coordinator, as comments (the file validates)
            add(f"  {CONFIRM}：原文未写明由哪个单位负责，补上 units 后删去以下各行行首的 #")
            _duty(duty, lambda line: add("  # " + line[2:]))
    carried = _other_plans(sched)
    if carried:
        add("")
        add(f"{CONFIRM}：以下沿用 --units 中的其他文件（plans:）。仍然有效的（如条例）保留；")
        add(
            "# 已被本方案取代的上一年度方案请删去，或在原日程中给它写上 end:（见 README“Several plans”）。"
        )
        lines.extend(carried)
    return "\n".join(lines) + "\n"


def _raw_review(schedule: Schedule | None) -> dict[str, Any]:
    """``defaults: review:`` of the --units schedule as its file has it (or nothing)."""
    if schedule is None or schedule.defaults.review is None:
        return {}
    try:
        raw = yaml.safe_load(Path(schedule.path).read_text(encoding="utf-8"))
        review = raw["defaults"]["review"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return {}
    return review if isinstance(review, dict) else {}


def _plan_id(draft: Draft) -> str:
    """The draft plan's id: last year's with this year's digits (zs2017 -> zs2018), else plan2018."""
    previous = draft.schedule.plan.id if draft.schedule else ""
    if re.search(r"\d{4}", previous or ""):
        return re.sub(r"\d{4}", str(draft.year), previous, count=1)
    return f"plan{draft.year}"


def _other_plans(schedule: Schedule | None) -> list[str]:
    """The ``plans:`` block of the --units schedule as its file has it, comments above included."""
    if schedule is None:
        return []
    try:
        lines = Path(schedule.path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    start = next(
        (n for n, line in enumerate(lines) if re.fullmatch(r"plans:\s*(#.*)?", line)), None
    )
    if start is None:
        return []
    first = start
    while first > 0 and lines[first - 1].startswith("#"):
        first -= 1
    end = start + 1
    while end < len(lines) and (not lines[end] or lines[end][0] in " #\t-"):
        end += 1
    return lines[first:end]


def _units(draft: Draft, add: Any) -> None:
    add("units:")
    known = draft.schedule.units if draft.schedule else ()
    if known:
        add("  # 沿用 --units 的单位名单")
    for unit in known:
        kind = "" if unit.kind == "department" else f", kind: {unit.kind}"
        add(f"  - {{id: {unit.id}, name: {q(unit.name)}{kind}}}")
    new = draft.new_units
    if new:
        add("  # 方案新出现的单位：id 由名称拼音生成，可改为更易读的英文")
    for name in new:
        kind = ", kind: town" if name.name.endswith(("镇", "街道")) else ""
        add(f"  - {{id: {name.id}, name: {q(name.name)}{kind}}}  {CONFIRM}：新单位")
    if not known and not new:
        add("  []")


def _groups(draft: Draft, add: Any) -> None:
    groups = draft.schedule.groups if draft.schedule else ()
    new = draft.new_groups
    if not groups and not new:
        return
    add("")
    add("groups:")
    for group in groups:
        if is_lead_group(group.name) and draft.lead_members:
            add(f"  # {group.name}：本方案中至少牵头一项任务的单位（由方案计算）")
            _group(group.id, group.name, draft.lead_members, None, add)
        else:
            note = "成员沿用 --units 的名单，请按本年机构设置核对"
            confirmed = tuple(m for m in group.members if m not in group.unconfirmed)
            _group(group.id, group.name, confirmed, note, add, group.unconfirmed)
    for name in new:
        members = draft.lead_members if is_lead_group(name.name) else ()
        _group(name.id, name.name, members, "新的集合名称，请填写成员", add)


def _group(
    ident: str,
    name: str,
    members: tuple[str, ...],
    confirm: str | None,
    add: Any,
    unconfirmed: tuple[str, ...] = (),
) -> None:
    add(f"  - id: {ident}")
    add(f"    name: {q(name)}")
    if confirm:
        add(f"    {CONFIRM}：{confirm}")
    _id_list("members", members, add)
    if unconfirmed:
        _id_list("unconfirmed", unconfirmed, add)


def _id_list(key: str, ids: tuple[str, ...], add: Any) -> None:
    """``    key: [a, b, ...]`` wrapped at 100 columns."""
    head = f"    {key}: ["
    line = head
    for n, ident in enumerate(ids):
        piece = ident + (", " if n < len(ids) - 1 else "")
        if len(line) + len(piece.rstrip()) > 100:
            add(line.rstrip())
            line = " " * len(head)
        line += piece
    add(line + "]")


def _duty(duty: DraftDuty, add: Any) -> None:
    d = duty.drafted
    task = duty.task
    kept = duty.previous if duty.same_cadence else None
    add(f"  - id: {duty.id}")
    add(f'    ref: "{task.ref}"')
    add(f"    title: {q(duty.title)}")
    add(f"    text: {q(task.text)}")
    units = f"    units: [{', '.join(duty.units)}]"
    if task.cooperating_units:
        units += f"  {CONFIRM}：含配合单位（{'、'.join(task.cooperating_units)}）"
    add(units)
    cadence = f"    cadence: {d.cadence}"
    if "cadence" in d.confirm and kept is None:
        cadence += f"  {CONFIRM}：原文{'无时间词' if d.basis == '原文无时间词' else '未明周期'}"
    add(cadence)
    if kept is not None:
        _kept(kept, add)
        return
    add(f"    basis: {q(d.basis)}")
    if d.due is not None:
        due = f"    due: {flow(d.due)}"
        if d.confirm and ("due" in d.confirm or "issued" in d.confirm):
            due += f"  {CONFIRM}"
        add(due)
    if d.assumed:
        add("    assumed: true")
        add(f"    assumption: {q(d.assumption)}")
    if d.cadence == "event":
        add(f"    events: []  {CONFIRM}：事件发生后用 `disclosure-calendar event add` 登记日期")
    if d.cadence == "daily":
        add("    reminders: []")
    if task.notes:
        add(f"    note: {q('；'.join(task.notes))}")


# What a duty of the --units schedule with the same text and cadence passes on: the choices
# made there (its events are that year's, not this one's)
KEPT_KEYS = ("basis", "due", "assumed", "assumption", "reminders", "note", "review")


def _kept(previous: dict[str, Any], add: Any) -> None:
    for key in KEPT_KEYS:
        if key not in previous:
            continue
        value = previous[key]
        line = f"    {key}: {flow(value) if isinstance(value, dict) else q(value)}"
        if key == "due" and previous.get("assumed"):
            line += f"  {CONFIRM}：沿用原日程的推定"
        add(line)
    if previous.get("cadence") == "event":
        add(f"    events: []  {CONFIRM}：事件发生后用 `disclosure-calendar event add` 登记日期")


_CN = "〇一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")
