from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that a page polling in the background
    (requests marked with the header X-Poll: 1) is not activity: it neither writes the
    session nor extends it. Otherwise an open projector or session page would keep its
    sign-in alive for ever, and write the session row every few seconds."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if request.headers.get("X-Poll") == "1" and session is not None and not session.modified:
            return response
        return super().process_response(request, response)
