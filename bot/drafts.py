"""Drafts survive a command: a command or menu button in the middle of a multi-step input
(filing a request, a handler's 退单 / 延期 / 办结回复, the office's reasons) is answered, and
then the person is put back at the step they were at, told so, instead of losing the draft
and having their next answer taken for something else."""

from __future__ import annotations

from typing import Any, TypeGuard

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message, ReplyKeyboardMarkup

from bot import keyboards, texts
from bot.context import NextHandler
from bot.states import ExtensionRequest, FileRequest, OfficeRefusal, OfficeRework, ReplyRequest, ReturnRequest

# What the person is doing, per group of states ({number}: the ticket's number).
_DOING: dict[str, str] = {
    FileRequest.__full_group_name__: texts.DRAFT_DOING_FILE,
    ReturnRequest.__full_group_name__: texts.DRAFT_DOING_RETURN,
    ExtensionRequest.__full_group_name__: texts.DRAFT_DOING_EXTENSION,
    ReplyRequest.__full_group_name__: texts.DRAFT_DOING_REPLY,
    OfficeRefusal.__full_group_name__: texts.DRAFT_DOING_REFUSAL,
    OfficeRework.__full_group_name__: texts.DRAFT_DOING_REWORK,
}


def _state(state: State) -> str:
    assert state.state is not None
    return state.state


# The step to continue with; the reply steps name their element ({field}).
_STEP: dict[str, str] = {
    _state(FileRequest.content): texts.STEP_CONTENT,
    _state(FileRequest.place): texts.STEP_PLACE,
    _state(FileRequest.phone): texts.STEP_PHONE,
    _state(FileRequest.confirm): texts.STEP_CONFIRM,
    _state(ReturnRequest.reason): texts.STEP_RETURN_REASON,
    _state(ReturnRequest.unit): texts.STEP_RETURN_UNIT,
    _state(ExtensionRequest.reason): texts.STEP_EXTENSION_REASON,
    _state(ExtensionRequest.days): texts.STEP_EXTENSION_DAYS,
    _state(ReplyRequest.field): texts.STEP_REPLY_FIELD,
    _state(ReplyRequest.confirm): texts.STEP_CONFIRM,
    _state(OfficeRefusal.reason): texts.STEP_REASON,
    _state(OfficeRework.reason): texts.STEP_REASON,
}
# Menu buttons that would start another input: while a draft is open they only get the note.
_STARTS_INPUT = frozenset({texts.BTN_ASK, texts.BTN_FILE, texts.BTN_STATUS})
# What ends the draft on purpose.
_LEAVES = frozenset({"/cancel", texts.BTN_CANCEL, "/bind"})


def is_draft(state: str | None) -> TypeGuard[str]:
    return state in _STEP


def note(state: str, data: dict[str, Any]) -> tuple[str, ReplyKeyboardMarkup | None]:
    """"您正在…，已保存草稿，继续请…，放弃请 /cancel", with the step's own keyboard if it has one."""
    group = state.split(":", 1)[0]
    number = str(data.get("number", ""))
    step = _STEP[state].format(field=str(data.get("field_label", "")))
    markup = {_state(FileRequest.place): keyboards.share_location(),
              _state(FileRequest.phone): keyboards.share_contact()}.get(state)
    return texts.DRAFT_KEPT.format(doing=_DOING[group].format(number=number), step=step), markup


class DraftKeeper(BaseMiddleware):
    """Message middleware of the private router (runs before any of its handlers)."""

    async def __call__(self, handler: NextHandler, event: Any, data: dict[str, Any]) -> Any:
        text = event.text if isinstance(event, Message) else None
        # Cheap test first: nearly every message is free text, which this never concerns.
        if not text or not (text[0] == "/" or text in texts.MENU_BUTTONS):
            return await handler(event, data)
        state: FSMContext | None = data.get("state")
        current = await state.get_state() if state is not None else None
        if state is None or not is_draft(current) or text.split()[0].split("@")[0] in _LEAVES:
            return await handler(event, data)
        saved = await state.get_data()
        result = None if text in _STARTS_INPUT else await handler(event, data)
        await state.set_state(current)
        await state.set_data(saved)
        message, markup = note(current, saved)
        await event.answer(message, reply_markup=markup)
        return result
