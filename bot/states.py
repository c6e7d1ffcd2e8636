"""FSM states of the multi-step conversations."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class FileRequest(StatesGroup):
    content = State()
    place = State()
    phone = State()
    confirm = State()


class StatusCheck(StatesGroup):
    number = State()
    phone_digits = State()


class ReturnRequest(StatesGroup):
    reason = State()
    unit = State()


class ExtensionRequest(StatesGroup):
    reason = State()
    days = State()


class ReplyRequest(StatesGroup):
    field = State()  # one element at a time; data["field"] names it
    confirm = State()


class OfficeRefusal(StatesGroup):
    reason = State()


class OfficeRework(StatesGroup):
    reason = State()
