from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("accounts/sign-in/", views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="members/password_change_done.html"),
        name="password_change_done",
    ),
    path("me/", views.profile, name="profile"),
    path("members/", views.directory, name="directory"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("members/<int:pk>/history/", views.member_history, name="member_history"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/password-reset/", views.member_password_reset, name="member_password_reset"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("members/<int:pk>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("members/export.xlsx", views.roster_export, name="roster_export"),
    path("groups/<int:pk>/history/", views.group_history, name="group_history"),
    path("groups/<int:pk>/leader/", views.group_leader, name="group_leader"),
    path("roster/", views.roster_home, name="roster"),
    path("roster/passwords/", views.roster_passwords, name="roster_passwords"),
    path("branches/<int:branch_pk>/roster/", views.roster_branch, name="roster_branch"),
    path("branches/<int:branch_pk>/roster/template.xlsx", views.roster_template, name="roster_template"),
    path("branches/<int:branch_pk>/roster/import/", views.roster_import, name="roster_import"),
    path("branches/<int:branch_pk>/roster/import/<int:pk>/", views.roster_preview, name="roster_preview"),
]
