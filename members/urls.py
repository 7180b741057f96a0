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
]
