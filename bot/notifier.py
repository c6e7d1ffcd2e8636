"""The Telegram channel of the outbox: renders a payload, adds the buttons its kind
(tickets.messaging.MessageKind) calls for, and reports failures the way the outbox worker
understands (DeliveryError)."""

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
from sqlmodel import select

from bot import keyboards
from bot.context import KbProvider, log, split_text
from bot.routing import new_ticket_card
from tickets import workflow
from tickets.db import SessionFactory
from tickets.enums import Action, OutboxChannel, Role
from tickets.messaging import HANDLER_CARD_STATE, MessageKind
from tickets.models import Outbox, Ticket
from tickets.outbox import DeliveryError


def _kind(payload: dict) -> MessageKind | None:
    try:
        return MessageKind(str(payload.get("kind", "")))
    except ValueError:
        return None


def markup_for(payload: dict) -> InlineKeyboardMarkup | None:
    kind = _kind(payload)
    number = str(payload.get("number", ""))
    if not number:
        return None
    match kind:
        case MessageKind.CALLBACK_REQUEST:
            return keyboards.callback_question(number, "")
        case MessageKind.RETURN_REQUESTED:
            return keyboards.decide("ret", number)
        case MessageKind.EXTENSION_REQUESTED:
            return keyboards.decide("ext", number)
        case MessageKind.TICKET_NEW:
            return keyboards.dispatch_units(number, [])
        case MessageKind.TICKET_REPLIED:
            return keyboards.review(number)
        case MessageKind.WHISTLE_SUMMONS | MessageKind.WHISTLE_REMINDER:
            return keyboards.report_in(number)
        case _ if kind in HANDLER_CARD_STATE and payload.get("staff_id") is not None:
            return keyboards.ticket_card(number, _card_actions(payload, kind))
    return None


def _card_actions(payload: dict, kind: MessageKind) -> list[Action]:
    """The actions the core found possible when it wrote the push; older rows without them
    fall back to what the state allows."""
    listed = payload.get("actions")
    if isinstance(listed, list):
        return [Action(a) for a in listed if a in Action.__members__.values()]
    return workflow.allowed_actions(HANDLER_CARD_STATE[kind], Role.HANDLER)


def text_for(payload: dict) -> str:
    text = str(payload.get("text", "")).strip()
    if _kind(payload) is MessageKind.CALLBACK_REQUEST:
        text = f"{text}\n\n{keyboards.CALLBACK_QUESTIONS[0]}"
    return text


class TelegramNotifier:
    """tickets.outbox.Notifier for OutboxChannel.TELEGRAM."""

    channel = OutboxChannel.TELEGRAM

    def __init__(
        self, bot: Bot, *, sessions: SessionFactory | None = None, kb: KbProvider | None = None
    ) -> None:
        self.bot = bot
        # For the office's 新工单 card: the suggested units are the bot's, from the ticket and
        # the knowledge base at sending time. Without them the card offers every unit.
        self.sessions = sessions
        self.kb = kb

    async def render(self, payload: dict) -> tuple[str, InlineKeyboardMarkup | None]:
        if _kind(payload) is MessageKind.TICKET_NEW and self.sessions is not None:
            async with self.sessions() as session:
                ticket = (
                    await session.exec(select(Ticket).where(Ticket.number == str(payload.get("number"))))
                ).first()
                if ticket is not None:
                    return await new_ticket_card(session, kb=self.kb() if self.kb else None, ticket=ticket)
        return text_for(payload), markup_for(payload)

    async def send(self, message: Outbox) -> None:
        try:
            chat_id = int(message.recipient)
        except ValueError as error:
            raise DeliveryError(f"not a Telegram chat id: {message.recipient!r}", permanent=True) from error
        text, markup = await self.render(message.payload)
        if not text:
            raise DeliveryError("empty message text", permanent=True)
        chunks = split_text(text)
        try:
            for i, chunk in enumerate(chunks):
                await self.bot.send_message(
                    chat_id, chunk, reply_markup=markup if i == len(chunks) - 1 else None
                )
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
