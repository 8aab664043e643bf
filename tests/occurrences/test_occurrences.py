"""Expanding duties into dated occurrences, pinned to real dates of the official calendar."""

import datetime as dt
from dataclasses import FrozenInstanceError, fields, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.occurrences.expansion import Occurrence, expand, for_unit
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.model import Event

D = dt.date
ROOT_DATA = Path(__file__).resolve().parents[1] / "data"


def due_of(occurrences, duty_id, period):
    [occ] = [o for o in occurrences if o.duty.id == duty_id and o.period.label == period]
    return occ.due


def test_first_monthly_report_is_may_2017(schedule, cal):
    occs = [
        o
        for o in expand(schedule, cal, D(2017, 1, 1), D(2017, 12, 31))
        if o.duty.id == "budget-execution"
    ]
    # The plan is issued 2017-06-09: May's report ended before it but falls due after it.
    # 15th working day after 2017-05-31: June 1-2 (2), 5-9 (7), 12-16 (12), 19-21 (15).
    assert occs[0].period.label == "2017-05"
    assert occs[0].due == D(2017, 6, 21)
    # June: 15th working day after 2017-06-30: July 3-7 (5), 10-14 (10), 17-21 (15).
    assert occs[1].due == D(2017, 7, 21)
    assert [o.period.label for o in occs] == [f"2017-{m:02d}" for m in range(5, 12)]


def test_a_period_due_before_the_start_is_left_out(schedule, cal):
    # April 2017's report was due 2017-05-22, before the plan: not the plan's to chase.
    occs = expand(schedule, cal, D(2017, 1, 1), D(2017, 12, 31))
    assert all(o.due >= D(2017, 6, 9) for o in occs)


@pytest.mark.parametrize(
    ("duty", "period", "due"),
    [
        # 30th working day after Fri 2017-06-09: June 12-30 (15), July 3-21 (30).
        ("concrete-measures", "once", D(2017, 7, 21)),
        # Budget, January 2026: Feb 2-13 (10), Sat 14 make-up (11), 15-23 Spring Festival,
        # 24-27 (15).
        ("budget-execution", "2026-01", D(2026, 2, 27)),
        # Grain prices, January 2024: Feb 10 falls in the 10-17 break; the next working day is
        # Sunday the 18th, a make-up day.
        ("grain-oil-prices", "2024-01", D(2024, 2, 18)),
        # Electricity list, Q3 2026: Oct 1-7 off; Oct 8, 9, Sat 10 (make-up), 12-16, 19, 20.
        ("electricity-market", "2026-Q3", D(2026, 10, 20)),
        # Water ranking for 2017: 31 March 2018 is a Saturday, rolled back to Friday.
        ("water-ranking", "2017", D(2018, 3, 30)),
        # Last working day of 2017: Friday 29 December (30 Dec - 1 Jan is New Year).
        ("site-review", "2017", D(2017, 12, 29)),
        # 10 working days after the repeal on Monday 2026-03-02.
        ("repealed-files", "event-2026-03-02", D(2026, 3, 16)),
    ],
    ids=lambda v: str(v),
)
def test_due_dates(schedule, cal, duty, period, due):
    occurrences = expand(schedule, cal, D(2017, 1, 1), D(2027, 12, 31))
    assert due_of(occurrences, duty, period) == due


def test_ongoing_duties_have_no_dates(schedule, cal):
    occurrences = expand(schedule, cal, D(2017, 1, 1), D(2030, 12, 31))
    assert "timely-policy" not in {o.duty.id for o in occurrences}


def test_reminders_are_working_days_before_due(schedule, cal):
    for occ in expand(schedule, cal, D(2024, 1, 1), D(2026, 12, 31)):
        assert all(cal.is_working_day(r) and r < occ.due for r in occ.reminders)
        assert len(occ.reminders) == len(occ.duty.reminders)
    [jan] = [
        o
        for o in expand(schedule, cal, D(2026, 2, 1), D(2026, 2, 28))
        if o.duty.id == "budget-execution"
    ]
    # 3 and 1 working days before Fri 2026-02-27: the 24th (Tue) and the 26th (Thu).
    assert jan.reminders == (D(2026, 2, 24), D(2026, 2, 26))


def test_provisional_flag_follows_the_calendar(schedule, cal):
    occurrences = expand(schedule, cal, D(2026, 1, 1), D(2027, 12, 31))
    # Until the 2027 notice is out, December 2026 is provisional too: a notice may set
    # make-up days in the December before its year.
    settled = [o for o in occurrences if o.due < D(2026, 12, 1) and o.period.end < D(2026, 12, 1)]
    assert settled and not any(o.provisional for o in settled)
    assert all(o.provisional for o in occurrences if o.due.year == 2027)


