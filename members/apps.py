from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Party organisation")

    def ready(self) -> None:
        from . import accounts  # noqa: F401  (connects the sign-in receiver)
