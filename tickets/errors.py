"""Typed errors of the domain. Each carries a stable code (for APIs) and a Chinese
message (for people); adapters show the message and never need to parse it."""

from __future__ import annotations


class HotlineError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HotlineError):
    code = "not_found"
    http_status = 404


class ValidationFailed(HotlineError):
    code = "invalid"
    http_status = 422


class Forbidden(HotlineError):
    code = "forbidden"
    http_status = 403


class IllegalTransition(HotlineError):
    code = "illegal_transition"
    http_status = 409


class WindowClosed(HotlineError):
    code = "window_closed"
    http_status = 409


class Conflict(HotlineError):
    """The request is well formed but clashes with what is stored (a register entry that
    exists, a person who is not where the request says)."""

    code = "conflict"
    http_status = 409
