"""Reading the State Council's holiday notice text (workdays.notice_text)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from notice_forms import official_days, published_text

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.workdays import ChinaCalendar, holiday_data
from disclosure_calendar.workdays.notice_file import notice_entry, read_notice_file
from disclosure_calendar.workdays.notice_merge import apply_supplement
from disclosure_calendar.workdays.notice_text import (
    MAX_CHARS,
    MAX_LINE,
    NoticeText,
    normalize_line,
    read_notice,
)
from disclosure_calendar.workdays.notices import Notice

NOTICES = Path(__file__).parent / "data" / "notices"
ROOT = Path(__file__).parents[2]
YEARS = range(holiday_data.OFFICIAL_FIRST_YEAR, holiday_data.OFFICIAL_LAST_YEAR + 1)
OFFICIAL = ChinaCalendar()
S2T = opencc.OpenCC("s2t")


def fixture(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def differing_days(notice: Notice) -> list[dt.date]:
    """Days of the notice's year (and December before) whose status differs from the data."""
    cal = ChinaCalendar(notices=[notice])
    day = max(dt.date(notice.year - 1, 12, 1), dt.date(2004, 1, 1))
    out = []
    while day <= dt.date(notice.year, 12, 31):
        if cal.is_working_day(day) != OFFICIAL.is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def messages(notice: NoticeText) -> list[str]:
    return [str(p) for p in notice.problems]


# ---------------------------------------------------------------- every year, every form


@pytest.mark.parametrize("script", ["simplified", "traditional"])
@pytest.mark.parametrize("style", ["周", "星期"])
@pytest.mark.parametrize("year", YEARS)
def test_every_year_round_trips(year: int, style: str, script: str) -> None:
    text = published_text(year, style=style)
    if script == "traditional":
        text = S2T.convert(text)
        assert text != published_text(year, style=style)
    notice = read_notice(text)
    assert messages(notice) == []
    off, work = official_days(year)
    got_off = {d for span in notice.days_off for d in span.dates()}
    assert {m.date for m in notice.workdays} == set(work)
    assert set(off) <= got_off
    assert all(d.weekday() >= 5 for d in got_off - set(off))  # only the weekends of a break
    assert notice.year == year
    assert notice.title == holiday_data.NOTICE_SOURCES[str(year)].title
    assert notice.published == holiday_data.NOTICE_SOURCES[str(year)].published


@pytest.mark.parametrize("year", YEARS)
def test_every_year_gives_the_official_calendar(year: int) -> None:
    notice = read_notice(published_text(year))
    assert differing_days(notice.to_notice(published=dt.date(year - 1, 12, 1))) == []


# ------------------------------------------------------------ the irregular forms


def test_one_day_substitute_day_and_weekend_forms_2014() -> None:
    """放假1天 / 4月5日放假，4月7日（星期一）补休 / 6月2日放假，与周末连休."""
    notice = read_notice(fixture("2014_forms.txt"))
    assert messages(notice) == []
    spans = {s.name: (s.first, s.last, s.line) for s in notice.days_off}
    assert spans["元旦"] == (dt.date(2014, 1, 1), dt.date(2014, 1, 1), 6)
    assert spans["清明节"] == (dt.date(2014, 4, 5), dt.date(2014, 4, 7), 8)
    assert spans["端午节"] == (dt.date(2014, 5, 31), dt.date(2014, 6, 2), 10)
    assert spans["中秋节"] == (dt.date(2014, 9, 6), dt.date(2014, 9, 8), 11)
    assert notice.document == "国办发明电〔2013〕28号"
    assert differing_days(notice.to_notice()) == []


def test_two_festivals_in_one_line_2017() -> None:
    notice = read_notice(fixture("2017_two_festivals.txt"))
    assert messages(notice) == []
    last = notice.days_off[-1]
    assert (last.name, last.first, last.last) == (
        "中秋节、国庆节",
        dt.date(2017, 10, 1),
        dt.date(2017, 10, 8),
    )
    assert notice.days_off[0].dates() == [dt.date(2017, 1, 1), dt.date(2017, 1, 2)]  # 补休
    assert notice.published == dt.date(2016, 12, 1)
    assert differing_days(notice.to_notice()) == []


