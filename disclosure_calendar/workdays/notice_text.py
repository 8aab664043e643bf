"""Read the State Council's holiday notice as published on the web, into days off and make-up days.

The notice (国务院办公厅关于YYYY年部分节假日安排的通知) has a fixed form, one line per
festival: "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
:func:`read_notice` takes its text as pasted (simplified or traditional characters, full- or
half-width punctuation, with or without the header, closing paragraph, issuer and date) and
returns a :class:`NoticeText` whose ``problems`` name the line of the text they are about:
errors (the text contradicts itself: a wrong day count or weekday, a make-up day that is not
a weekend) and warnings (a sentence with dates that was not understood).  Pure: no I/O.

Each date is first read on its own (month and year carried from the date before it), then
the line is matched as a skeleton with one placeholder per date, so "1月1日（周四）至3日（周六）
放假调休" and "1月1日至3日放假调休" are the same phrase.  A separate notice (延长/调整 ...) is
read the same way and applied to its year by :mod:`.notice_merge`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

from .notice_checks import consistency_problems, statutory_problems
from .notice_parts import DaysOff, Extension, MakeupDay, NoticeText, TextProblem

# A notice is 1-3 KB; anything far larger is the wrong file, and refusing it up front keeps
# a pasted 10 MB log from being scanned line by line.
MAX_CHARS = 100_000
# A notice's longest line has about 150 characters.  The phrases are matched at every date of
# a line, so a line's cost grows with its length squared: a longer line is refused unread.
MAX_LINE = 500
TOO_LONG = N_("the line has {count:,} characters; a notice's lines have at most a few hundred")

# Traditional forms of the characters the reader looks at (titles, festival names, keywords,
# weekdays, lunar dates).  A notice pasted from a Hong Kong/Taiwan or traditional-character
# page needs no more than these; other characters are left alone.
_TRADITIONAL = str.maketrans(
    "國務院辦廳關於節勞動慶調補與連週農曆歷臘發電號長勝戰爭紀現將經開學員確處報間門時動區轄機構屬",
    "国务院办厅关于节劳动庆调补与连周农历历腊发电号长胜战争纪现将经开学员确处报间门时动区辖机构属",
)
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_DASHES = str.maketrans(
    {"—": "-", "–": "-", "―": "-", "〜": "~", "“": "", "”": "", "「": "", "」": ""}
)

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_ALIASES = {"新年": "元旦", "五一": "劳动节", "十一": "国庆节", "国庆": "国庆节", "劳动": "劳动节"}
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAME = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]

_D = "\ue000"  # stands for one date in a sentence's skeleton
# Numbers are read whole ("123日" is not the 23rd) and judged in :meth:`_Reader._dates`.
_DATE = re.compile(
    r"(?<!\d)(?:(\d+)年)?(?:(\d+)月)?(\d+)日"
    r"(?:\(([^()]{0,40})\)|((?:周|星期)[一二三四五六日天]))?"
)
_NUM = r"(\d+|[一二三四五六七八九十]{1,3})"  # a count of 20 digits is read, then refused
_RANGE = re.compile(rf"{_D}[至到~-]+{_D}(?:放假(?:调休|公休)?|调休放假|休假)(?:,?共?{_NUM}天)?")
_SINGLE = re.compile(
    rf"{_D}(?:全国)?(?:放假|调休放假|休假)(?:{_NUM}天)?(?:,?(与周末连休)|,?(?:其中)?({_D})补休)?"
)
_MAKEUP = re.compile(rf"{_D}(?:[、,和及与]{_D})*(?:调休)?上班")
_EXTEND = re.compile(rf"延长(?:\d{{4}}年)?(\S*?)假期至{_D}")
_RESUME = re.compile(rf"{_D}起(?:正常)?上班")
_CHANGED_FROM = re.compile(rf"由{_D}(?:{_NUM}天)?(?:调整|改)为")
# Sentences of the older notices (2004-2008) that explain a break the line already gave:
# "其中1月1日为法定假日，将12月30日（星期六）、31日（星期日）两个公休日分别调至1月2日、3日"
_DATES = rf"{_D}(?:、{_D})*"
_EXPLAINED = (
    re.compile(rf"{_DATES}(?:为|是)法定(?:节)?假日"),
    re.compile(rf"将?{_DATES}(?:[两三四五]个)?公休日(?:分别)?调(?:至|到|为){_DATES}"),
    re.compile(rf"{_DATES}(?:照常公休|为公休日|调休(?!放假|上班))"),
)
_LONE_BUXIU = re.compile(rf"{_D}补休")
_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、,.]|\([一二三四五六七八九十]+\)|\d{1,2}[、.](?!\d))"
)
_LABEL = re.compile(r"^([^:,;。()]{1,40}?):")
_TITLE = re.compile(r"^(?:标题:)?((?:国务院办公厅|国务院)?关于[^,。:;]{2,80}?的?通知)")
_DOCUMENT = re.compile(r"([\u4e00-\u9fff]{2,8}[〔\[(]\d{4}[〕\])]\d{1,4}号)")
_SIGNED = re.compile(  # the date under the issuer, or gov.cn's 成文日期 line above the text
    r"^(?:国务院办公厅|国务院|成文日期:?|发布日期:?)?"
    r"(\d{4}|[〇零一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月"
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})日$"
)
_YEAR_IN_TITLE = re.compile(r"(\d{4})年")
_INTRO_YEAR = re.compile(r"现将(\d{4})年")
_FULL_DATE = re.compile(r"(\d{4})年\d{1,2}月\d{1,2}日")


def normalize_line(line: str) -> str:
    """One line as the reader sees it: simplified, half-width punctuation, no spaces."""
    line = unicodedata.normalize("NFKC", line).translate(_TRADITIONAL).translate(_DASHES)
    # The placeholder a sentence's skeleton puts for each date must not come from the text.
    return _INVISIBLE.sub("", line).replace("；", ";").replace(_D, "")


def _number(text: str) -> int:
    """``"12"``, ``"十二"``, ``"二十"``, ``"三十一"``, ``"二〇二五"`` as an int."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    tens, _ten, units = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def _festival_name(label: str) -> str:
    label = label.strip("\"'")
    names = []
    for part in re.split(r"[、,和及与]", label):
        known = [f for f in FESTIVALS if f in part]  # "五一国际劳动节" -> 劳动节
        if part:
            names.append(_ALIASES.get(part) or (known[0] if known else part))
    return "、".join(names)


