"""Signed, expiring links to a ticket's public tracking page, for every message a citizen
gets (SMS, bot). The link names the ticket and its expiry and carries an HMAC of both —
never the phone — so whoever holds the message may follow the ticket, nobody can forge a
link to another one, and an old message stops working after `ttl`.

Token: ``<number>.<expiry, unix seconds, base 36>.<signature>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tickets import texts
from tickets.errors import NotFound

TRACK_PATH = "/h5/t/"
_TOKEN = re.compile(r"^(\d{8,20})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$")


class BadTrackingLink(NotFound):
    code = "bad_link"


def _b36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
        if value == 0:
            return out


def _signature(secret: str, number: str, expiry: str) -> str:
    mac = hmac.new(secret.encode(), f"track:{number}:{expiry}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


@dataclass(frozen=True)
class TrackingLinks:
    """Makes and reads tracking links; built from HOTLINE_PUBLIC_URL and HOTLINE_TRACKING_SECRET."""

    secret: str
    base_url: str
    ttl: timedelta = timedelta(days=90)

    def token(self, number: str, *, now: datetime) -> str:
        expiry = _b36(int((now + self.ttl).astimezone(UTC).timestamp()))
        return f"{number}.{expiry}.{_signature(self.secret, number, expiry)}"

    def url(self, number: str, *, now: datetime) -> str:
        return f"{self.base_url.rstrip('/')}{TRACK_PATH}{self.token(number, now=now)}"

    def read(self, token: str, *, now: datetime) -> str:
        """The ticket number a valid, unexpired token names; BadTrackingLink otherwise."""
        found = _TOKEN.match(token or "")
        if found is None:
            raise BadTrackingLink(texts.ERR_LINK_INVALID)
        number, expiry, signature = found.groups()
        if not hmac.compare_digest(signature, _signature(self.secret, number, expiry)):
            raise BadTrackingLink(texts.ERR_LINK_INVALID)
        if int(expiry, 36) <= now.timestamp():
            raise BadTrackingLink(texts.ERR_LINK_EXPIRED)
        return number
