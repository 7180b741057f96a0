"""Placeholder: being written now; every view answers 404 until then."""

from django.http import Http404


def live(request, *args, **kwargs):
    raise Http404


def mutual_add(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404


def self_evaluation_save(request, *args, **kwargs):
    raise Http404


def self_evaluation_submit(request, *args, **kwargs):
    raise Http404


def self_evaluation_withdraw(request, *args, **kwargs):
    raise Http404


def session_page(request, *args, **kwargs):
    raise Http404

