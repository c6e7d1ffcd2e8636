"""A fake Telegram Bot API server (aiohttp, 127.0.0.1) for tests and benchmarks.

A real aiogram `Bot` talks HTTP to it. It records every method call with its decoded
parameters, answers like the real server (messages with ids, True for setters), enforces
the limits the real server enforces (4,096-character texts, 64-byte callback data), can be
told to fail (429 with retry_after, 403 for a user who blocked the bot), serves
`getUpdates` from a queue, and pushes updates to a webhook the way Telegram does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT_ID = 424242
TOKEN = f"{BOT_ID}:TEST-token-for-the-fake-server"
JSON_FIELDS = {"reply_markup", "commands", "scope", "allowed_updates", "entities", "reply_parameters",
               "link_preview_options", "media"}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendLocation", "sendDocument", "copyMessage"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    content_type: str = ""  # how the bot sent it: application/json, multipart/form-data, …

    @property
    def text(self) -> str:
        return str(self.params.get("text", self.params.get("caption", "")))

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    def buttons(self) -> list[list[str]]:
        """Button texts, row by row (inline or reply keyboard)."""
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[b["text"] if isinstance(b, dict) else str(b) for b in row] for row in rows]

    def button_data(self, text: str) -> str:
        markup = self.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if button.get("text") == text:
                    return str(button["callback_data"])
        raise KeyError(f"no inline button {text!r} in {self.buttons()}")


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class FakeTelegram:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    rejected: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    failures: dict[str, list[Failure]] = field(default_factory=lambda: defaultdict(list))
    updates: asyncio.Queue[dict[str, Any]] | None = None
    record: bool = True
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    webhook_url: str | None = None
    webhook_secret: str | None = None
    on_call: Any = None  # optional callback(Call) for benchmarks

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        return app

    # --- scripting -------------------------------------------------------------------

    def fail(self, method: str, status: int, description: str, *, retry_after: int | None = None,
             times: int = 1) -> None:
        self.failures[method].extend(Failure(status, description, retry_after) for _ in range(times))

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.text for c in self.sent(chat_id) if c.method in SEND_METHODS | {"editMessageText"}]

    def last(self, chat_id: int | None = None, method: str = "sendMessage") -> Call:
        calls = self.sent(chat_id, method)
        assert calls, f"nothing sent with {method} to {chat_id}"
        return calls[-1]

    def clear(self) -> None:
        self.calls.clear()

    # --- the API --------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            # The same parameters as from a form, so a test reads them alike however sent.
            return {key: self._as_form_value(key, value) for key, value in dict(await request.json()).items()}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, str) and key in JSON_FIELDS:
                params[key] = json.loads(value)
            elif isinstance(value, str):
                params[key] = value
            else:
                params[key] = "<file>"
        return params

    @staticmethod
    def _as_form_value(key: str, value: Any) -> Any:
        if key in JSON_FIELDS or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic(), request.content_type)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        error = self._check(call)
        if error is not None:
            self.rejected.append(call)
            return error
        if self.record:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        return web.json_response({"ok": True, "result": self._result(call)})

    def _error(self, status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _check(self, call: Call) -> web.Response | None:
        if self.failures.get(call.method):
            failure = self.failures[call.method].pop(0)
            return self._error(failure.status, failure.description, failure.retry_after)
        if call.method in SEND_METHODS and call.chat_id in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        if call.method in ("sendMessage", "editMessageText"):
            text = call.params.get("text", "")
            if not text.strip():
                return self._error(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                return self._error(400, "Bad Request: message is too long")
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
        return None

    def _result(self, call: Call) -> Any:
        if call.method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "12345热线", "username": "hotline12345_bot"}
        if call.method in SEND_METHODS or call.method.startswith("edit"):
            chat_id = int(call.params.get("chat_id") or 0)
            message: dict[str, Any] = {
                "message_id": int(call.params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "12345热线"},
            }
            if "text" in call.params:
                message["text"] = call.params["text"]
            if call.params.get("reply_markup", {}).get("inline_keyboard"):
                message["reply_markup"] = call.params["reply_markup"]
            return message
        if call.method == "getWebhookInfo":
            return {"url": self.webhook_url or "", "has_custom_certificate": False, "pending_update_count": 0}
        if call.method == "setWebhook":
            self.webhook_url = call.params.get("url")
            self.webhook_secret = call.params.get("secret_token")
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert self.updates is not None, "call enable_polling() first"
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        offset = int(params.get("offset", 0) or 0)
        result: list[dict[str, Any]] = []
        try:
            first = await asyncio.wait_for(self.updates.get(), timeout=timeout) if timeout else \
                self.updates.get_nowait()
            result.append(first)
        except (TimeoutError, asyncio.QueueEmpty):
            return []
        while not self.updates.empty():
            result.append(self.updates.get_nowait())
        return [u for u in result if u["update_id"] >= offset]

    def enable_polling(self) -> None:
        self.updates = asyncio.Queue()

    async def push(self, session: aiohttp.ClientSession, url: str, update: dict[str, Any],
                   secret: str | None = None) -> aiohttp.ClientResponse:
        """Deliver one update to a webhook, as Telegram does (JSON body, secret header)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with session.post(url, json=update, headers=headers) as response:
            await response.read()
            return response


# --- update builders -----------------------------------------------------------------------

def user(user_id: int, name: str = "市民") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "zh-hans"}


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    body: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind != "private":
        body["title"] = "热线工作群"
    return body


_message_ids = itertools.count(1)


def message(update_id: int, user_id: int, text: str | None = None, *, chat_id: int | None = None,
            chat_type: str = "private", edited: bool = False, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": next(_message_ids), "date": int(time.time()),
                            "chat": chat(chat_id or user_id, chat_type), "from": user(user_id)}
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    body.update(extra)
    if edited:
        body["edit_date"] = int(time.time())
        return {"update_id": update_id, "edited_message": body}
    return {"update_id": update_id, "message": body}


def callback(
    update_id: int, user_id: int, data: str, *, message_id: int = 1, text: str = "…"
) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": f"cq{update_id}", "from": user(user_id), "chat_instance": "ci",
        "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": chat(user_id),
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "12345热线"}, "text": text},
    }}


def blocked(update_id: int, user_id: int) -> dict[str, Any]:
    member = {"user": {"id": BOT_ID, "is_bot": True, "first_name": "12345热线"}}
    return {"update_id": update_id, "my_chat_member": {
        "chat": chat(user_id), "from": user(user_id), "date": int(time.time()),
        "old_chat_member": {**member, "status": "member"},
        "new_chat_member": {**member, "status": "kicked", "until_date": 0},
    }}
