from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from . import ledger_tasks  # noqa: F401 — registers the ledger's Celery task
