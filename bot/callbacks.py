"""Typed, versioned callback data. The "v1" prefix lets a later format coexist with
buttons already sitting in chats; aiogram refuses anything over 64 bytes when packing."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="v1m"):
    item: str  # ask | file | status | mine


class KbFeedbackCb(CallbackData, prefix="v1kf"):
    entry: str
    solved: bool


class KbPickCb(CallbackData, prefix="v1kp"):
    entry: str


class DraftCb(CallbackData, prefix="v1d"):
    op: str  # ok | type | cat | set_type | set_cat | skip_photo | cancel
    value: str = ""


class CardAct(StrEnum):
    """What a card button does; short values keep the callback data within 64 bytes."""

    ACCEPT = "acc"
    CONTACTED = "con"  # asks reached / unreached
    REACHED = "reached"
    UNREACHED = "unreached"
    RETURN = "ret"
    EXTEND = "ext"
    DAYS = "days"  # arg: the number of days
    REPLY = "rep"  # asks the result category
    RESULT = "res"  # arg: the ResultCategory


class TicketCb(CallbackData, prefix="v1t"):
    """A handler's action on a ticket card."""

    act: CardAct
    number: str
    arg: str = ""


class DecideCb(CallbackData, prefix="v1o"):
    """The office's decision on a pending return (ret) or extension (ext)."""

    kind: str
    number: str
    approve: bool
    unit: int = 0


class DispatchCb(CallbackData, prefix="v1p"):
    number: str
    unit: int = 0  # 0: show every unit


class CallbackAnswerCb(CallbackData, prefix="v1c"):
    """One answer of the citizen callback; earlier answers ride along so no state is needed.

    answers: one char per question so far: y/n for the three yes/no questions, then
    a/b/c/d for 满意/基本满意/一般/不满意.
    """

    number: str
    answers: str


def entry_ref(entry_id: str) -> str:
    """A knowledge-base entry id short enough for callback data (long ids are hashed)."""
    if len(entry_id.encode()) <= 40 and ":" not in entry_id:
        return entry_id
    return "#" + hashlib.sha1(entry_id.encode()).hexdigest()[:16]
