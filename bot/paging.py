"""Long lists in a chat: one message per page with a button per ticket and ‹ › to turn pages,
instead of a card per ticket or a wall of text."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

PAGE_SIZE = 8


@dataclass(frozen=True)
class Window:
    page: int
    pages: int
    offset: int
    size: int = PAGE_SIZE


def window(page: int, total: int, size: int = PAGE_SIZE) -> Window:
    """The page asked for, kept within the list (it may have shrunk since the button was sent)."""
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    return Window(page=page, pages=pages, offset=page * size, size=size)


async def show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """A new list answers the command; turning a page edits the list in place."""
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
        return
    await event.answer()
    if not isinstance(event.message, Message):
        return
    try:
        await event.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        # The same page again (a double tap, a list that shrank to this page): nothing to change.
        if "not modified" not in str(error):
            raise
