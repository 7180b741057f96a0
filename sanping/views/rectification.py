"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def item_detail(request, *args, **kwargs):
    raise Http404


def item_done(request, *args, **kwargs):
    raise Http404


def item_list(request, *args, **kwargs):
    raise Http404


def item_progress(request, *args, **kwargs):
    raise Http404


def item_send_back(request, *args, **kwargs):
    raise Http404


def item_verify(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404

