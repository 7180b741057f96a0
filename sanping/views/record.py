"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def py(request, *args, **kwargs):
    raise Http404


def record(request, *args, **kwargs):
    raise Http404

