"""The HTTP session the bot talks to the Bot API with: JSON bodies instead of form data.

The Bot API accepts `application/json` for every method that uploads no file. aiogram's
AiohttpSession always sends form data, which percent-encodes every byte of a Chinese
answer (three bytes per character, three characters per byte) and JSON-encodes the
keyboard on top; for the bot's long knowledge-base answers that was the largest part of
sending a message. A method carrying a file still goes as multipart form data.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError

JSON_HEADERS = {"Content-Type": "application/json"}


class JsonSession(AiohttpSession):
    def build_json(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The request body, or None when the method uploads a file (form data then)."""
        files: dict[str, InputFile] = {}
        params = self.prepare_value(method.model_dump(warnings=False), bot=bot, files=files, _dumps_json=False)
        if files:
            return None
        # As in the form, unset parameters (None, already dropped) and empty strings are not sent.
        body = {key: value for key, value in params.items() if value != ""}
        return self.json_dumps(body).encode()

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:  # noqa: ASYNC109 (aiogram signature)
        body = self.build_json(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(url, data=body, headers=JSON_HEADERS,
                                    timeout=self.timeout if timeout is None else timeout) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)