def _supplement_name(title: str | None) -> str:
    """The festival a separate notice is about, from its title."""
    if title:
        found = [f for f in FESTIVALS if f in title]
        if found:
            return "、".join(found)
        m = re.search(r"关于(.+?纪念日)", title)
        if m:
            return m.group(1)
    return "节假日"


class _Sentence:
    """One line with each date replaced by a placeholder, so phrases match around them.

    ``matches`` hands out each date once: a date a range took is not also a single day.
    """

    def __init__(self, text: str, dates: list[dt.date | None]) -> None:
        self.skeleton = _DATE.sub(_D, text)
        self.dates = dates
        self.used: set[int] = set()

    def matches(self, pattern: re.Pattern[str]) -> list[tuple[re.Match[str], list[dt.date]]]:
        found = []
        pos = 0
        while m := pattern.search(self.skeleton, pos):
            first = self.skeleton.count(_D, 0, m.start())
            idx = range(first, first + m.group(0).count(_D))
            if any(k in self.used for k in idx):
                # "…调至12月31日，12月29日上班": the list may not start at a taken date
                pos = m.start() + 1
                continue
            pos = m.end()
            self.used.update(idx)
            got = [self.dates[k] for k in idx]
            if all(d is not None for d in got):  # an invalid date was reported already
                found.append((m, [d for d in got if d is not None]))
        return found

    def unused(self) -> list[dt.date]:
        return [d for k, d in enumerate(self.dates) if k not in self.used and d is not None]


