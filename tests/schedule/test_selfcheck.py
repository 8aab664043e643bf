"""Self-checks of standing duties (defaults: review:, per-duty review:) and duty references."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disclosure_calendar.core.errors import DisclosureError, InputError
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.schedule.lookup import find_duty, period_label
from disclosure_calendar.schedule.periods import containing

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"
REVIEW = """defaults:
  review:
    cadence: quarterly
    due: {rule: workday_of_period, n: -3}
    assumption: 推定
"""
SECOND = """  - id: second-policy
    ref: "2.5"
    title: 另一项常态任务
    text: 及时公开。
    units: [finance, towns]
    cadence: ongoing
    basis: 及时
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_schedule(path)


def with_review(extra_duty: str = SECOND) -> str:
    text = MINIMAL.replace("defaults:\n", REVIEW, 1)
    return text + extra_duty


def test_without_defaults_review_there_are_no_self_checks(tmp_path):
    schedule = load(tmp_path, MINIMAL)
    assert not any(d.is_self_check for d in schedule.duties)


def test_one_self_check_per_unit_lists_its_standing_duties(tmp_path):
    schedule = load(tmp_path, with_review())
    checks = {d.id: d for d in schedule.duties if d.is_self_check}
    assert set(checks) == {"self-check-finance", "self-check-torch_zone", "self-check-shiqi"}
    finance = checks["self-check-finance"]
    assert finance.checks == ("timely-policy", "second-policy")
    assert finance.units == ("finance",) and finance.cadence == "quarterly"
    assert finance.assumed and finance.assumption == "推定"
    assert "2.4 及时公开税收政策：及时公开国家和省、市相关税收政策。" in finance.text
    # The towns' event duty (5.7) is listed with its rule, though no event reached them yet.
    assert checks["self-check-shiqi"].checks == ("second-policy", "repealed-files")
    assert checks["self-check-shiqi"].text.endswith(
        "本单位以下任务在事件发生后按时限办理，请自查本期有无应办未办事项：\n"
        "5.7 标注已废止文件：事件发生之日起第10个工作日内"
    )


def test_a_duty_opts_out_or_takes_another_cadence(tmp_path):
    text = with_review(SECOND.replace("    basis: 及时\n", "    basis: 及时\n    review: false\n"))
    schedule = load(tmp_path, text)
    ids = {d.id for d in schedule.duties if d.is_self_check}
    # The towns' only standing duty opted out: their self-checks list their event duty alone.
    assert ids == {"self-check-finance", "self-check-torch_zone", "self-check-shiqi"}
    assert schedule.duty("self-check-shiqi").checks == ("repealed-files",)
    assert "常态化任务" not in schedule.duty("self-check-shiqi").text
    monthly = with_review(
        SECOND.replace("    basis: 及时\n", "    basis: 及时\n    review: {cadence: monthly}\n")
    )
    schedule = load(tmp_path, monthly)
    ids = {d.id for d in schedule.duties if d.is_self_check}
    assert ids == {
        "self-check-finance",
        "self-check-torch_zone",  # the event duty, in the default (quarterly) self-check
        "self-check-shiqi",
        "self-check-monthly-finance",
        "self-check-monthly-torch_zone",
        "self-check-monthly-shiqi",
    }
    assert schedule.duty("self-check-monthly-shiqi").due == schedule.defaults.review.due


def test_the_bundled_self_checks_list_the_event_duties_with_their_rule(bundled):
    """5.7, 22.1 and 10.1's notice had no trace in a unit's calendar before a first event."""
    text = bundled.duty("self-check-development_reform").text
    assert "5.7 已废止和失效文件清单及标注：事件发生之日起第10个工作日内" in text
    assert "10.1 化解产能完成及设备处置公告：事件发生之日起第20个工作日内" in text
    assert (
        "22.1 依申请公开答复：事件发生之日起第20个工作日内（可延长20个工作日；依据"
        "《中华人民共和国政府信息公开条例》（2019年修订）第三十三条）" in text
    )
    shiqi = bundled.duty("self-check-shiqi")
    assert {"repealed-files-marking", "application-replies", "proactive-disclosure"} <= set(
        shiqi.checks
    )


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ("review: {cadence: weekly}", "the default due rule (workday_of_period) does not fit"),
        ("review: {cadence: ongoing}", "'ongoing' is not periodic"),
        ("review: maybe", "review must be true or false"),
        ("review: true", "review: write false to opt out"),
    ],
)
def test_bad_review_is_reported_with_its_line(tmp_path, review, message):
    text = with_review(SECOND.replace("    basis: 及时\n", f"    basis: 及时\n    {review}\n"))
    line = text.splitlines().index(f"    {review}") + 1
    with pytest.raises(InputError) as caught:
        load(tmp_path, text)
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"{tmp_path / 's.yaml'}:{line}:")
    assert message in problem


