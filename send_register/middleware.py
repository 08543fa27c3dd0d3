import time

# Every page satisfies this policy: no inline scripts or styles, no third-party
# origins. Scripts and styles come from /static/ only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content Security Policy and the headers Django's SecurityMiddleware leaves out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages about children must not sit in shared caches or the back-button cache.
            response.setdefault("Cache-Control", "no-store, private")
        return response


class SessionActivityMiddleware:
    """Sessions end after SESSION_COOKIE_AGE of inactivity (docs/security.md).

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would
    push its expiry forward, but costs an UPDATE and a commit on every page
    (docs/performance.md). Instead the session notes when it was last seen and
    is saved only when that note is more than a minute old: the timeout is
    the same to within a minute, and a busy user's pages write nothing.
    """

    KEY = "_seen"
    EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            seen = session.get(self.KEY)
            if not isinstance(seen, int) or now - seen >= self.EVERY:
                session[self.KEY] = now  # marks the session modified: saved, expiry renewed
        return response
