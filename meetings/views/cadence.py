"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def rules_edit(request, *args, **kwargs):
    raise Http404