class _Reader:
    def __init__(self, text: str, year: int | None) -> None:
        self.raw = text.splitlines()
        self.lines = [normalize_line(s) for s in self.raw]
        self.given_year = year
        self.problems: list[TextProblem] = []
        self.days_off: list[DaysOff] = []
        self.workdays: list[MakeupDay] = []
        self.extensions: list[Extension] = []
        self.header_lines: set[int] = set()

    def problem(self, line: int, message: str, *, error: bool = True) -> None:
        self.problems.append(TextProblem(line, message, error))

    # ---------------------------------------------------------------- header
    def header(self) -> tuple[int | None, str | None, int, dt.date | None, str | None]:
        title, title_line, published, document = None, 0, None, None
        for i, s in enumerate(self.lines, 1):
            if title is None and (t := _TITLE.search(s)) and len(s) <= 120:
                title, title_line = t.group(1), i
                self.header_lines.add(i)
            elif document is None and (m := _DOCUMENT.search(s)) and len(s) <= 40:
                document = m.group(1)
                self.header_lines.add(i)
            elif (m := _SIGNED.match(s)) and title_line < i:
                self.header_lines.add(i)
                try:
                    published = dt.date(*(_number(g) for g in m.groups()))
                except ValueError:
                    self.problem(
                        i, _("‘{text}’ is not a valid date").format(text=self.raw[i - 1].strip())
                    )
        year = None
        if title and (m := _YEAR_IN_TITLE.search(title)):
            year = int(m.group(1))
        if self.given_year is not None:
            if year is not None and year != self.given_year:
                self.problem(
                    title_line,
                    _("the title is about {year}, but --year says {given}").format(
                        year=year, given=self.given_year
                    ),
                )
            year = self.given_year
        if year is None:
            for s in self.lines:
                if m := _INTRO_YEAR.search(s):
                    year = int(m.group(1))
                    break
        if year is None and title:  # "…胜利70周年纪念日调休放假的通知": the first full date's year
            for i, s in enumerate(self.lines, 1):
                if i not in self.header_lines and (m := _FULL_DATE.search(s)):
                    year = int(m.group(1))
                    break
        return year, title, title_line, published, document

    # ----------------------------------------------------------------- body
    def body(self, year: int, default_name: str, skip: set[int]) -> None:
        label: str | None = None
        for i, s in enumerate(self.lines, 1):
            if len(s) > MAX_LINE:
                self.problem(i, _(TOO_LONG).format(count=len(s)))
            if i in skip or not s or len(s) > MAX_LINE:
                label = None
                continue
            rest = _ITEM.sub("", s)
            m = _LABEL.match(rest)
            if m and (rest != s or _known(m.group(1))):
                label = _festival_name(m.group(1))
                rest = rest[m.end() :]
            elif rest != s:
                label = None
            if not _DATE.search(rest):
                if rest == s and not m:
                    label = None
                continue
            self.sentence_dates(i, year, label or default_name, rest)

    def sentence_dates(self, line: int, year: int, name: str, text: str) -> None:
        """The dates of one line, then what the phrases around them make of them."""
        s = _Sentence(text, self._dates(line, year, name, text))
        for m, got in s.matches(_RANGE):
            self._range(line, name, got[0], got[1], m.group(1))
        for m, got in s.matches(_SINGLE):
            self._single(line, name, m, got)
        for _match, got in s.matches(_LONE_BUXIU):
            self.days_off.append(DaysOff(name, got[0], got[0], line))
        for m, got in s.matches(_EXTEND):
            self.extensions.append(Extension(_festival_name(m.group(1)) or name, got[0], line))
        # "2月3日起正常上班": the first working day after a break, no make-up day;
        # "由5月1日1天调整为…": the arrangement a separate notice replaces; and the older
        # notices' explanations (before the make-up days, whose list they would otherwise join)
        for pattern in (_RESUME, _CHANGED_FROM, *_EXPLAINED):
            s.matches(pattern)
        for _match, got in s.matches(_MAKEUP):
            for made in got:
                if made.weekday() < 5:
                    self.problem(
                        line,
                        _(
                            "{name}: the make-up working day {day} is a {weekday}, not a "
                            "Saturday or Sunday"
                        ).format(name=name, day=made, weekday=_WEEKDAY_NAME[made.weekday()]),
                    )
                self.workdays.append(MakeupDay(made, name, line))
        missed = s.unused()
        if missed:
            self.problem(
                line,
                _(
                    "did not understand the date(s) {dates} in ‘{text}’: check this line by hand"
                ).format(dates=", ".join(str(d) for d in missed), text=text[:60]),
                error=False,
            )

    def _dates(self, line: int, year: int, name: str, text: str) -> list[dt.date | None]:
        """Each date written in ``text``, None where it is not a valid date.

        "3日" takes the month (and year) of the date before it; a date without a year is in
        ``year``, except December on the 元旦 line, which is the December before.
        """
        dates: list[dt.date | None] = []
        month: int | None = None
        in_year: int | None = None
        for m in _DATE.finditer(text):
            y, mo, d, note, bare = m.groups()
            if len(y or "2000") != 4 or len(mo or "1") > 2 or len(d) > 2:
                self.problem(line, _("‘{text}’ is not a valid date").format(text=m.group(0)))
                dates.append(None)
                continue
            if mo is None and month is None:
                self.problem(line, _("‘{text}’ has no month").format(text=m.group(0)))
                dates.append(None)
                continue
            if mo is not None:
                month = int(mo)
                in_year = int(y) if y else (year - 1 if month == 12 and name == "元旦" else year)
            elif y:
                in_year = int(y)
            assert month is not None and in_year is not None
            try:
                day = dt.date(in_year, month, int(d))
            except ValueError:
                self.problem(line, _("‘{text}’ is not a valid date").format(text=m.group(0)))
                dates.append(None)
                continue
            said = re.search(r"(?:周|星期)([一二三四五六日天])", note or bare or "")
            if said and _WEEKDAY[said.group(1)] != day.weekday():
                self.problem(
                    line,
                    _("{month}月{dom}日 ({day}) is a {weekday}, the notice says {said}").format(
                        month=day.month,
                        dom=day.day,
                        day=day,
                        weekday=_WEEKDAY_NAME[day.weekday()],
                        said=said.group(0),
                    ),  # fmt: skip
                )
            dates.append(day)
        return dates

    def _range(
        self, line: int, name: str, first: dt.date, last: dt.date, count: str | None
    ) -> None:
        """ "1月1日至3日放假调休，共3天"."""
        if last < first:
            self.problem(
                line,
                _("{name}: the days off end ({last}) before they start ({first})").format(
                    name=name, last=last, first=first
                ),
            )
            return
        length = (last - first).days + 1
        if count is not None and _number(count) != length:
            self.problem(
                line,
                _("{name}: ‘共{count}天’, but {first} to {last} is {length} days").format(
                    name=name, count=count, first=first, last=last, length=length
                ),
            )
        self.days_off.append(DaysOff(name, first, last, line))

    def _single(self, line: int, name: str, m: re.Match[str], got: list[dt.date]) -> None:
        """ "1月1日放假1天" / "…放假，与周末连休" / "4月5日放假，4月6日（星期一）补休"."""
        count, weekend, substitute = m.groups()
        day = first = last = got[0]
        if count is not None and _number(count) != 1 and not weekend:
            self.problem(
                line,
                _("{name}: ‘放假{count}天’ for the single day {day}").format(
                    name=name, count=count, day=day
                ),
            )
        if substitute:
            self._buxiu(line, name, day, got[1])
            return
        if weekend:  # the day and the weekend next to it
            while (first - dt.timedelta(days=1)).weekday() >= 5:
                first -= dt.timedelta(days=1)
            while (last + dt.timedelta(days=1)).weekday() >= 5:
                last += dt.timedelta(days=1)
            if first == last:
                self.problem(
                    line,
                    _("{name}: {day} is not next to a weekend").format(name=name, day=day),
                    error=False,
                )
        self.days_off.append(DaysOff(name, first, last, line))

    def _buxiu(self, line: int, name: str, day: dt.date, extra: dt.date) -> None:
        """A holiday and its substitute day (补休): one span if only a weekend lies between."""
        lo, hi = min(day, extra), max(day, extra)
        between = [lo + dt.timedelta(days=k) for k in range(1, (hi - lo).days)]
        if all(d.weekday() >= 5 for d in between):
            self.days_off.append(DaysOff(name, lo, hi, line))
        else:
            self.days_off.append(DaysOff(name, day, day, line))
            self.days_off.append(DaysOff(name, extra, extra, line))