def test_weekend_with_new_year_lies_in_december_2018() -> None:
    """No header: the year comes from --year; 与周末连休 reaches back into 2017."""
    notice = read_notice(fixture("2018_weekend_in_december.txt"), year=2018)
    assert messages(notice) == [
        "warning: no title in the text; using ‘国务院办公厅关于2018年部分节假日安排的通知’"
    ]
    first = notice.days_off[0]
    assert (first.first, first.last) == (dt.date(2017, 12, 30), dt.date(2018, 1, 1))
    assert notice.published is None
    assert differing_days(notice.to_notice(published=dt.date(2017, 11, 30))) == []


def test_december_make_up_day_and_a_separate_notice_2019() -> None:
    main = read_notice(fixture("2019_december_makeup.txt"))
    assert messages(main) == []
    assert main.workdays[0].date == dt.date(2018, 12, 29)
    assert main.days_off[0].first == dt.date(2018, 12, 30)
    labour = read_notice(fixture("2019_labour_adjustment.txt"))
    assert messages(labour) == []
    assert labour.supplement and labour.year == 2019
    assert [(s.name, s.first, s.last) for s in labour.days_off] == [
        ("劳动节", dt.date(2019, 5, 1), dt.date(2019, 5, 4))
    ]
    assert [m.date for m in labour.workdays] == [dt.date(2019, 4, 28), dt.date(2019, 5, 5)]
    merged = apply_supplement(main.to_notice(), labour)
    assert differing_days(main.to_notice()) != []  # the first notice alone gave 05-01 only
    assert differing_days(merged) == []
    assert merged.published == dt.date(2019, 3, 22)


def test_spring_festival_extension_2020() -> None:
    main = read_notice(fixture("2020.txt"))
    extension = read_notice(fixture("2020_spring_festival_extension.txt"))
    assert messages(extension) == []
    assert extension.supplement
    assert [(e.name, e.last, e.line) for e in extension.extensions] == [
        ("春节", dt.date(2020, 2, 2), 6)
    ]
    assert extension.workdays == ()  # "2月3日（星期一）起正常上班" is no make-up day
    merged = apply_supplement(main.to_notice(), extension)
    assert dt.date(2020, 2, 1) not in merged.workdays  # the make-up Saturday became a day off
    assert differing_days(merged) == []
    assert merged.title == (
        "国务院办公厅关于2020年部分节假日安排的通知；国务院办公厅关于延长2020年春节假期的通知"
    )


def test_extension_entry_built_on_the_built_in_year() -> None:
    extension = read_notice(fixture("2020_spring_festival_extension.txt"))
    entry = notice_entry(extension, "ext.txt")
    off = {
        dt.date.fromisoformat(s["from"]) + dt.timedelta(days=i)
        for s in entry["days_off"]
        for i in range((dt.date.fromisoformat(s["to"]) - dt.date.fromisoformat(s["from"])).days + 1)
    }
    assert {dt.date(2020, 1, 24) + dt.timedelta(days=i) for i in range(10)} <= off
    assert "2020-02-01" not in entry["workdays"]
    assert entry["published"] == "2020-01-27"


def test_traditional_half_width_without_header_2012() -> None:
    notice = read_notice(fixture("2012_traditional_halfwidth.txt"), year=2012)
    assert [p.error for p in notice.problems] == [False]  # only: no title
    assert notice.workdays[0].date == dt.date(2011, 12, 31)
    assert [s.name for s in notice.days_off][-1] == "中秋节、国庆节"
    assert differing_days(notice.to_notice(published=dt.date(2011, 12, 6))) == []


