"""Control characters (NUL and the other invisible C0/C1 codes): one definition for every
channel.

HTTP clients are programs: a control character in what they send is a bug or a probe, and
silently changing their data could change its meaning (an external number, a reason), so the
HTTP edge refuses it with a 400 naming the field (integrations.http). People in the bot paste
text from other apps with codes they cannot see: the bot strips them before any handler reads
the message (bot.context). The intake door refuses whatever still carries one, so that no
channel can hand the database a NUL (PostgreSQL refuses it in text and the request would fail
late, after the batch was built). Tab, line feed and carriage return are ordinary text.
"""

from __future__ import annotations

import re
from typing import Any

from tickets import texts
from tickets.errors import HotlineError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ControlCharacter(HotlineError):
    code = "control_character"
    http_status = 400

    def __init__(self, where: str) -> None:
        super().__init__(texts.ERR_CONTROL_CHARACTER.format(where=where))
        self.where = where


def has_control(text: str | None) -> bool:
    return bool(text) and CONTROL.search(text) is not None  # type: ignore[arg-type]


def strip_control(text: str) -> str:
    return CONTROL.sub("", text)


def find_control(value: Any) -> str | None:
    """Where the first control character of a parsed JSON value is, as a dotted path
    (`items.2.note`; the whole value is ""), in a string or in an object's key; None if clean.
    Iterative: a deeply nested body must not exhaust the stack here."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if CONTROL.search(item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                name = strip_control(str(key))
                where = f"{path}.{name}" if path else name
                if isinstance(key, str) and CONTROL.search(key):
                    return where
                stack.append((where, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))
    return None


def refuse_control(fields: dict[str, str | None]) -> None:
    """ControlCharacter naming the first field (by its label) that carries one."""
    for label, text in fields.items():
        if has_control(text):
            raise ControlCharacter(label)