def _known(label: str) -> bool:
    return any(f in label for f in (*FESTIVALS, *_ALIASES)) or label.endswith(("节", "纪念日"))


def read_notice(text: str, *, year: int | None = None) -> NoticeText:
    """Read a holiday notice's text; ``year`` is needed only when the text has no title."""
    if len(text) > MAX_CHARS:
        return _failed(
            _(
                "the text has {count:,} characters; a holiday notice has a few thousand "
                "(is this the right file?)"
            ).format(count=len(text))
        )
    if not _INVISIBLE.sub("", text):
        return _failed(_("the text is empty"))
    r = _Reader(text, year)
    year, title, _title_line, published, document = r.header()
    if year is None:
        r.problem(0, _("no year: the text has no title naming it; give --year"))
        return NoticeText(None, title, published, document, False, problems=tuple(r.problems))
    supplement = title is not None and "部分节假日安排" not in title
    if title is None:
        title = f"国务院办公厅关于{year}年部分节假日安排的通知"
        r.problem(0, _("no title in the text; using ‘{title}’").format(title=title), error=False)
    r.body(year, _supplement_name(title) if supplement else "节假日", r.header_lines)
    notice = NoticeText(
        year, title, published, document, supplement,
        _joined(r.days_off),
        tuple(sorted(r.workdays, key=lambda m: m.date)),
        tuple(r.extensions),
        tuple(r.problems),
    )  # fmt: skip
    extra = consistency_problems(notice)
    if not extra and not supplement:
        extra = statutory_problems(notice)
    return _with(notice, [*r.problems, *extra])


def _joined(spans: list[DaysOff]) -> tuple[DaysOff, ...]:
    """The spans in date order, those of one line and name that overlap joined into one.

    "9月3日至5日调休放假…其中9月3日（星期四）放假": the second names a day of the first.
    """
    out: list[DaysOff] = []
    for span in sorted(spans, key=lambda s: (s.first, s.last)):
        prev = out[-1] if out else None
        if prev and (prev.line, prev.name) == (span.line, span.name) and span.first <= prev.last:
            out[-1] = replace(prev, last=max(prev.last, span.last))
        else:
            out.append(span)
    return tuple(out)


def _failed(message: str) -> NoticeText:
    return NoticeText(None, None, None, None, False, problems=(TextProblem(0, message),))


def _with(notice: NoticeText, problems: list[TextProblem]) -> NoticeText:
    return replace(notice, problems=tuple(sorted(problems, key=lambda p: (p.line, not p.error))))
