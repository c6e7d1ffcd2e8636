"""Settings of the web adapter (the office's console under /console/, the citizens' pages
under /h5/), on top of the core's; the composition root assembles them (wiring.Settings)."""

from __future__ import annotations

from pydantic import Field

from tickets.settings import Settings


class WebSettings(Settings):
    web_secret: str | None = Field(
        default=None,
        description="Key signing the CSRF tokens; unset = a random key per process (forms open "
        "across a restart or on another instance are refused once)",
    )
    web_idle_minutes: int = Field(
        default=30, description="A signed-in session ends after this long without a request"
    )
    web_session_hours: int = Field(
        default=12, description="A session ends this long after sign-in, busy or not"
    )
    web_lockout_attempts: int = Field(default=5, description="Wrong passwords in a row that lock an account")
    web_lockout_minutes: int = Field(default=15, description="How long a locked account stays locked")
    web_secure_cookies: bool | None = Field(
        default=None,
        description=(
            "Mark cookies Secure; unset = when the request came over HTTPS (X-Forwarded-Proto counts)"
        ),
    )
    web_trust_forwarded_for: bool = Field(
        default=False,
        description="Behind your own reverse proxy: count the citizens' pages' rate limits by the last "
        "X-Forwarded-For address (the one the proxy added) instead of the proxy's",
    )
