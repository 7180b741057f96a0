"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def guidance_add(request, *args, **kwargs):
    raise Http404


def overview(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404

