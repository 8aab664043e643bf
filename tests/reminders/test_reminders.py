"""The pure reminder decisions on tests/data/minimal.yaml, April 2026 (Qingming: Monday 6 April off)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.reminders.contacts import COORDINATOR, Channel, Contacts, Policy
from disclosure_calendar.reminders.messages import (
    Decision,
    State,
    decide,
    message_id,
    next_send_time,
    render,
    working_days_between,
)
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

DATA = Path(__file__).resolve().parents[1] / "data"
TZ = ZoneInfo("Asia/Shanghai")
SCHEDULE = load_schedule(DATA / "minimal.yaml")
CAL = ChinaCalendar(notices=SCHEDULE.notices, local_days_off=SCHEDULE.local_days_off)
OCCS = expand(SCHEDULE, CAL, dt.date(2026, 1, 1), dt.date(2026, 8, 31))
TRACK = dt.date(2026, 4, 1)

MAIL = Channel("email", "email", ("x@example.gov.cn",))
HOOK = Channel("webhook", "webhook", url="http://127.0.0.1:9/")
CONTACTS = Contacts(
    coordinator=(MAIL,),
    units={"finance": (MAIL,), "economy_it": (HOOK,)},
    policy=Policy(escalate_every=3, grace=2),
)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


EMPTY = State()


def run(now: dt.datetime, state: State = EMPTY, contacts: Contacts = CONTACTS) -> Decision:
    return decide(SCHEDULE, CAL, OCCS, contacts, state, now, track_from=TRACK)


def summary(decision: Decision) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    return [
        (
            d.addressee,
            d.channel.name,
            [(i.occurrence.duty.id, i.kind, i.day.isoformat()) for i in d.items],
        )
        for d in decision.digests
    ]


def handled(state: State, decision: Decision) -> State:
    keys = {i.slot.key for d in decision.digests for i in d.items}
    keys |= {i.slot.key for i in (*decision.missed, *decision.superseded)}
    return State(state.handled | keys, state.done)


def test_nothing_before_remind_at_or_on_a_day_off() -> None:
    state = handled(State(), run(at(3)))
    assert run(at(7, 8, 59), state).digests == ()
    assert run(at(6, 12), state).digests == ()  # Qingming holiday


def test_reminder_working_days_skip_the_holiday() -> None:
    # grain-oil-prices (March) is due Fri 10 April; reminders 3 and 1 working days before are
    # Tue 7 and Thu 9 April. Nothing fires on Fri 3 April or on Mon 6 April (Qingming).
    assert run(at(3)).digests == ()
    decision = run(at(7))
    assert summary(decision) == [
        (COORDINATOR, "email", [("grain-oil-prices", "remind", "2026-04-07")]),
    ]
    [item] = decision.digests[0].items
    assert item.forwarded  # development_reform has no contact: the coordinator relays it


def test_due_day_and_escalation_to_unit_and_coordinator() -> None:
    state = State()
    for day in (7, 8, 9, 10, 13, 14, 15):
        state = handled(state, run(at(day), state))
    decision = run(at(16), state)
    assert summary(decision) == [
        (
            COORDINATOR,
            "email",
            [
                ("grain-oil-prices", "overdue", "2026-04-16"),
                ("electricity-market", "overdue", "2026-04-16"),
            ],
        ),
        ("economy_it", "webhook", [("electricity-market", "overdue", "2026-04-16")]),
    ]
    state = handled(state, decision)
    fired = []
    for day in range(17, 31):
        decision = run(at(day), state)
        state = handled(state, decision)
        kinds = {
            (i.occurrence.duty.id, i.kind, i.addressee) for d in decision.digests for i in d.items
        }
        if ("electricity-market", "overdue", COORDINATOR) in kinds:
            assert ("electricity-market", "overdue", "economy_it") in kinds
            fired.append(day)
    assert fired == [21, 24, 29]  # every 3 working days until done


def test_done_stops_reminders() -> None:
    uid = "electricity-market.2026-Q1.economy_it@test.example"
    decision = run(at(16), State(done={uid: dt.date(2026, 4, 15)}))
    assert all(i.uid != uid for d in decision.digests for i in d.items)


def test_catch_up_within_grace_sends_latest_and_records_the_rest() -> None:
    # Down from 8 to 13 April, back at 10:00 on Tuesday 14 April.
    state = handled(State(), run(at(7)))
    decision = run(at(14, 10), state)
    sent = {
        (i.occurrence.duty.id, i.kind, i.day.day, i.addressee)
        for d in decision.digests
        for i in d.items
    }
    assert sent == {
        ("grain-oil-prices", "overdue", 13, COORDINATOR),
        ("electricity-market", "remind", 14, "economy_it"),
    }
    missed = {(i.occurrence.duty.id, i.kind, i.day.day) for i in decision.missed}
    superseded = {(i.occurrence.duty.id, i.kind, i.day.day) for i in decision.superseded}
    assert missed == {("grain-oil-prices", "remind", 9)}  # 9 April + 2 working days = 13 April < 14
    assert superseded == {("grain-oil-prices", "due", 10), ("electricity-market", "remind", 10)}
    assert all(d.send_at == at(14) or d.send_at == at(13) for d in decision.digests)


def test_digest_is_one_message_per_addressee_and_channel() -> None:
    contacts = Contacts(coordinator=(MAIL,), units={}, policy=Policy())
    state = State()
    for day in (7, 8, 9, 10, 13, 14, 15, 16, 17, 20):
        state = handled(state, run(at(day), state, contacts))
    decision = run(at(21), state, contacts)
    assert len(decision.digests) == 1
    kinds = [(i.occurrence.duty.id, i.kind) for i in decision.digests[0].items]
    assert kinds == [
        ("grain-oil-prices", "overdue"),
        ("electricity-market", "overdue"),
        ("budget-execution", "remind"),
    ]


def test_rendered_digest_in_chinese() -> None:
    decision = run(at(10))
    by_to = {d.addressee: d for d in decision.digests}
    msg = render(by_to["economy_it"], SCHEDULE, CAL, CONTACTS)
    assert msg.subject == "【政务公开提醒】市经济和信息化局：1项即将到期"
    assert "【2.2】电力市场交易资格单位名单（2026年第1季度）" in msg.text
    assert "截止日期：2026年4月15日 星期三（还有3个工作日）" in msg.text
    assert "每季度公布我市进入电力市场交易资格单位名单。" in msg.text
    # no command for a unit's staff: without a portal, tell the coordinator
    howto = "如何登记完成：公开后请将发布链接和登记编号告知市政府办公室，由其登记；登记后不再提醒。"
    assert howto in msg.text and msg.markdown.endswith("\n" + howto)
    assert "disclosure-calendar done" not in msg.text + msg.markdown + msg.html
    assert "登记编号：electricity-market.2026-Q1.economy_it@test.example" in msg.text
    coordinator = render(by_to[COORDINATOR], SCHEDULE, CAL, CONTACTS)
    assert coordinator.subject == "【政务公开提醒】市政府办公室：1项今日截止，涉及1个单位（含代转）"
    assert "【代转】今日截止" in coordinator.text and "（今天截止）" in coordinator.text
    assert "<li><b>【7.4】粮油价格信息（2026年3月）</b>" in coordinator.html
    assert msg.id == message_id(by_to["economy_it"], "test.example")
    assert msg.id != coordinator.id


def test_chat_points_to_the_units_own_link_when_the_portal_runs() -> None:
    decision = run(at(10))
    by_to = {d.addressee: d for d in decision.digests}
    msg = render(by_to["economy_it"], SCHEDULE, CAL, CONTACTS, portal=True)
    assert msg.markdown.endswith(
        "\n如何登记完成：公开后请打开本单位的专属链接（见提醒邮件；没有的请向市政府办公室索取），"
        "填写发布网址登记完成；登记后不再提醒。"
    )
    assert "disclosure-calendar" not in msg.markdown and "http" not in msg.markdown


def test_the_coordinators_link_says_it_opens_the_dashboard() -> None:
    decision = run(at(10))
    by_to = {d.addressee: d for d in decision.digests}
    link = "https://cal.test.example/access/abc"
    msg = render(by_to[COORDINATOR], SCHEDULE, CAL, CONTACTS, link, portal=True)
    assert "打开链接即进入协调人工作台" in msg.text and "本单位的全部事项" not in msg.text


def test_the_coordinators_own_unit_is_not_forwarded_to_itself() -> None:
    import dataclasses

    decision = run(at(10))
    digest = next(d for d in decision.digests if d.addressee == COORDINATOR)
    office = dataclasses.replace(
        SCHEDULE,
        units=tuple(
            dataclasses.replace(u, name="市政府办公室") if u.id == digest.items[0].unit else u
            for u in SCHEDULE.units
        ),
    )
    msg = render(digest, office, CAL, CONTACTS)
    assert "代转" not in msg.subject + msg.text and "请转告" not in msg.text, msg.text


def test_december_before_an_unknown_year_names_that_year() -> None:
    import dataclasses

    decision = run(at(10))
    item = decision.digests[0].items[0]
    december = dataclasses.replace(
        item,
        occurrence=dataclasses.replace(
            item.occurrence, due=dt.date(2026, 12, 30), provisional=True
        ),
    )
    digest = dataclasses.replace(decision.digests[0], items=(december,))
    text = render(digest, SCHEDULE, CAL, CONTACTS).text
    assert "注意：2027年放假安排尚未公布，可能调整2026年年底的日期，此日期为暂定" in text
    assert "该年度" not in text


def test_next_send_time_skips_days_off() -> None:
    assert next_send_time(SCHEDULE, CAL, at(3, 9)) == at(7)  # Fri 09:00 passed; Sat-Mon off
    assert next_send_time(SCHEDULE, CAL, at(3, 8)) == at(3)
    assert next_send_time(SCHEDULE, CAL, at(9, 5, month=5)) == at(9, month=5)  # make-up Saturday


@given(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), st.integers(1, 30))
def test_working_days_between_inverts_add(start: dt.date, n: int) -> None:
    day = CAL.add_working_days(start, n)
    assert working_days_between(CAL, start, day) == n


@pytest.mark.parametrize("grace", [0, 1, 5], ids=["grace0", "grace1", "grace5"])
def test_grace_window(grace: int) -> None:
    contacts = Contacts(coordinator=(MAIL,), units={}, policy=Policy(grace=grace))
    # grain-oil-prices remind on Tue 7 April; the daemon comes back on day 7 + k working days.
    for k in range(0, 4):
        now = dt.datetime.combine(CAL.add_working_days(dt.date(2026, 4, 7), k), dt.time(8, 0), TZ)
        decision = run(now, State(), contacts)
        first = [
            i
            for i in (
                *decision.missed,
                *decision.superseded,
                *(j for d in decision.digests for j in d.items),
            )
            if i.day == dt.date(2026, 4, 7)
        ]
        if k == 0:
            assert first == []  # not yet 09:00
        elif k <= grace:
            assert first and first[0] not in decision.missed
        else:
            assert first and first[0] in decision.missed


def test_daily_routine_is_reminded_on_the_day_but_never_escalated() -> None:
    from disclosure_calendar.occurrences.status import supervise

    routine = load_schedule(DATA.parent.parent / "schedule.yaml")
    cal = ChinaCalendar()
    occs = expand(routine, cal, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    contacts = Contacts(coordinator=(MAIL,), units={}, policy=Policy(escalate_every=3, grace=2))
    decision = decide(routine, cal, occs, contacts, State(), at(29), track_from=TRACK)
    kinds = {
        (i.occurrence.duty.id, i.kind)
        for d in decision.digests
        for i in d.items
        if i.occurrence.duty.cadence == "daily"
    }
    # Nothing done all month: the day's monitoring is on the list, past days are not chased.
    assert kinds == {("website-daily-monitoring", "due")}
    rows, _ = supervise(routine, occs, {}, dt.date(2026, 4, 29), ["government_office"])
    # Only the Q1 spot-check report (due 22 April, the 15th working day) counts, overdue by
    # the 29th; not twenty missed days.
    assert (rows[0].open, rows[0].overdue) == (0, 1)


def test_log_times_in_the_plan_zone_with_offset() -> None:

    import logging

    from disclosure_calendar.reminders.logs import KeyValueFormatter

    record = logging.LogRecord(
        "disclosure_calendar.daemon", logging.INFO, "", 0, "sent", None, None
    )
    record.created = dt.datetime(2026, 4, 14, 1, 0, tzinfo=dt.UTC).timestamp()
    line = KeyValueFormatter().format(record)
    assert line.startswith("ts=2026-04-14T09:00:00.000+08:00 level=info")


def test_log_lines_say_the_event_in_the_readers_language() -> None:
    """The event id stays for grep and monitoring; ``msg`` says it in words (Chinese by
    default, English on request), for every event the daemon logs."""
    import json
    import logging

    from disclosure_calendar.core.i18n import speaking
    from disclosure_calendar.reminders.logs import EVENTS, KeyValueFormatter

    def line(event: str, as_json: bool = False) -> str:
        record = logging.LogRecord("disclosure_calendar.daemon", logging.INFO, "", 0, event, None, None)  # fmt: skip
        record.fields = {"to": "finance"}  # type: ignore[attr-defined]
        return KeyValueFormatter(as_json).format(record)

    with speaking("zh"):  # as the CLI speaks, by default
        assert " event=sent msg=已发送 to=finance" in line("sent")
        assert (
            json.loads(line("ledger-unreachable", as_json=True))["msg"] == "台账无法连接，稍后重试"
        )
        for event in EVENTS:
            words = json.loads(line(event, as_json=True))["msg"]
            assert any("\u4e00" <= c <= "\u9fff" for c in words), (event, words)
    with speaking("en"):
        assert " event=sent msg=sent to=finance" in line("sent")
    assert "msg=" not in line("some-other-event")
