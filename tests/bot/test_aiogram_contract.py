"""The aiogram internals the bot relies on, checked against the installed aiogram: each
test fails when an upgrade changes what an override or a workaround assumes, so that the
override is revisited instead of silently misbehaving (see bot/README.md, "Overrides")."""

from __future__ import annotations

import inspect

from aiogram import F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.dispatcher.event.handler import CallableObject, FilterObject

from bot.routes import Magic, inline
from bot.transport import JsonSession


def test_json_session_overrides_the_body_builder_aiogram_still_calls() -> None:
    # bot.transport.JsonSession replaces build_form_data(bot, method) and reuses prepare_value
    # with _dumps_json=False; aiogram's make_request must still build its body through it.
    assert list(inspect.signature(AiohttpSession.build_form_data).parameters) == ["self", "bot", "method"]
    assert "_dumps_json" in inspect.signature(AiohttpSession.prepare_value).parameters
    assert "self.build_form_data(" in inspect.getsource(AiohttpSession.make_request)
    assert JsonSession.make_request is AiohttpSession.make_request  # the request itself stays aiogram's


def test_synchronous_filters_still_go_through_a_thread_which_is_why_magic_exists() -> None:
    # bot.routes.Magic wraps magic filters in an async filter because aiogram runs every
    # synchronous callable through asyncio.to_thread. If aiogram stops doing that, Magic can go.
    assert "to_thread" in inspect.getsource(CallableObject.call)
    assert FilterObject(callback=F.text == "x").awaitable is False
    wrapped = inline((F.text == "x",))[0]
    assert isinstance(wrapped, Magic) and FilterObject(callback=wrapped).awaitable is True
