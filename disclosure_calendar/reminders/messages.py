"""Which reminders are due at an instant, and what the messages say. Pure: no clock, no I/O.

Every per-unit occurrence has *slots*: its reminder working days before the due date
(``remind``), the due day itself (``due``) and, while it is not done, an escalation one working
day after the due date repeated every ``escalate_every`` working days (``overdue``, to the unit
and the coordinator). A slot fires at ``remind_at`` on its day. A slot already in the ledger
is never decided again. A slot whose time passed more than ``grace`` working days ago is not
sent late: it is recorded ``missed`` (and reported); of several pending slots of the same
occurrence for the same addressee only the latest is sent, the others are ``superseded``.
What is sent is one digest per addressee and channel: all of its items in one message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..occurrences.expansion import Occurrence
from ..schedule.periods import describe
from .contacts import COORDINATOR, Channel, Contacts
from .howto import how, what_the_link_opens

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar

KINDS = ("remind", "due", "overdue")
WEEKDAYS = "一二三四五六日"
# How far back and ahead of today occurrences are expanded for a decision.
_AHEAD = dt.timedelta(days=120)
# WeCom and DingTalk robots reject longer markdown bodies.
MARKDOWN_LIMIT = 4000


@dataclass(frozen=True)
class Slot:
    """A reminder's identity in the ledger."""

    occurrence: str
    kind: str
    day: dt.date
    addressee: str
    channel: str
    unit: str
    due: dt.date

    @property
    def key(self) -> tuple[str, str, dt.date, str, str]:
        return (self.occurrence, self.kind, self.day, self.addressee, self.channel)


@dataclass(frozen=True)
class Item:
    """One duty for one unit, in one message."""

    occurrence: Occurrence
    unit: str
    uid: str
    kind: str
    day: dt.date
    addressee: str
    channel: Channel
    forwarded: bool

    @property
    def slot(self) -> Slot:
        return Slot(
            self.uid,
            self.kind,
            self.day,
            self.addressee,
            self.channel.name,
            self.unit,
            self.occurrence.due,
        )


@dataclass(frozen=True)
class Digest:
    """Everything one addressee hears on one channel at one send time."""

    addressee: str
    channel: Channel
    send_at: dt.datetime
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Decision:
    digests: tuple[Digest, ...]
    missed: tuple[Item, ...]
    superseded: tuple[Item, ...]


@dataclass(frozen=True)
class State:
    """What the ledger knows: slots already handled, and done occurrences with their date."""

    handled: frozenset[tuple[str, str, dt.date, str, str]] = frozenset()
    done: Mapping[str, dt.date] | None = None


@dataclass(frozen=True)
class Message:
    """A rendered digest. ``id`` is the Message-ID and the webhooks' idempotency key."""

    id: str
    addressee: str
    channel: str
    send_at: dt.datetime
    subject: str
    text: str
    html: str
    markdown: str


def window(today: dt.date, track_from: dt.date) -> tuple[dt.date, dt.date]:
    """The due dates a decision must look at: open since tracking began, or coming up soon."""
    return min(track_from, today), today + _AHEAD