def test_review_on_a_dated_duty_is_an_error(tmp_path):
    text = with_review().replace("    basis: 按月\n", "    basis: 按月\n    review: false\n", 1)
    with pytest.raises(InputError) as caught:
        load(tmp_path, text)
    assert "review: only standing (ongoing) duties are reviewed" in str(caught.value)


# -- short references ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return load_schedule(BUNDLED)


def test_find_duty_by_id_ref_and_self_check(bundled):
    assert find_duty(bundled, "5.7").id == "repealed-files-marking"
    assert find_duty(bundled, "budget-execution").ref == "1.3"
    assert find_duty(bundled, "self-check", unit="shiqi").id == "self-check-shiqi"
    with pytest.raises(DisclosureError, match="7.4 names 3 duties: grain-oil-prices"):
        find_duty(bundled, "7.4")
    with pytest.raises(DisclosureError, match=r"self-check names 66 duties: .* \(66 in all\)"):
        find_duty(bundled, "self-check")
    event = find_duty(bundled, "10.1", accept=lambda d: d.cadence == "event")
    assert event.id == "steel-capacity-completion"


@pytest.mark.parametrize(
    ("duty", "text", "label"),
    [
        ("budget-execution", "2026-03", "2026-03"),
        ("budget-execution", "2026-3", "2026-03"),
        ("power-market-eligible-list", "2026Q1", "2026-Q1"),
        ("power-market-eligible-list", "2026-q4", "2026-Q4"),
        ("grain-oil-review-yearly", "2026", "2026"),
        ("repealed-files-marking", "2026-03-02", "event-2026-03-02"),
        ("concrete-measures", None, "once"),
    ],
)
def test_period_forms_people_write(bundled, duty, text, label):
    assert period_label(bundled.duty(duty), text) == label


@pytest.mark.parametrize(
    ("duty", "text", "message"),
    [
        ("budget-execution", "2026Q1", "budget-execution is monthly, give a month like 2026-03"),
        ("budget-execution", "2026-13", "budget-execution is monthly"),
        ("budget-execution", None, "budget-execution is monthly: give a month like 2026-03"),
        ("employment-policy-publicity", "2026Q1", "a standing duty"),
        ("concrete-measures", "2026", "a one-off task: it has no period"),
    ],
)
def test_period_forms_refused(bundled, duty, text, message):
    with pytest.raises(DisclosureError, match=message):
        period_label(bundled.duty(duty), text)


@functools.cache
def bundled_once():
    return load_schedule(BUNDLED)


@given(st.integers(2017, 2099), st.integers(1, 12))
def test_month_and_quarter_labels_round_trip(year, month):
    schedule = bundled_once()
    day = dt.date(year, month, 1)
    monthly, quarterly = schedule.duty("budget-execution"), schedule.duty("yellow-red-card-lists")
    assert period_label(monthly, f"{year}-{month}") == containing("monthly", day).label
    quarter = (month - 1) // 3 + 1
    assert period_label(quarterly, f"{year}Q{quarter}") == containing("quarterly", day).label


def test_done_picks_the_duty_of_a_split_ref_by_the_period_s_form(bundled):
    from disclosure_calendar.ledger.marks import occurrence_uid

    domain = "@disclosure.zs.example"
    assert (
        occurrence_uid(bundled, "7.4", "2026")
        == f"grain-oil-review-yearly.2026.development_reform{domain}"
    )
    assert occurrence_uid(bundled, "7.4", "2026Q2") == (
        f"grain-oil-review-quarterly.2026-Q2.development_reform{domain}"
    )
    assert (
        occurrence_uid(bundled, "7.4", "2026-05")
        == f"grain-oil-prices.2026-05.development_reform{domain}"
    )
    with pytest.raises(DisclosureError, match="7.4 names 3 duties"):
        occurrence_uid(bundled, "7.4")
    with pytest.raises(DisclosureError, match="reaches 63 units: give --unit"):
        occurrence_uid(bundled, "5.7", "2026-03-02")
    with pytest.raises(DisclosureError, match="does not reach unit 'shiqi'"):
        occurrence_uid(bundled, "1.3", "2026-03", "shiqi")
