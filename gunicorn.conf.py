"""gunicorn's settings (read from the working directory by default)."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"


def post_worker_init(worker):
    # Everything imported at start-up lives as long as the worker: keep it out of the
    # garbage collector's full passes, which otherwise add ~80 ms to a large page now
    # and then (bench/cadence_dashboard.py measures with and without).
    gc.freeze()