@pytest.mark.parametrize(
    ("line", "days"),
    [
        pytest.param("一、元旦：1月1日放假，与周末连休。", ("2016-01-01", "2016-01-03"), id="friday"),
        pytest.param("一、元旦：1月1日（星期五）放假1天。", ("2016-01-01", "2016-01-01"), id="one-day"),
        pytest.param("一、元旦：1月1日至3日放假，共三天。", ("2016-01-01", "2016-01-03"), id="cn-count"),
        pytest.param("一、元旦:1月1日(周五)~3日(周日)放假,共3天.", ("2016-01-01", "2016-01-03"), id="ascii"),
        pytest.param("一、元旦：1月1日（星期五）—1月3日（星期天）放假。", ("2016-01-01", "2016-01-03"), id="dash"),
        pytest.param("（一）元旦：1月1日至3日放假公休，共3天。", ("2016-01-01", "2016-01-03"), id="paren-number"),
        pytest.param("1. 元旦： 1 月 1 日 至 3 日 放假，共 3 天。", ("2016-01-01", "2016-01-03"), id="spaces"),
        pytest.param("一、“元旦”：１月１日至３日放假，共３天。", ("2016-01-01", "2016-01-03"), id="fullwidth"),
    ],
)  # fmt: skip
def test_line_forms(line: str, days: tuple[str, str]) -> None:
    notice = read_notice(line, year=2016)
    assert [p for p in notice.problems if p.error] == []
    span = notice.days_off[0]
    assert (span.name, span.first.isoformat(), span.last.isoformat()) == ("元旦", *days)


def test_make_up_days_written_as_tiaoxiu_shangban() -> None:
    notice = read_notice(
        "一、元旦：1月1日至3日放假调休，共3天。1月4日（周日）调休上班。", year=2026
    )
    assert notice.errors == []
    assert not any("did not understand" in p.message for p in notice.problems)
    assert [m.date for m in notice.workdays] == [dt.date(2026, 1, 4)]


def test_festival_aliases_of_old_notices() -> None:
    notice = read_notice(
        "一、“五一”：5月1日至7日放假，共7天。\n二、“十一”：10月1日至7日放假，共7天。", year=2005
    )
    assert [s.name for s in notice.days_off] == ["劳动节", "国庆节"]


# --------------------------------------------------------------------- cross-checks


BASE = fixture("2017_two_festivals.txt")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "1月27日至2月2日放假调休，共7天", "1月27日至2月2日放假调休，共8天",
            "line 7: 春节: ‘共8天’, but 2017-01-27 to 2017-02-02 is 7 days", id="count",
        ),
        pytest.param(
            "1月22日（星期日）", "1月22日（星期一）",
            "line 7: 1月22日 (2017-01-22) is a 周日, the notice says 星期一", id="weekday",
        ),
        pytest.param(
            "4月1日（星期六）上班", "4月5日（星期三）上班",
            "line 8: 清明节: the make-up working day 2017-04-05 is a 周三, not a Saturday or Sunday",
            id="makeup-weekday",
        ),
        pytest.param(
            "5月28日至30日", "5月30日至28日",
            "line 10: 端午节: the days off end (2017-05-28) before they start (2017-05-30)",
            id="reversed",
        ),
        pytest.param(
            "9月30日（星期六）上班", "10月7日（星期六）上班",
            "line 11: 中秋节、国庆节: 2017-10-07 is both a make-up working day and a day off (line 11)",
            id="off-and-worked",
        ),
        pytest.param(
            "4月2日至4日", "4月31日至4日", "line 8: ‘4月31日’ is not a valid date", id="no-such-date",
        ),
        pytest.param(
            "共7天", "共12345678901234567890天",
            "line 7: 春节: ‘共12345678901234567890天’, but 2017-01-27 to 2017-02-02 is 7 days",
            id="count-of-20-digits",
        ),
        pytest.param(
            "5月28日至30日", "5月28日至130日", "line 10: ‘130日’ is not a valid date",
            id="three-digit-day",
        ),
        pytest.param(
            "五、端午节", "五、春节",
            "line 10: 春节 is listed twice with different dates: 2017-01-27 to 2017-02-02 on "
            "line 7, 2017-05-28 to 2017-05-30 here",
            id="festival-twice",
        ),
        pytest.param(
            "国务院办公厅关于2017年", "国务院办公厅关于2016年",
            "line 1: the title is about 2016, but --year says 2017", id="year-mismatch",
        ),
    ],
)  # fmt: skip
def test_errors_name_the_line(old: str, new: str, expected: str) -> None:
    assert old in BASE
    notice = read_notice(BASE.replace(old, new), year=2017 if "year" in expected else None)
    assert expected in messages(notice)
    assert notice.errors


