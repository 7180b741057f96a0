"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def notification_list(request, *args, **kwargs):
    raise Http404


def notification_open(request, *args, **kwargs):
    raise Http404


def notification_read_all(request, *args, **kwargs):
    raise Http404

