"""Sign-in accounts issued by the secretary: one-time initial passwords, the list of them
kept only in the secretary's session until downloaded, and the rule that a person who
signs in with one must choose their own password before anything else.

Plain passwords never reach the database: the session holds the list of freshly issued
ones (shown and downloadable until the secretary downloads or discards it, and gone
when the session ends), the database only their hashes.
"""

import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

# No 0/O, 1/l/I: the secretary may read these out or print them.
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 3, 5  # e.g. "k7Fmx-9QpRt-3Hdsa": 15 symbols of 56, about 87 bits

# A one-time password is 87 random bits: no number of hash iterations makes guessing it
# any harder, whereas a slow hash makes 5,000 of them take half an hour. They are hashed
# with few PBKDF2 iterations, and Django re-hashes at full strength at the first sign-in
# (PBKDF2PasswordHasher.must_update), just before the person replaces the password anyway.
INITIAL_PASSWORD_ITERATIONS = 2_000

SESSION_PASSWORDS = "members.issued_passwords"
SESSION_MUST_CHANGE = "members.must_change_password"


def initial_password_generate() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))


def initial_password_hash(password: str) -> str:
    hasher = get_hasher("default")
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=INITIAL_PASSWORD_ITERATIONS)
    return make_password(password)


# The secretary's session: passwords issued and not yet handed over.


def issued_passwords_add(session, rows: list[dict]) -> None:
    """Add freshly issued passwords ({number, name, username, password}) to the list the
    secretary has not downloaded yet; a second reset of the same account replaces the first."""
    pending = {row["username"]: row for row in session.get(SESSION_PASSWORDS, {}).get("rows", [])}
    for row in rows:
        pending[row["username"]] = {**row, "issued_at": timezone.now().isoformat()}
    session[SESSION_PASSWORDS] = {"rows": sorted(pending.values(), key=lambda r: r["number"])}


def issued_passwords(session) -> list[dict]:
    return session.get(SESSION_PASSWORDS, {}).get("rows", [])


def issued_passwords_pop(session) -> list[dict]:
    """Take the list out of the session: it can be downloaded once."""
    return session.pop(SESSION_PASSWORDS, {}).get("rows", [])


# Forced change at first sign-in: the flag is read from the member at sign-in and kept in
# the session, so that the check on every request costs no query.


@receiver(user_logged_in, dispatch_uid="members.must_change_password")
def remember_must_change_password(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    from .models import Member

    # Asked of the database, not of a member object the caller may hold from before a reset.
    if Member.objects.filter(user_id=user.pk, must_change_password=True).exists():
        request.session[SESSION_MUST_CHANGE] = True
    else:
        request.session.pop(SESSION_MUST_CHANGE, None)


def must_change_password(request) -> bool:
    return bool(getattr(request, "session", None) and request.session.get(SESSION_MUST_CHANGE))


def password_chosen(request) -> None:
    request.session.pop(SESSION_MUST_CHANGE, None)