def test_statutory_day_left_out_is_a_warning() -> None:
    """端午节 2017 was Tuesday 05-30; a notice ending the break on 05-29 leaves it out."""
    notice = read_notice(
        BASE.replace("5月28日至30日放假调休，共3天", "5月28日至29日放假调休，共2天")
    )
    assert messages(notice) == [
        "line 10: warning: 端午节: the statutory holiday 2017-05-30 (端午节) is not among the days off"
    ]
    assert not notice.errors
    missing = read_notice(
        BASE.replace("三、清明节：4月2日至4日放假调休，共3天。4月1日（星期六）上班。", "")
    )
    assert messages(missing) == [
        "warning: 清明节: the statutory holiday 2017-04-04 (清明节) is not among the days off"
    ]


def test_unknown_sentence_with_dates_is_a_warning() -> None:
    text = BASE.replace("四、劳动节：5月1日放假，与周末连休。", "四、劳动节：5月1日、2日休息。")
    notice = read_notice(text)
    assert "line 9: warning: did not understand the date(s) 2017-05-01, 2017-05-02" in "\n".join(
        messages(notice)
    )


def test_days_outside_the_year_are_refused() -> None:
    notice = read_notice("一、元旦：2015年1月1日至3日放假调休，共3天。", year=2017)
    assert "line 1: 元旦: 2015-01-01 is outside 2017 and the December before it" in messages(notice)


# ---------------------------------------------------------------------- hostile input


def test_unrelated_text(data: Path) -> None:
    notice = read_notice((data / "seed_plan.txt").read_text(encoding="utf-8"), year=2017)
    assert [str(p) for p in notice.errors] == [
        "no days off or make-up days found: this does not look like a State Council holiday "
        "notice (一、元旦：1月1日至3日放假调休，共3天。…)"
    ]


@pytest.mark.parametrize("text", ["", "  \n\u3000\n", "\ufeff"], ids=["empty", "blank", "bom"])
def test_empty_text(text: str) -> None:
    assert messages(read_notice(text)) == ["the text is empty"]


def test_no_year_anywhere() -> None:
    assert messages(read_notice("一、元旦：1月1日放假1天。")) == [
        "no year: the text has no title naming it; give --year"
    ]


def test_ten_megabytes_refused_fast() -> None:
    text = BASE * (10 * 2**20 // len(BASE.encode()))
    start = time.perf_counter()
    notice = read_notice(text)
    assert time.perf_counter() - start < 0.5
    assert messages(notice) == [
        f"the text has {len(text):,} characters; a holiday notice has a few thousand "
        "(is this the right file?)"
    ]
    with pytest.raises(InputError, match="a holiday notice is a few KB"):
        read_notice_file(text.encode(), "big.txt")


def test_just_under_the_limit_is_read_in_time() -> None:
    text = (BASE + "\n") * (MAX_CHARS // (len(BASE) + 1))
    start = time.perf_counter()
    notice = read_notice(text)
    assert time.perf_counter() - start < 5
    assert notice.errors  # the same days again and again: every repeat is a clash


@pytest.mark.parametrize("dashes", [40, MAX_LINE - 40])
def test_a_date_followed_by_dashes_is_read_at_once(tmp_path: Path, dashes: int) -> None:
    """The command (not only the function): 34 dashes once took over a minute, 40 far longer."""
    notice = tmp_path / "notice.txt"
    notice.write_text(BASE.replace("1月1日放假，", "1月1日" + "-" * dashes), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "cli.py", "-f", str(tmp_path / "none.yaml"), "workdays", "notice",
         str(notice)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr  # the rest of the notice is an entry
    assert "notice.txt:6: warning: did not understand the date(s) 2017-01-01" in run.stderr


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["-", "—", "至", "~", "到", "1月2日", "、"]), max_size=120),
    st.sampled_from(["", "x", "放假", "上班"]),
)
def test_phrases_take_linear_steps(separators: list[str], tail: str) -> None:
    """Whatever dashes, dates and separators follow a date, a line is read within a bound."""
    line = "一、元旦：1月1日" + "".join(separators) * 4 + tail
    start = time.process_time()
    read_notice(f"国务院办公厅关于2017年部分节假日安排的通知\n{line}\n")
    assert time.process_time() - start < 0.5  # the nested quantifier took minutes on 40 dashes


