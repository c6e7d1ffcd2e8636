"""The HTTP session the bot talks to the Bot API with: JSON bodies instead of form data.

The Bot API accepts `application/json` for every method that uploads no file. aiogram's
AiohttpSession always sends form data, which percent-encodes every byte of a Chinese
answer (three bytes per character, three characters per byte) and JSON-encodes the
keyboard on top; for the bot's long knowledge-base answers that was the largest part of
sending a message. A method carrying a file still goes as multipart form data. Only the
body changes: aiogram's own `make_request` (timeouts, network errors, the response
check) sends it.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile
from aiohttp import BytesPayload, FormData


class JsonSession(AiohttpSession):
    def build_form_data(self, bot: Bot, method: TelegramMethod[Any]) -> FormData | BytesPayload:  # type: ignore[override]
        """The request body: JSON, or aiogram's multipart form when the method uploads a file."""
        files: dict[str, InputFile] = {}
        params = self.prepare_value(
            method.model_dump(warnings=False), bot=bot, files=files, _dumps_json=False
        )
        if files:
            return super().build_form_data(bot, method)
        # As in the form, unset parameters (None, already dropped) and empty strings are not sent.
        body = {key: value for key, value in params.items() if value != ""}
        return BytesPayload(self.json_dumps(body).encode(), content_type="application/json")