def decide(
    schedule: Schedule,
    cal: WorkdayCalendar,
    occurrences: Iterable[Occurrence],
    contacts: Contacts,
    state: State,
    now: dt.datetime,
    *,
    track_from: dt.date | None = None,
) -> Decision:
    """The digests to send at ``now``, and the reminders to record as missed or superseded."""
    tz = ZoneInfo(schedule.plan.timezone)
    today = now.astimezone(tz).date()
    at = schedule.defaults.remind_at
    policy = contacts.policy
    done = state.done or {}
    grace_end = _Memo(lambda d: cal.add_working_days(d, policy.grace))
    pending: dict[tuple[str, str, str], list[Item]] = defaultdict(list)
    for occ in occurrences:
        if track_from is not None and occ.due < track_from:
            continue
        for unit in schedule.unit_ids_of(occ.duty):
            uid = occ.uid(unit, schedule.plan.uid_domain)
            if uid in done:
                continue
            for day, kind in _slots(occ, cal, policy.escalate_every, today):
                if _instant(day, at, tz) > now:
                    continue
                for addressee, channel, forwarded in _routes(unit, kind, contacts):
                    item = Item(occ, unit, uid, kind, day, addressee, channel, forwarded)
                    if item.slot.key not in state.handled:
                        pending[(uid, addressee, channel.name)].append(item)
    send: list[Item] = []
    missed: list[Item] = []
    superseded: list[Item] = []
    for group in pending.values():
        group.sort(key=lambda i: i.day)
        *older, latest = group
        in_grace = today <= grace_end(latest.day)
        (send if in_grace else missed).append(latest)
        for item in older:
            (superseded if in_grace and today <= grace_end(item.day) else missed).append(item)
    by_route: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in send:
        by_route[(item.addressee, item.channel.name)].append(item)
    digests = [
        Digest(
            items[0].addressee,
            items[0].channel,
            max(_instant(i.day, at, tz) for i in items),
            tuple(sorted(items, key=item_order)),
        )
        for items in by_route.values()
    ]
    digests.sort(key=lambda d: (d.send_at, d.addressee != COORDINATOR, d.addressee, d.channel.name))
    order = lambda items: tuple(sorted(items, key=lambda i: (i.day, *item_order(i), i.addressee)))  # noqa: E731
    return Decision(tuple(digests), order(missed), order(superseded))


def _slots(
    occ: Occurrence, cal: WorkdayCalendar, every: int, today: dt.date
) -> list[tuple[dt.date, str]]:
    slots = [(d, "remind") for d in occ.reminders if d < occ.due]
    slots.append((occ.due, "due"))
    if occ.duty.routine:
        return slots
    day = cal.add_working_days(occ.due, 1)
    while day <= today:
        slots.append((day, "overdue"))
        day = cal.add_working_days(day, every)
    return slots


def _routes(unit: str, kind: str, contacts: Contacts) -> list[tuple[str, Channel, bool]]:
    """Who hears about a unit's slot: the unit itself, else the coordinator on its behalf."""
    own = contacts.channels_of(unit)
    routes = [(unit, ch, False) for ch in own] or [
        (COORDINATOR, ch, True) for ch in contacts.coordinator
    ]
    if kind == "overdue" and own:
        routes += [(COORDINATOR, ch, False) for ch in contacts.coordinator]
    return routes


def _instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=tz)


def item_order(i: Item) -> tuple[int, dt.date, int, int, str, str, str]:
    o = i.occurrence
    return (
        -KINDS.index(i.kind),
        o.due,
        o.duty.section,
        o.duty.item,
        o.duty.id,
        o.period.label,
        i.unit,
    )


class _Memo:
    def __init__(self, fn):
        self.fn, self.cache = fn, {}

    def __call__(self, day: dt.date) -> dt.date:
        if day not in self.cache:
            self.cache[day] = self.fn(day)
        return self.cache[day]


def next_send_time(schedule: Schedule, cal: WorkdayCalendar, now: dt.datetime) -> dt.datetime:
    """The next instant after ``now`` a reminder can fire: remind_at on a working day."""
    tz = ZoneInfo(schedule.plan.timezone)
    today = now.astimezone(tz).date()
    first = today if cal.is_working_day(today) else cal.add_working_days(today, 1)
    candidate = _instant(first, schedule.defaults.remind_at, tz)
    if candidate > now:
        return candidate
    return _instant(cal.add_working_days(first, 1), schedule.defaults.remind_at, tz)


