"""A page polling in the background neither writes nor extends the sign-in session."""

from django.contrib.sessions.models import Session
from django.urls import reverse


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_polling_does_not_extend_the_session_but_activity_does(client, member, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(member.user)
    client.get(reverse("home"))
    first = expiry(client)
    client.get(reverse("home"), HTTP_X_POLL="1")
    assert expiry(client) == first
    client.get(reverse("home"))
    assert expiry(client) > first
