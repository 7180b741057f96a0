"""Working days and statutory holidays (chinese-calendar), with the weekend fallback
for a year the package has no data for."""

import datetime
import logging

import pytest
from django.utils import translation

from meetings import holidays
from meetings.forms import MeetingForm

D = datetime.date


@pytest.fixture(autouse=True)
def forget_warned_years():
    holidays._warned_years.clear()
    yield
    holidays._warned_years.clear()


def test_spring_festival_and_its_adjusted_saturdays():
    assert not holidays.is_workday(D(2026, 2, 16))  # 春节, a Monday
    assert holidays.is_workday(D(2026, 2, 14))  # 调休: a Saturday worked
    assert holidays.is_workday(D(2026, 2, 28))
    assert holidays.is_workday(D(2026, 2, 24)) and not holidays.is_workday(D(2026, 2, 22))


def test_working_days_between_counts_both_ends_and_skips_the_holiday():
    # 14 Feb (adjusted Saturday) and 24–28 Feb; 15–23 Feb is the Spring Festival.
    assert holidays.working_days_between(D(2026, 2, 14), D(2026, 2, 28)) == 6
    assert holidays.working_days_between(D(2026, 2, 15), D(2026, 2, 28)) == 5
    assert holidays.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 1
    assert holidays.working_days_between(D(2026, 3, 3), D(2026, 3, 2)) == 0


def test_holiday_names_in_the_active_language():
    with translation.override("en"):
        assert holidays.holiday_name(D(2026, 10, 1)) == "National Day"
        assert holidays.holiday_name(D(2026, 5, 1)) == "Labour Day"
    assert holidays.holiday_name(D(2026, 10, 10)) is None  # an adjusted working Saturday
    assert holidays.holiday_name(D(2026, 11, 28)) is None  # a plain Saturday is no statutory holiday
    assert holidays.holiday_name(D(2026, 11, 26)) is None


def test_a_year_without_data_falls_back_to_weekends_with_one_warning(caplog):
    assert not holidays.has_data(D(2027, 1, 4))
    with caplog.at_level(logging.WARNING, logger="meetings.holidays"):
        assert holidays.is_workday(D(2027, 1, 1))  # a Friday: New Year's Day is not known yet
        assert not holidays.is_workday(D(2027, 1, 2))  # a Saturday
        assert holidays.holiday_name(D(2027, 10, 1)) is None
        assert holidays.working_days_between(D(2027, 1, 1), D(2027, 1, 10)) == 6
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_years_before_the_data_do_not_fail_either():
    assert holidays.is_workday(D(2003, 6, 2)) and not holidays.is_workday(D(2003, 6, 1))


# Scheduling on a holiday: a warning, not a refusal --------------------------------


def form_data(leader, day: datetime.date) -> dict:
    return {
        "kind": "group_meeting", "title": "党小组会", "date": day.isoformat(), "start_time": "14:00",
        "end_time": "16:00", "place": "三楼会议室", "chair": leader.pk,
    }


def test_a_meeting_on_a_statutory_holiday_is_valid_with_a_warning(leader):
    form = MeetingForm(form_data(leader, D(2026, 10, 2)), group=leader.group)
    assert form.is_valid(), form.errors
    assert len(form.warnings) == 1
    assert "2026-10-02" in form.warnings[0]


def test_no_warning_on_a_working_day_an_adjusted_saturday_or_a_year_without_data(leader):
    for day in (D(2026, 11, 26), D(2026, 10, 10), D(2027, 10, 1)):
        form = MeetingForm(form_data(leader, day), group=leader.group)
        assert form.is_valid(), form.errors
        assert form.warnings == []
