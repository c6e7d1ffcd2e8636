"""Keyboards. Buttons carry typed callback data (bot/callbacks.py), never raw strings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import texts
from bot.callbacks import (
    CallbackAnswerCb,
    CardAct,
    DecideCb,
    DispatchCb,
    DraftCb,
    KbFeedbackCb,
    KbPickCb,
    ListKind,
    MenuCb,
    OpenCb,
    PageCb,
    ReportInCb,
    ReviewCb,
    ReviewOp,
    TicketCb,
    entry_ref,
)
from tickets import texts as ttexts
from tickets.enums import Action, RequestType, ResultCategory, Satisfaction

BUTTON_TEXT_MAX = 60


def _short(text: str, limit: int = BUTTON_TEXT_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def inline(rows: Iterable[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in rows]
    )


@lru_cache(maxsize=1)
def citizen_menu() -> ReplyKeyboardMarkup:
    a, b, c, d = texts.CITIZEN_MENU
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=a), KeyboardButton(text=b)],
            [KeyboardButton(text=c), KeyboardButton(text=d)],
        ],
        resize_keyboard=True,
    )


@lru_cache(maxsize=4096)  # markups are never mutated after creation; the same few are sent all day
def kb_feedback(entry_id: str) -> InlineKeyboardMarkup:
    ref = entry_ref(entry_id)
    return inline([[(texts.BTN_SOLVED, KbFeedbackCb(entry=ref, solved=True).pack()),
                    (texts.BTN_NOT_SOLVED, KbFeedbackCb(entry=ref, solved=False).pack())]])


def kb_suggestions(choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return _kb_suggestions(tuple(choices))


@lru_cache(maxsize=4096)  # the same 猜你想问 sets come up again and again
def _kb_suggestions(choices: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup:
    rows = [
        [(_short(question), KbPickCb(entry=entry_ref(entry_id)).pack())] for entry_id, question in choices
    ]
    rows.append([(texts.BTN_NONE_OF_THESE, MenuCb(item="file").pack())])
    return inline(rows)


@lru_cache(maxsize=1)
def offer_request() -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_FILE_REQUEST, MenuCb(item="file").pack())]])


def share_contact() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.BTN_SHARE_CONTACT, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def share_location() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.BTN_SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def skip_photo() -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_CANCEL, DraftCb(op="cancel").pack())]])


def draft_summary() -> InlineKeyboardMarkup:
    return inline(
        [
            [(texts.BTN_CONFIRM, DraftCb(op="ok").pack())],
            [
                (texts.BTN_CHANGE_TYPE, DraftCb(op="type").pack()),
                (texts.BTN_CHANGE_CATEGORY, DraftCb(op="cat").pack()),
            ],
            [(texts.BTN_CANCEL, DraftCb(op="cancel").pack())],
        ]
    )


def request_types() -> InlineKeyboardMarkup:
    buttons = [(ttexts.REQUEST_TYPE[RequestType(code)], DraftCb(op="set_type", value=code).pack())
               for code in texts.REQUEST_TYPE_ORDER]
    return inline([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def categories(labels: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [(name, DraftCb(op="set_cat", value=str(i)).pack()) for i, name in enumerate(labels)]
    return inline([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


# Handler card: one button per action the workflow allows now.
CARD_BUTTONS: dict[Action, tuple[str, CardAct]] = {
    Action.ACCEPT: (texts.BTN_ACCEPT, CardAct.ACCEPT),
    Action.FIRST_CONTACT: (texts.BTN_CONTACTED, CardAct.CONTACTED),
    Action.REQUEST_RETURN: (texts.BTN_RETURN, CardAct.RETURN),
    Action.REQUEST_EXTENSION: (texts.BTN_EXTEND, CardAct.EXTEND),
    Action.REPLY: (texts.BTN_REPLY, CardAct.REPLY),
}


def ticket_card(number: str, actions: Sequence[Action]) -> InlineKeyboardMarkup | None:
    buttons = [(CARD_BUTTONS[a][0], TicketCb(act=CARD_BUTTONS[a][1], number=number).pack())
               for a in CARD_BUTTONS if a in actions]
    if not buttons:
        return None
    return inline([buttons[:2], buttons[2:]] if len(buttons) > 2 else [buttons])


def contact_result(number: str) -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_REACHED, TicketCb(act=CardAct.REACHED, number=number).pack()),
                    (texts.BTN_UNREACHED, TicketCb(act=CardAct.UNREACHED, number=number).pack())]])


def results(number: str) -> InlineKeyboardMarkup:
    buttons = [
        (ttexts.RESULT[r], TicketCb(act=CardAct.RESULT, number=number, arg=r.value).pack())
        for r in ResultCategory
    ]
    return inline([buttons[:3], buttons[3:]])


def reply_confirm(number: str) -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_REPLY_CONFIRM, TicketCb(act=CardAct.CONFIRM, number=number).pack()),
                    (texts.BTN_REPLY_REDO, TicketCb(act=CardAct.REDO, number=number).pack())]])


def extension_days(number: str, limit: int) -> InlineKeyboardMarkup:
    days = [d for d in (1, 2, 3, 5, 10) if d <= limit]
    return inline([[(str(d), TicketCb(act=CardAct.DAYS, number=number, arg=str(d)).pack()) for d in days]])


def decide(kind: str, number: str) -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_APPROVE, DecideCb(kind=kind, number=number, approve=True).pack()),
                    (texts.BTN_REFUSE, DecideCb(kind=kind, number=number, approve=False).pack())]])


def return_units(number: str, units: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [
        [(name, DecideCb(kind="ret", number=number, approve=True, unit=uid).pack())] for uid, name in units
    ]
    return inline(rows)


def dispatch_units(
    number: str, units: Sequence[tuple[int, str]], *, more: bool = True
) -> InlineKeyboardMarkup:
    rows = [[(name, DispatchCb(number=number, unit=uid).pack())] for uid, name in units]
    if more:
        rows.append([(texts.BTN_OTHER_UNIT, DispatchCb(number=number, unit=0).pack())])
    return inline(rows)


SATISFACTION_CODES: dict[str, Satisfaction] = {
    "a": Satisfaction.SATISFIED,
    "b": Satisfaction.BASICALLY_SATISFIED,
    "c": Satisfaction.AVERAGE,
    "d": Satisfaction.UNSATISFIED,
}
CALLBACK_QUESTIONS = (texts.CB_Q_CONTACTED, texts.CB_Q_ANSWERED, texts.CB_Q_SOLVED, texts.CB_Q_SATISFACTION)


def callback_question(number: str, answers: str) -> InlineKeyboardMarkup:
    if len(answers) < 3:
        return inline([[(texts.BTN_YES, CallbackAnswerCb(number=number, answers=answers + "y").pack()),
                        (texts.BTN_NO, CallbackAnswerCb(number=number, answers=answers + "n").pack())]])
    buttons = [(ttexts.SATISFACTION[s], CallbackAnswerCb(number=number, answers=answers + code).pack())
               for code, s in SATISFACTION_CODES.items()]
    return inline([buttons[:2], buttons[2:]])


def report_in(number: str) -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_REPORT_IN, ReportInCb(number=number).pack())]])


def review(number: str) -> InlineKeyboardMarkup:
    return inline([[(texts.BTN_REVIEW_OK, ReviewCb(op=ReviewOp.APPROVE, number=number).pack()),
                    (texts.BTN_REVIEW_REWORK, ReviewCb(op=ReviewOp.REWORK, number=number).pack())]])


def paged_list(
    kind: ListKind, items: Sequence[tuple[str, str]], *, page: int, pages: int
) -> InlineKeyboardMarkup:
    """One button per ticket of the page (label, number), then ‹ 上一页 / 下一页 › when there are more."""
    rows = [[(_short(label), OpenCb(kind=kind, number=number).pack())] for label, number in items]
    nav = []
    if page > 0:
        nav.append((texts.BTN_PREV_PAGE, PageCb(kind=kind, page=page - 1).pack()))
    if page + 1 < pages:
        nav.append((texts.BTN_NEXT_PAGE, PageCb(kind=kind, page=page + 1).pack()))
    if nav:
        rows.append(nav)
    return inline(rows)
