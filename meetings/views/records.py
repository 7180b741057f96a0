"""Placeholder: being written now."""

from django.http import Http404


def agenda_notes(request, *args, **kwargs):
    raise Http404


def attendance_makeup(request, *args, **kwargs):
    raise Http404


def attendance_set(request, *args, **kwargs):
    raise Http404


def meeting_approve(request, *args, **kwargs):
    raise Http404


def meeting_cancel(request, *args, **kwargs):
    raise Http404


def meeting_chair(request, *args, **kwargs):
    raise Http404


def meeting_close(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def meeting_current_item(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def meeting_history(request, *args, **kwargs):
    raise Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def meeting_mark_held(request, *args, **kwargs):
    raise Http404


def meeting_minutes(request, *args, **kwargs):
    raise Http404


def meeting_open(request, *args, **kwargs):
    raise Http404


def meeting_publish(request, *args, **kwargs):
    raise Http404


def meeting_return(request, *args, **kwargs):
    raise Http404


def meeting_submit(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404


def review_queue(request, *args, **kwargs):
    raise Http404

