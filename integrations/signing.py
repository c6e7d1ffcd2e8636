"""HMAC-SHA256 request signatures shared by the upstream hook (inbound) and the upstream
callback notifier (outbound).

The signed message is ``timestamp + "\\n" + nonce + "\\n" + raw body``: the timestamp
bounds the replay window, the nonce makes each request unique inside it, and both are
covered so neither can be swapped. Headers: X-Hotline-Timestamp (Unix seconds),
X-Hotline-Nonce (8–100 characters), X-Hotline-Signature (lowercase hex).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

TIMESTAMP = "X-Hotline-Timestamp"
NONCE = "X-Hotline-Nonce"
SIGNATURE = "X-Hotline-Signature"
DEDUPE = "X-Dedupe-Key"


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: datetime, nonce: str | None = None) -> dict[str, str]:
    timestamp = str(int(now.timestamp()))
    nonce = nonce or secrets.token_hex(16)
    return {TIMESTAMP: timestamp, NONCE: nonce, SIGNATURE: signature(secret, timestamp, nonce, body)}


def signature_matches(secret: str, timestamp: str, nonce: str, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, nonce, body), given.strip().lower())
