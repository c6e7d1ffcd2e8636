"""Everything else: group chats, staff commands from people without the role, edited
messages, stickers, voice, blocked chats and errors. Polite, logged, never a crash."""

from __future__ import annotations

from aiogram import F
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, ChatMemberUpdated, ErrorEvent, Message

from bot import texts
from bot.commands import HANDLER_ONLY, OFFICE_ONLY
from bot.context import Who, log
from bot.routes import PrivateChat, RouteTable
from tickets.enums import Role

groups = RouteTable("groups")
groups.message.filter(PrivateChat(private=False))
groups.edited_message.filter(PrivateChat(private=False))


@groups.message(F.text.startswith("/"))
async def group_command(message: Message) -> None:
    log.info("command in group chat %s ignored", message.chat.id)
    await message.answer(texts.GROUP_ONLY_PRIVATE)


@groups.message()
@groups.edited_message()
async def group_other(message: Message) -> None:
    # Ordinary group chatter is not for the bot: stay silent rather than spam the group.
    log.debug("group message in chat %s ignored", message.chat.id)


guard = RouteTable("guard")


@guard.message(Command(*HANDLER_ONLY, *OFFICE_ONLY))
async def not_allowed(message: Message, who: Who | None = None) -> None:
    log.info(
        "user %s (role %s) tried a staff command: %s",
        message.from_user.id if message.from_user else None,
        who.role if who else None,
        (message.text or "")[:40],
    )
    if who is not None and who.role is Role.HANDLER:
        await message.answer(texts.NOT_ALLOWED_OFFICE)
    else:
        await message.answer(texts.NOT_ALLOWED_STAFF)


@guard.message(StateFilter(None), F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer(texts.UNKNOWN_COMMAND)


fallback = RouteTable("fallback")


@fallback.edited_message()
async def edited(message: Message) -> None:
    log.info("edited message from chat %s", message.chat.id)
    await message.answer(texts.EDITED_IGNORED)


@fallback.message(F.sticker)
async def sticker(message: Message) -> None:
    await message.answer(texts.STICKER_REPLY)


@fallback.message(F.voice | F.audio | F.video_note)
async def voice(message: Message) -> None:
    await message.answer(texts.VOICE_NOT_SUPPORTED)


@fallback.message(F.photo | F.location | F.contact)
async def photo_outside_flow(message: Message) -> None:
    await message.answer(texts.PHOTO_OUTSIDE_FLOW)


@fallback.message(F.text.startswith("/"))
async def command_in_step(message: Message) -> None:
    # A step of a multi-step input is open (otherwise the knowledge-base router answers).
    await message.answer(texts.STEP_COMMAND)


@fallback.message()
async def other(message: Message) -> None:
    log.info("unsupported %s message from chat %s", message.content_type, message.chat.id)
    await message.answer(texts.UNSUPPORTED_CONTENT)


@fallback.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    log.info("unhandled callback %r from %s", (query.data or "")[:64], query.from_user.id)
    await query.answer(texts.EXPIRED_BUTTON, show_alert=True)


@fallback.my_chat_member()
async def membership(update: ChatMemberUpdated) -> None:
    status = update.new_chat_member.status
    if status in (ChatMemberStatus.KICKED, ChatMemberStatus.LEFT):
        log.info("chat %s blocked or removed the bot", update.chat.id)
    else:
        log.info("chat %s: bot membership is now %s", update.chat.id, status)


errors = RouteTable("errors")


@errors.error()
async def on_error(event: ErrorEvent) -> bool:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    message = event.update.message or (
        event.update.callback_query.message if event.update.callback_query else None
    )
    try:
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(texts.ERROR_GENERIC, show_alert=True)
        elif isinstance(message, Message) and message.chat.type == ChatType.PRIVATE:
            await message.answer(texts.ERROR_GENERIC)
    except Exception:  # the user may have blocked us; the error is already logged
        log.warning("could not tell chat about the failure of update %s", event.update.update_id)
    return True