def test_overlong_lines_are_refused_unread() -> None:
    text = BASE + "一、元旦：" + "1月1日、" * 200 + "\n"
    start = time.process_time()
    notice = read_notice(text)
    assert time.process_time() - start < 0.5
    assert (
        "line 16: the line has 1,005 characters; a notice's lines have at most a few hundred"
    ) in messages(notice)


def test_file_errors_name_file_and_line() -> None:
    text = BASE.replace("共7天", "共8天")
    with pytest.raises(InputError) as info:
        read_notice_file(text.encode(), "notice.txt")
    assert str(info.value) == (
        "1 problem found:\nnotice.txt:7:1: 春节: ‘共8天’, but 2017-01-27 to 2017-02-02 is 7 days"
    )


def test_file_in_gb18030_and_binary() -> None:
    notice = read_notice_file(BASE.encode("gb18030"), "gbk.txt")
    assert notice.year == 2017 and not notice.problems
    with pytest.raises(InputError, match="binary data"):
        read_notice_file(b"\x00\x01" * 100, "a.bin")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "一二三元旦春节：:，,。（）()周星期日月年至0123456789放假调休共天上班补与末连、\n 2017"
            )
        )
    )
)
def test_never_raises_on_noise(text: str) -> None:
    notice = read_notice(text, year=2017)
    assert isinstance(notice, NoticeText)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(BASE) - 1), st.integers(1, 40), st.text(max_size=8))
def test_never_raises_on_a_mangled_notice(at: int, cut: int, junk: str) -> None:
    text = BASE[:at] + junk + BASE[at + cut :]
    notice = read_notice(text)
    for p in notice.problems:
        assert 0 <= p.line <= len(text.splitlines())  # \r and \x85 end a line too


def test_gov_cn_page_with_its_metadata_lines() -> None:
    """Copied from the gov.cn page: 标题/发文字号/成文日期 above the text, no signature."""
    body = fixture("example_2027.txt").splitlines()[3:-2]
    text = "\n".join(
        [
            "标题：国务院办公厅关于2027年部分节假日安排的通知",
            "发文机关：国务院办公厅",
            "发文字号：国办发明电〔2026〕9号",
            "成文日期：2026年11月12日",
            *body,
        ]
    )
    notice = read_notice(text)
    assert messages(notice) == []
    assert (notice.title, notice.published, notice.document) == (
        "国务院办公厅关于2027年部分节假日安排的通知",
        dt.date(2026, 11, 12),
        "国办发明电〔2026〕9号",
    )
    assert len(notice.days_off) == 7 and len(notice.workdays) == 6


@pytest.mark.parametrize("variant", ["s2t", "s2tw", "s2hk", "s2twp"])
def test_every_title_in_every_traditional_variant(variant: str) -> None:
    """The small traditional->simplified table covers what each variant writes in titles."""
    convert = opencc.OpenCC(variant).convert
    for source in holiday_data.NOTICE_SOURCES.values():
        assert convert(source.title) != source.title
        assert normalize_line(convert(source.title)) == source.title
    notice = read_notice(convert(published_text(2015)))  # with the victory-day break
    assert messages(notice) == []


