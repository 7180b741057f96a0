from .roles import member_of


def current_member(request) -> dict:
    """The signed-in person's member record, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_member": member_of(user)}
