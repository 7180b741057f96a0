"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def month(request, *args, **kwargs):
    raise Http404


def ics_download(request, *args, **kwargs):
    raise Http404


def ics_feed(request, *args, **kwargs):
    raise Http404


def feed_reset(request, *args, **kwargs):
    raise Http404