@st.composite
def festival_lines(draw: st.DrawFn) -> tuple[str, int, dt.date, dt.date, list[dt.date]]:
    """One festival line as the State Council writes it, for any break of 1-9 days.

    As in the notices, a date outside the notice's year (the December before) has its year.
    """
    first = draw(st.dates(dt.date(2005, 1, 1), dt.date(2098, 12, 20)))
    last = first + dt.timedelta(days=draw(st.integers(0, 8)))
    year = last.year
    around = [first + dt.timedelta(days=k) for k in range(-14, 24)]
    weekends = [
        d
        for d in around
        if d.weekday() >= 5
        and not first <= d <= last
        and dt.date(year - 1, 12, 1) <= d.replace(day=1)
        and d.year <= year
    ]
    makeup = sorted(draw(st.lists(st.sampled_from(weekends), max_size=3, unique=True)))
    style = draw(st.sampled_from(["周", "星期"]))

    def day(d: dt.date, prev: dt.date | None = None) -> str:
        week = f"（{style}{'一二三四五六日'[d.weekday()]}）"
        if prev is not None and (prev.year, prev.month) == (d.year, d.month):
            return f"{d.day}日{week}"
        return f"{f'{d.year}年' if d.year != year else ''}{d.month}月{d.day}日{week}"

    length = (last - first).days + 1
    text = (
        f"{day(first)}放假1天。"
        if first == last
        else (f"{day(first)}至{day(last, first)}放假调休，共{length}天。")
    )
    if makeup:
        text += "、".join(day(d, makeup[k - 1] if k else None) for k, d in enumerate(makeup))
        text += "上班。"
    return f"二、春节：{text}", year, first, last, makeup


@settings(max_examples=300, deadline=None)
@given(festival_lines())
def test_any_festival_line_reads_back(
    case: tuple[str, int, dt.date, dt.date, list[dt.date]],
) -> None:
    line, year, first, last, makeup = case
    notice = read_notice(line, year=year)
    assert [p for p in notice.problems if p.error] == []
    assert [(s.first, s.last) for s in notice.days_off] == [(first, last)]
    assert [m.date for m in notice.workdays] == makeup


@pytest.mark.parametrize("name", ["2007_old_form.txt", "2008_old_form.txt"])
def test_older_form_with_its_explanations(name: str) -> None:
    """2004-2008: "其中…为法定假日，将…两个公休日调至…；…照常公休，…上班" read without warnings."""
    notice = read_notice(fixture(name))
    assert messages(notice) == []
    assert differing_days(notice.to_notice(published=dt.date(notice.year - 1, 12, 1))) == []


def test_older_form_details() -> None:
    notice = read_notice(fixture("2007_old_form.txt"))
    assert notice.published == dt.date(2006, 12, 14)  # 二〇〇六年十二月十四日
    assert [s.name for s in notice.days_off] == [
        "元旦",
        "春节",
        "劳动节",
        "国庆节",
    ]  # “五一”, “十一”
    assert [m.date for m in notice.workdays][:2] == [dt.date(2006, 12, 30), dt.date(2006, 12, 31)]
    eight = read_notice(fixture("2008_old_form.txt"))
    assert eight.days_off[3].name == "劳动节"  # “五一”国际劳动节
    assert eight.workdays[0].date == dt.date(2007, 12, 29)  # after "…调至12月31日（星期一），"


def test_victory_day_notice_2015() -> None:
    """A separate notice whose title has no year: the year is its first full date's."""
    victory = read_notice(fixture("2015_victory_day.txt"))
    assert messages(victory) == []
    assert (victory.year, victory.supplement, victory.published) == (
        2015,
        True,
        dt.date(2015, 5, 13),
    )
    assert [(s.first, s.last) for s in victory.days_off] == [
        (dt.date(2015, 9, 3), dt.date(2015, 9, 5))
    ]
    assert victory.days_off[0].name == "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"
    assert [m.date for m in victory.workdays] == [dt.date(2015, 9, 6)]
    # the year as the annual notice of 2014-12-16 arranged it, before the victory day
    full = read_notice(published_text(2015))
    annual = replace(
        full,
        days_off=tuple(s for s in full.days_off if s.first != dt.date(2015, 9, 3)),
        workdays=tuple(m for m in full.workdays if m.date != dt.date(2015, 9, 6)),
    )
    assert differing_days(annual.to_notice()) == [
        dt.date(2015, 9, 3),
        dt.date(2015, 9, 4),
        dt.date(2015, 9, 6),
    ]
    assert differing_days(apply_supplement(annual.to_notice(), victory)) == []


def test_the_date_placeholder_in_the_text_is_ignored() -> None:
    # Found by hypothesis: U+E000 is what a sentence puts for a date; one in the text
    # made the reader count more dates than it had and fail with IndexError.
    text = BASE[:87] + "\ue000" + BASE[127:]
    notice = read_notice(text)
    assert isinstance(notice, NoticeText)
