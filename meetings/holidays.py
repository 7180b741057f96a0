"""Working days and statutory holidays of mainland China, for "due soon" lead times
and for the warning when a meeting is scheduled on a holiday.

The chinese-calendar package knows the statutory holidays and the adjusted working
days (调休, a Saturday or Sunday worked in exchange for a longer holiday), one year
at a time as the State Council publishes them; release 1.11 knows 2004–2026 and
raises NotImplementedError for any other year. For such a year we fall back to
"Monday to Friday are working days", log a warning once per year and process, and
never fail: a reminder a day early or late is better than no reminder at all.
"""

import datetime
import logging

import chinese_calendar
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# chinese-calendar names holidays in English; these are the words we show.
HOLIDAY_NAMES = {
    chinese_calendar.Holiday.new_years_day.value: _("New Year's Day"),
    chinese_calendar.Holiday.spring_festival.value: _("Spring Festival"),
    chinese_calendar.Holiday.tomb_sweeping_day.value: _("Tomb-sweeping Day"),
    chinese_calendar.Holiday.labour_day.value: _("Labour Day"),
    chinese_calendar.Holiday.dragon_boat_festival.value: _("Dragon Boat Festival"),
    chinese_calendar.Holiday.national_day.value: _("National Day"),
    chinese_calendar.Holiday.mid_autumn_festival.value: _("Mid-autumn Festival"),
    chinese_calendar.Holiday.anti_fascist_70th_day.value: _("Anti-Fascist 70th Day"),
}

_warned_years: set[int] = set()


def _no_data(day: datetime.date) -> None:
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning(
            "chinese-calendar has no holiday data for %d: counting Monday to Friday as working days "
            "(upgrade the chinesecalendar package when the State Council publishes the year's holidays).",
            day.year,
        )


def has_data(day: datetime.date) -> bool:
    """Whether the statutory holidays of `day`'s year are known."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: datetime.date) -> bool:
    """A working day: Monday to Friday unless a statutory holiday, or an adjusted
    working weekend day. Years without data: Monday to Friday, with a logged warning."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _no_data(day)
        return day.weekday() < 5


def holiday_name(day: datetime.date) -> str | None:
    """The name of the statutory holiday `day` belongs to (in the active language), or
    None: an ordinary day, a plain weekend, or a year without data (warning logged)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        _no_data(day)
        return None
    if not on_holiday or name is None:
        return None
    return str(HOLIDAY_NAMES.get(name, name))


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    """How many working days from `first` to `last`, both included (0 if last < first)."""
    count, day = 0, first
    while day <= last:
        count += is_workday(day)
        day += datetime.timedelta(days=1)
    return count
