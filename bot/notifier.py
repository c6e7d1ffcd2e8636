"""The Telegram channel of the outbox: renders a payload, adds the buttons its kind calls
for, and reports failures the way the outbox worker understands (DeliveryError)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardMarkup

from bot import keyboards
from bot.context import log, split_text
from tickets import workflow
from tickets.enums import OutboxChannel, Role, TicketStatus
from tickets.models import Outbox
from tickets.outbox import DeliveryError

# What a handler can do right after each push (the card buttons of that state).
_HANDLER_STATE_AFTER = {
    "ticket_dispatched": TicketStatus.DISPATCHED,
    "recheck": TicketStatus.DISPATCHED,
    "rework": TicketStatus.ACCEPTED,
    "return_refused": TicketStatus.ACCEPTED,
    "extension_approved": TicketStatus.ACCEPTED,
    "extension_refused": TicketStatus.ACCEPTED,
    "urged": TicketStatus.ACCEPTED,
    "supervised": TicketStatus.ACCEPTED,
}


def markup_for(payload: dict) -> InlineKeyboardMarkup | None:
    kind = str(payload.get("kind", ""))
    number = str(payload.get("number", ""))
    if not number:
        return None
    if payload.get("audience") == "citizen":
        if kind == "callback_request":
            return keyboards.callback_question(number, "")
        return None
    if kind in _HANDLER_STATE_AFTER and payload.get("staff_id") is not None:
        actions = workflow.allowed_actions(_HANDLER_STATE_AFTER[kind], Role.HANDLER)
        if kind in ("urged", "supervised"):
            return None  # the state is not known here; /mytickets shows the right buttons
        return keyboards.ticket_card(number, actions)
    if kind == "return_requested":
        return keyboards.decide("ret", number)
    if kind == "extension_requested":
        return keyboards.decide("ext", number)
    if kind == "ticket_new":
        units = [(int(u[0]), str(u[1])) for u in payload.get("units", [])]
        return keyboards.dispatch_units(number, units)
    return None


def text_for(payload: dict) -> str:
    text = str(payload.get("text", "")).strip()
    if payload.get("kind") == "callback_request":
        text = f"{text}\n\n{keyboards.CALLBACK_QUESTIONS[0]}"
    return text


class TelegramNotifier:
    """tickets.outbox.Notifier for OutboxChannel.TELEGRAM."""

    channel = OutboxChannel.TELEGRAM

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: Outbox) -> None:
        try:
            chat_id = int(message.recipient)
        except ValueError as error:
            raise DeliveryError(f"not a Telegram chat id: {message.recipient!r}", permanent=True) from error
        text = text_for(message.payload)
        if not text:
            raise DeliveryError("empty message text", permanent=True)
        markup = markup_for(message.payload)
        chunks = split_text(text)
        try:
            for i, chunk in enumerate(chunks):
                await self.bot.send_message(chat_id, chunk, reply_markup=markup if i == len(chunks) - 1 else None)
        except TelegramRetryAfter as error:
            raise DeliveryError(str(error), retry_after=float(error.retry_after)) from error
        except TelegramForbiddenError as error:
            # Blocked by the user or kicked: retrying will not help until they come back.
            log.info("outbox %s: chat %s blocked the bot", message.dedupe_key, chat_id)
            raise DeliveryError(str(error), permanent=True) from error
        except (TelegramNotFound, TelegramBadRequest) as error:
            # Chat not found, user deactivated, malformed message: the same request fails again.
            raise DeliveryError(str(error), permanent=True) from error
        except TelegramUnauthorizedError as error:
            raise DeliveryError(str(error)) from error  # a token problem: fix it and the retries go out
        except (TelegramNetworkError, TelegramServerError) as error:
            raise DeliveryError(str(error)) from error