def working_days_between(cal: WorkdayCalendar, start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative, counted the same way, when end is before start."""
    sign, (a, b) = (1, (start, end)) if end >= start else (-1, (end, start))
    count, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        count += cal.is_working_day(day)
    return sign * count


# -- rendering ------------------------------------------------------------------------------


def message_id(digest: Digest, domain: str) -> str:
    """Stable for the same addressee, channel and reminders, so a resend carries the same id."""
    keys = sorted(f"{i.uid}|{i.kind}|{i.day.isoformat()}" for i in digest.items)
    raw = "\n".join([digest.addressee, digest.channel.name, *keys]).encode("utf-8")
    return f"{hashlib.sha256(raw).hexdigest()[:32]}.reminder@{domain}"


def render(
    digest: Digest,
    schedule: Schedule,
    cal: WorkdayCalendar,
    contacts: Contacts,
    link: str | None = None,
    *,
    portal: bool = False,
    sent_at: dt.datetime | None = None,
) -> Message:
    """The Chinese digest: subject, plain text, HTML and robot markdown.

    ``link`` opens the addressee's page on the portal (reminders/links.py); the e-mail then
    says to report there. The robot markdown never carries it: a chat group may be wider
    than the unit the link acts for; it says to use the unit's own link (``portal``: the
    portal runs, there is a secret and a plan.base_url) or to tell the coordinator. No
    message tells a unit's staff to run a command.

    ``sent_at``: when it goes out, if later than the reminder time it stands for (a daemon
    that was down, a mail server that refused until fixed): the working days left and the
    sending time are those of that moment, not of the planned one.
    """
    tz = ZoneInfo(schedule.plan.timezone)
    sent_at = max(sent_at or digest.send_at, digest.send_at)
    today = sent_at.astimezone(tz).date()
    to_name = (
        contacts.coordinator_name
        if digest.addressee == COORDINATOR
        else schedule.name(digest.addressee)
    )
    sections = _sections(digest.items, schedule, to_name)
    lines = [f"{to_name}：", "", f"根据《{schedule.plan.title}》，以下政务公开事项请按时办理。"]
    md = [f"### {_subject(digest, to_name, schedule)}"]
    rows: list[str] = []
    for heading, items in sections:
        lines += ["", heading]
        md += ["", f"**{heading}**"]
        rows.append(f'<h3 style="margin:16px 0 4px">{html.escape(heading)}</h3><ol>')
        for n, item in enumerate(items, 1):
            facts = _facts(item, schedule, cal, today)
            lines.append(f"{n}. {facts['head']}")
            lines += [f"   {label}：{value}" for label, value in facts["rest"]]
            md.append(f"{n}. **{facts['head']}**")
            md += [
                f"   > {label}：{value}" for label, value in facts["rest"] if label != "方案原文"
            ]
            rows.append(
                f"<li><b>{html.escape(facts['head'])}</b><br>"
                + "<br>".join(
                    f"{html.escape(label)}：{html.escape(value)}" for label, value in facts["rest"]
                )
                + "</li>"
            )
        rows.append("</ol>")
    to_coordinator = digest.addressee == COORDINATOR
    chat_howto = howto = [
        how(to_coordinator=to_coordinator, portal=portal, coordinator=contacts.coordinator_name)
    ]
    button = ""
    if link is not None:
        what = what_the_link_opens(to_coordinator=to_coordinator)
        howto = [f"查看并标记完成：{link}", f"（{what}）"]
        button = (
            f'<p><a href="{html.escape(link)}" style="display:inline-block;padding:8px 16px;'
            'background:#a61b1b;color:#fff;text-decoration:none;border-radius:4px">'
            f"查看并标记完成</a></p><p>{html.escape(what)}</p>"
        )
    lines += [
        "",
        *howto,
        "",
        f"本提醒于{local_time_text(sent_at, tz)}发出，由 disclosure-calendar 生成。",
    ]
    md += ["", *chat_howto]
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        f"<p>{html.escape(to_name)}：</p><p>根据《{html.escape(schedule.plan.title)}》，"
        "以下政务公开事项请按时办理。</p>"
        + "".join(rows)
        + (button or "".join(f"<p>{html.escape(h)}</p>" for h in howto))
        + f'<p style="color:#888">本提醒于{local_time_text(sent_at, tz)}发出。</p></body></html>'
    )
    markdown = "\n".join(md)
    if len(markdown.encode("utf-8")) > MARKDOWN_LIMIT:
        cut = markdown.encode("utf-8")[: MARKDOWN_LIMIT - 60].decode("utf-8", "ignore")
        markdown = cut.rsplit("\n", 1)[0] + "\n\n……（内容过长，完整清单见邮件或登记系统）"
    return Message(
        message_id(digest, schedule.plan.uid_domain),
        digest.addressee,
        digest.channel.name,
        digest.send_at,
        _subject(digest, to_name, schedule),
        "\n".join(lines) + "\n",
        page,
        markdown,
    )


def _forwarded(item: Item, schedule: Schedule, to_name: str) -> bool:
    """Whether ``item`` is passed on to someone else: not when the addressee is the unit
    itself (市政府办公室's own items reach it as the coordinator, but are its own)."""
    return item.forwarded and schedule.name(item.unit) != to_name


def _sections(
    items: Sequence[Item], schedule: Schedule, to_name: str
) -> list[tuple[str, list[Item]]]:
    names = {"overdue": "已逾期（督办）", "due": "今日截止", "remind": "即将到期"}
    out = []
    for kind in ("overdue", "due", "remind"):
        own = [i for i in items if i.kind == kind and not _forwarded(i, schedule, to_name)]
        fwd = [i for i in items if i.kind == kind and _forwarded(i, schedule, to_name)]
        if own:
            out.append((names[kind], own))
        if fwd:
            out.append((f"【代转】{names[kind]}（承办单位未登记联系方式，请转告）", fwd))
    return out


def _subject(digest: Digest, to_name: str, schedule: Schedule) -> str:
    count = {k: sum(1 for i in digest.items if i.kind == k) for k in KINDS}
    parts = [
        f"{count['overdue']}项已逾期" if count["overdue"] else "",
        f"{count['due']}项今日截止" if count["due"] else "",
        f"{count['remind']}项即将到期" if count["remind"] else "",
    ]
    tag = "政务公开督办" if count["overdue"] else "政务公开提醒"
    if digest.addressee == COORDINATOR:
        units = len({i.unit for i in digest.items})
        forwarded = (
            "（含代转）" if any(_forwarded(i, schedule, to_name) for i in digest.items) else ""
        )
        return (
            f"【{tag}】{to_name}：{'，'.join(p for p in parts if p)}，涉及{units}个单位{forwarded}"
        )
    return f"【{tag}】{to_name}：{'，'.join(p for p in parts if p)}"


def _facts(item: Item, schedule: Schedule, cal: WorkdayCalendar, today: dt.date) -> dict:
    o = item.occurrence
    left = working_days_between(cal, today, o.due)
    if left > 0:
        status = f"还有{left}个工作日"
    elif left == 0:
        status = "今天截止"
    else:
        status = f"已逾期{-left}个工作日"
    rest = [
        ("承办单位", schedule.name(item.unit)),
        ("截止日期", f"{_date(o.due)}（{status}）"),
        ("方案原文", o.duty.text),
        ("登记编号", item.uid),
    ]
    if o.provisional:
        year = o.due.year
        if cal.is_provisional_year(year):
            words = f"{year}年放假安排尚未公布，日期为暂定"
        else:  # the year's notice is known; next year's may still move its last days
            words = f"{year + 1}年放假安排尚未公布，可能调整{year}年年底的日期，此日期为暂定"
        rest.insert(2, ("注意", words))
    return {"head": f"【{o.duty.ref}】{o.duty.title}（{describe(o.period)}）", "rest": rest}


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def local_time_text(at: dt.datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{_date(local.date())} {local:%H:%M}"
