from django.urls import path

from .views import cadence, calendar, ledger, notifications, records, reports

app_name = "meetings"

urlpatterns = [
    # Meetings: scheduling, chairing, minutes and review (views/records.py)
    path("meetings/", records.meeting_list, name="list"),
    path("meetings/new/", records.meeting_create, name="create"),
    path("meetings/<int:pk>/", records.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", records.meeting_edit, name="edit"),
    path("meetings/<int:pk>/publish/", records.meeting_publish, name="publish"),
    path("meetings/<int:pk>/cancel/", records.meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/chair/", records.meeting_chair, name="chair"),
    path("meetings/<int:pk>/open/", records.meeting_open, name="open"),
    path("meetings/<int:pk>/close/", records.meeting_close, name="close"),
    path("meetings/<int:pk>/mark-held/", records.meeting_mark_held, name="mark_held"),
    path("meetings/<int:pk>/current-item/", records.meeting_current_item, name="current_item"),
    path("meetings/<int:pk>/attendance/<int:member_pk>/", records.attendance_set, name="attendance"),
    path("meetings/<int:pk>/makeup/<int:attendance_pk>/", records.attendance_makeup, name="makeup"),
    path("meetings/<int:pk>/items/<int:item_pk>/notes/", records.agenda_notes, name="notes"),
    path("meetings/<int:pk>/minutes/", records.meeting_minutes, name="minutes"),
    path("meetings/<int:pk>/submit/", records.meeting_submit, name="submit"),
    path("meetings/<int:pk>/return/", records.meeting_return, name="return"),
    path("meetings/<int:pk>/approve/", records.meeting_approve, name="approve"),
    path("meetings/<int:pk>/history/", records.meeting_history, name="history"),
    path("meetings/<int:pk>/record.pdf", records.meeting_pdf, name="pdf"),
    path("review/", records.review_queue, name="review_queue"),
    # The yearly group ledger (views/ledger.py)
    path("groups/<int:pk>/ledger/", ledger.ledger_page, name="ledger"),
    path("ledgers/<int:pk>/status/", ledger.ledger_status, name="ledger_status"),
    path("ledgers/<int:pk>/ledger.pdf", ledger.ledger_download, name="ledger_download"),
    # Cadence (views/cadence.py)
    path("cadence/", cadence.dashboard, name="cadence"),
    path("cadence/rules/", cadence.rules_edit, name="cadence_rules"),
    # Calendar: month view and iCalendar feeds (views/calendar.py)
    path("calendar/", calendar.month, name="calendar"),
    path("calendar/meetings.ics", calendar.ics_download, name="ics_download"),
    path("calendar/feed/<str:token>.ics", calendar.ics_feed, name="ics_feed"),
    path("calendar/feed/reset/", calendar.feed_reset, name="feed_reset"),
    # Thought reports (views/reports.py)
    path("thought-reports/", reports.report_list, name="reports"),
    path("thought-reports/new/", reports.report_create, name="report_create"),
    path("thought-reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("thought-reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("meetings/<int:pk>/oral-reports/new/", reports.oral_report_create, name="oral_report_create"),
    # Notification centre (views/notifications.py)
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
    path("notifications/read-all/", notifications.notification_read_all, name="notifications_read_all"),
    path("notifications/preferences/", notifications.notification_preferences, name="notification_preferences"),
]
