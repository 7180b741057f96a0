"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def advance(request, *args, **kwargs):
    raise Http404


def clock(request, *args, **kwargs):
    raise Http404


def comment_save(request, *args, **kwargs):
    raise Http404


def console(request, *args, **kwargs):
    raise Http404


def coverage(request, *args, **kwargs):
    raise Http404


def finish(request, *args, **kwargs):
    raise Http404


def item_add(request, *args, **kwargs):
    raise Http404


def item_remove(request, *args, **kwargs):
    raise Http404


def opening_save(request, *args, **kwargs):
    raise Http404


def order_set(request, *args, **kwargs):
    raise Http404


def projector(request, *args, **kwargs):
    raise Http404


def projector_state(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404


def slot_notes(request, *args, **kwargs):
    raise Http404


def speaker_set(request, *args, **kwargs):
    raise Http404


def step_back(request, *args, **kwargs):
    raise Http404


def summary_save(request, *args, **kwargs):
    raise Http404

