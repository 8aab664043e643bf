"""One rule for the plan's wording (README, "How the plan's words become duties").

- Publishing after a happening whose date nobody knows in advance (验收合格后, 全部完成后,
  废止……之日起) is an event duty: N working days after each recorded event, 20 where the plan
  gives no number (the Regulations' limit for information formed or changed, art. 26).
- A task that yields one thing once (出台, 制定, 拟订, 建立, 实现, 升级 a document, system or
  platform) is a one-off task, due by the plan's date or, undated, by the plan year's last
  working day (2017-12-29, assumed).
- Continuing conduct (及时, 适时, 持续, 加强, 做好, 完善, 推进 ...) is a standing duty.

The issue found 10.1's 验收合格后 an event duty but 10.2's identical clause and 11.10's 全部完成后
standing duties; 11.6 (尽快实现) dated but 19.1 (加快制定) not.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.rules import ByDate, FixedDate

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"
SCHEDULE = load_schedule(BUNDLED)
PLAN = [d for d in SCHEDULE.duties if d.plan == "zs2017" and not d.is_self_check]
AFTER_EVENT = re.compile(r"验收合格后|全部完成后|废止|之日起")
ONE_THING = re.compile(r"出台|制定|拟订|建立|实现|升级")


@pytest.mark.parametrize("duty", PLAN, ids=lambda d: f"{d.ref}-{d.id}")
def test_the_plans_words_decide_the_kind_of_duty(duty):
    if AFTER_EVENT.search(duty.basis):
        assert duty.cadence == "event"
    elif ONE_THING.search(duty.basis) and not duty.basis.endswith("时"):  # 在制定……时: conduct
        assert duty.cadence == "once"
    undated = "此项未定时限" in (duty.assumption or "")
    if duty.cadence == "once" and undated:
        # Undated one-off tasks: the plan year's last working day, said in the assumption.
        assert duty.due == FixedDate(dt.date(2017, 12, 31), "preceding")
        assert "2017年12月29日" in (duty.assumption or "")
    if (
        duty.cadence == "event"
        and "个工作日" not in duty.basis
        and not isinstance(duty.due, ByDate)
    ):
        assert duty.due is not None and getattr(duty.due, "n", None) == 20


def test_the_cases_the_issue_found():
    by_id = {d.id: d for d in PLAN}
    assert by_id["steel-capacity-completion"].cadence == "event"  # 10.1 验收合格后
    assert by_id["backward-capacity-completion"].cadence == "event"  # 10.2, the same clause
    assert by_id["circulation-spot-checks"].cadence == "event"  # 11.10 全部完成后
    assert by_id["complaint-platform-integration"].cadence == "once"  # 11.6 尽快实现
    assert by_id["five-openness-mechanism"].cadence == "once"  # 19.1 加快制定
    assert by_id["tax-burden-measures"].cadence == "once"  # 2.11 出台
