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
    CONFIRM = "ok"  # submit the reply as summarised
    REDO = "redo"  # fill the reply in again


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


class ReviewOp(StrEnum):
    APPROVE = "ok"  # 审核通过并回访: the citizen gets the callback questions
    REWORK = "redo"  # 退回重办: asks the reason


class ReviewCb(CallbackData, prefix="v1r"):
    """The office's review of a unit's reply (the 【待审核】 notice)."""

    op: ReviewOp
    number: str


class ListKind(StrEnum):
    MINE = "mine"  # a handler's /mytickets
    NEW = "new"  # the office's /new
    PENDING = "pend"  # the office's /pending
    OVERDUE = "over"  # the office's /overdue


class PageCb(CallbackData, prefix="v1g"):
    """A page of a long list; `page` counts from 0."""

    kind: ListKind
    page: int


class OpenCb(CallbackData, prefix="v1x"):
    """Open one ticket of a list: its card with the buttons for the list's role."""

    kind: ListKind
    number: str


class ReportInCb(CallbackData, prefix="v1w"):
    """报到 of a unit summoned by a whistle (吹哨报到), from the summons or its reminder."""

    number: str


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