def test_groups_reach_members(schedule, cal):
    occurrences = expand(schedule, cal, D(2017, 1, 1), D(2018, 12, 31))
    shiqi = {o.duty.id for o in for_unit(occurrences, schedule, "shiqi")}
    assert shiqi == {"concrete-measures", "water-ranking"}
    towns = {o.duty.id for o in for_unit(occurrences, schedule, "towns")}
    assert towns == {"concrete-measures", "water-ranking"}
    finance = {o.duty.id for o in for_unit(occurrences, schedule, "finance")}
    assert "concrete-measures" in finance  # through lead_units


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=D(2017, 1, 1), max_value=D(2026, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
)
def test_expansion_is_sorted_unique_and_in_range(schedule, cal, start, days):
    end = start + dt.timedelta(days=days)
    occurrences = expand(schedule, cal, start, end)
    assert all(start <= o.due <= end and cal.is_working_day(o.due) for o in occurrences)
    # By due date, then the duty's place in the plan, then the period.
    assert occurrences == sorted(occurrences, key=_feed_order)
    keys = [o.key for o in occurrences]
    assert len(keys) == len(set(keys))
    # Any narrower window gives exactly the occurrences of the wide one that fall in it.
    wide = expand(schedule, cal, start - dt.timedelta(days=400), end + dt.timedelta(days=400))
    assert [o.key for o in wide if start <= o.due <= end] == keys


def _feed_order(o):
    return (o.due, o.duty.section, o.duty.item, o.duty.id, o.period.start)


def test_event_dates_given_out_of_order_come_out_in_date_order(schedule, cal):
    [duty] = [d for d in schedule.duties if d.cadence == "event"][:1]
    # A Sunday before a Saturday: both are due the same day, and Saturday's comes first.
    days = [D(2026, 5, 6), D(2026, 3, 8), D(2026, 3, 7), D(2026, 4, 1)]
    duty = replace(duty, events=tuple(Event(day) for day in days))
    others = tuple(d for d in schedule.duties if d.id != duty.id)
    changed = replace(schedule, duties=(duty, *others))
    occurrences = expand(changed, cal, D(2026, 1, 1), D(2026, 12, 31))
    assert occurrences == sorted(occurrences, key=_feed_order)
    mine = [o.period.start for o in occurrences if o.duty.id == duty.id]
    assert mine == sorted(days)


def test_provisional_years_name_the_missing_notice(schedule, cal):
    from disclosure_calendar.occurrences.horizon import provisional_years

    # December 2026 rests on the 2027 notice (it may set make-up days there), not on 2026's.
    december = expand(schedule, cal, D(2026, 12, 1), D(2026, 12, 31))
    assert any(o.provisional for o in december)
    assert provisional_years(december, cal) == [2027]
    assert provisional_years(expand(schedule, cal, D(2026, 1, 1), D(2026, 11, 20)), cal) == []


def test_duties_sharing_a_rule_keep_their_own_start_and_end(tmp_path, cal):
    # Expansion computes dates once per kind of duty; start and end must still be each duty's.
    text = (ROOT_DATA / "minimal.yaml").read_text(encoding="utf-8")
    text += """\
  - id: budget-2026-h1
    ref: "1.4"
    title: 同规则的短期任务
    text: 按月公开。
    units: [finance]
    cadence: monthly
    basis: 按月
    due: {rule: workdays_after_period, n: 15}
    start: 2026-01-01
    end: 2026-06-30
    assumed: true
    assumption: 测试
"""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    occurrences = expand(load_schedule(path), cal, D(2025, 1, 1), D(2027, 12, 31))
    short = [o.period.label for o in occurrences if o.duty.id == "budget-2026-h1"]
    # From its start on, what falls due: December 2025's report too (due January 2026).
    assert short == ["2025-12", *(f"2026-{m:02d}" for m in range(1, 7))]
    full = [o for o in occurrences if o.duty.id == "budget-execution"]
    assert len(full) == 36 and full[0].period.label == "2024-12"


def test_expanded_occurrences_are_the_dataclass_s_own(schedule, cal):
    """Expansion makes occurrences without the dataclass's __init__: they must be the same
    objects in every way, with every field (a field added later must be filled there too)."""
    occurrences = expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    for occ in occurrences[:50]:
        made = Occurrence(*(getattr(occ, f.name) for f in fields(Occurrence)))
        assert vars(occ) == vars(made) and occ == made and hash(occ) == hash(made)
        assert repr(occ) == repr(made)
    with pytest.raises(FrozenInstanceError):
        occurrences[0].due = dt.date(2026, 1, 1)  # type: ignore[misc]
