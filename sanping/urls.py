from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views
from .views.health import healthz

admin.site.site_header = _("三评 administration")
admin.site.site_title = _("三评")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("members.urls")),
    path("", include("meetings.urls")),
    path("", include("sanping.session_urls")),
]
