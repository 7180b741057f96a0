"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def report_list(request, *args, **kwargs):
    raise Http404


def report_create(request, *args, **kwargs):
    raise Http404


def report_detail(request, *args, **kwargs):
    raise Http404


def report_edit(request, *args, **kwargs):
    raise Http404


def oral_report_create(request, *args, **kwargs):
    raise Http404

