"""Webhook throughput and latency: the bot's knowledge-base path against a bare aiogram
echo bot, in one run, on 127.0.0.1 only.

Two processes: this one drives the load and serves the fake Telegram Bot API
(tests/bot/fake_telegram.py); a child process runs the bot under test behind its webhook
(first a bare aiogram echo bot with aiogram's own SimpleRequestHandler, then the real bot:
secret check, durable update-id dedupe in SQLite, DB session + role per update, the
knowledge base, the per-chat send queue). Latency is end to end: from posting the update
to the fake server receiving the bot's sendMessage for that chat.

    .venv/bin/python bench/bot_bench.py            # defaults: 3 rounds x 2000 updates, 500/s
    .venv/bin/python bench/bot_bench.py --updates 1000 --rate 300 --rounds 1

Per round and bot: a closed loop (fixed concurrency, as fast as it goes) for throughput, then
an open loop at --rate updates/s for latency percentiles. The bots take turns in every
round and the medians are printed. Everything is bounded by --updates and --rounds.
The third contender is the KB path with the answer memo disabled (every question matched
afresh), so the memo's share of the result is visible; the fourth is the KB path with magic
filters and States handed to aiogram as written (no `bot.routes.Magic`); `nousage` is the KB
path without counting answers in kb_hit (bot/usage.py), beside `kb`, which counts them as
`serve` does. The CPU time per update of each bot process and of the driver (read from /proc)
is printed too: on a shared machine it is steadier than throughput. `--only echo --only kb`
runs a subset (e.g. under a profiler).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gc
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bot import fake_telegram as tg  # noqa: E402
from tests.bot.fake_telegram import Call, FakeTelegram  # noqa: E402

SECRET = "bench-secret"
NAMES = ("echo (bare aiogram)", "hotline KB path", "KB path, no memo", "KB path, stock filters",
         "KB path, no usage rows")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one when pid is None), from /proc."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kb_hit_rows(db_path: str) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return int(db.execute("SELECT count(*) FROM kb_hit").fetchone()[0])


def queries() -> list[str]:
    with (ROOT / "tests" / "data" / "kb_queries.csv").open(encoding="utf-8") as f:
        return [row["query"] for row in csv.DictReader(f) if row["query"].strip()]


# --- the bots under test (child process) ------------------------------------------------------


def run_echo(port: int, api_base: str, ready: Any) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    async def main() -> None:
        bot = Bot(tg.TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
        dp = Dispatcher()

        @dp.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "")

        app = web.Application()
        SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=SECRET,
                             handle_in_background=False).register(app, path="/telegram/webhook")
        await serve(app, port, ready)

    asyncio.run(main())


def run_hotline(port: int, api_base: str, ready: Any, db_path: str, memo: bool, stock: bool = False,
                usage: bool = True) -> None:
    from aiogram.fsm.storage.memory import MemoryStorage

    from bot import routes

    # stock: magic filters and bare States as aiogram runs them (bot/README.md, issue 14).
    routes.INLINE_FILTERS = not stock

    from bot.answers import AnswerMemo
    from bot.feedback import StoredFeedback
    from bot.runtime import add_webhook_route, make_bot, make_dispatcher
    from bot.sender import SendLimits
    from bot.usage import UsageBuffer
    from knowledge_base import segment
    from knowledge_base import service as kb_service
    from knowledge_base.config import vector_path
    from knowledge_base.encoder import load_encoder
    from knowledge_base.files import default_records
    from tests.conftest import build_org
    from tickets.context import load_rules
    from tickets.db import create_engine, session_factory, upgrade_database

    async def main() -> None:
        url = f"sqlite:///{db_path}"
        await asyncio.to_thread(upgrade_database, url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        rules = load_rules()
        async with sessions() as session:
            await build_org(session)
            await kb_service.upsert_entries(
                session, records=default_records(), actor="bench", clock=rules.clock
            )
            await session.commit()
        segment.load()
        async with sessions() as session:
            # With the encoder when it is installed, as `serve` runs it (vectors stored once).
            kb = await kb_service.load_knowledge_base(
                session, encoder=load_encoder(), vector_path=vector_path()
            )
        # Telegram's global 30 msg/s cap is the real API's quota, not our code: the fake
        # server has none, and the echo bot has none either.
        bot = make_bot(tg.TOKEN, api_base=api_base, limits=SendLimits(global_rate=None))
        dp = make_dispatcher(kb=lambda: kb, sessions=sessions, rules=rules, storage=MemoryStorage(),
                             kb_feedback=StoredFeedback(rules.clock))
        if not memo:
            dp["answers"] = AnswerMemo(max_size=0)  # every question matched afresh
        if usage:
            # Answers counted in kb_hit as `serve` does (TelegramRuntime.start): batched writes.
            dp["kb_usage"] = writer = UsageBuffer(sessions, rules.clock)
            writer.start()
        app = web.Application()
        add_webhook_route(app, bot=bot, dispatcher=dp, secret=SECRET)
        await serve(app, port, ready)

    asyncio.run(main())


async def serve(app: web.Application, port: int, ready: Any) -> None:
    # Both bots alike: start-up objects (jieba's dictionary, the KB index) leave the GC's view.
    gc.collect()
    gc.freeze()
    if os.environ.get("BOT_BENCH_PROFILE"):  # developer aid: where the bot process spends its time
        import cProfile
        import signal

        profile = cProfile.Profile()
        profile.enable()

        def dump(*_: Any) -> None:
            profile.disable()
            profile.dump_stats(f"{os.environ['BOT_BENCH_PROFILE']}.{os.getpid()}")
            os._exit(0)

        signal.signal(signal.SIGTERM, dump)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    ready.set()
    await asyncio.Event().wait()  # until the driver terminates this process


# --- the driver (this process) -------------------------------------------------------------------


class Driver:
    def __init__(self, fake: FakeTelegram, url: str, texts: list[str]) -> None:
        self.fake, self.url, self.texts = fake, url, texts
        self.sent_at: dict[int, float] = {}
        self.latency: dict[int, float] = {}
        self.errors = 0
        self.done = asyncio.Event()
        self.expected = 0
        fake.record = False
        fake.on_call = self.on_call

    def on_call(self, call: Call) -> None:
        if call.method != "sendMessage" or call.chat_id is None:
            return
        chat = call.chat_id
        if chat in self.sent_at and chat not in self.latency:
            self.latency[chat] = call.at - self.sent_at[chat]
            if len(self.latency) >= self.expected:
                self.done.set()

    async def post(self, http: aiohttp.ClientSession, update_id: int, chat: int) -> None:
        update = tg.message(update_id, chat, self.texts[update_id % len(self.texts)])
        self.sent_at[chat] = time.monotonic()
        try:
            async with http.post(self.url, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                await response.read()
                if response.status != 200:
                    self.errors += 1
        except aiohttp.ClientError:
            self.errors += 1

    def reset(self, expected: int) -> None:
        self.fake.on_call = self.on_call  # one fake server; the bot on turn listens to it
        self.sent_at.clear()
        self.latency.clear()
        self.expected = expected
        self.done = asyncio.Event()

    async def closed_loop(
        self, http: aiohttp.ClientSession, n: int, first_id: int, concurrency: int
    ) -> float:
        self.reset(n)
        ids = iter(range(first_id, first_id + n))

        async def worker() -> None:
            for update_id in ids:
                await self.post(http, update_id, 10_000_000 + update_id)

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await asyncio.wait_for(self.done.wait(), timeout=60)
        return n / (time.monotonic() - started)

    async def open_loop(
        self, http: aiohttp.ClientSession, n: int, first_id: int, rate: float
    ) -> dict[str, float]:
        self.reset(n)
        tasks: list[asyncio.Task[None]] = []
        started = time.monotonic()
        for i in range(n):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            update_id = first_id + i
            tasks.append(asyncio.create_task(self.post(http, update_id, 10_000_000 + update_id)))
        await asyncio.gather(*tasks)
        await asyncio.wait_for(self.done.wait(), timeout=60)
        elapsed = time.monotonic() - started
        values = sorted(self.latency.values())
        return {
            "offered": rate,
            "achieved": n / elapsed,
            "p50_ms": 1000 * values[len(values) // 2],
            "p99_ms": 1000 * values[min(len(values) - 1, int(len(values) * 0.99))],
            "max_ms": 1000 * values[-1],
            "mean_ms": 1000 * statistics.fmean(values),
        }


@dataclass
class Contender:
    name: str
    process: Any
    driver: Driver
    throughput: list[float] = field(default_factory=list)
    latency: list[dict[str, float]] = field(default_factory=list)
    bot_cpu_ms: list[float] = field(default_factory=list)  # bot process CPU per update, closed loop
    driver_cpu_ms: list[float] = field(default_factory=list)  # driver + fake server CPU per update

    async def measure_throughput(self, http: aiohttp.ClientSession, n: int, first_id: int,
                                 concurrency: int) -> None:
        bot_before, driver_before = cpu_seconds(self.process.pid), cpu_seconds()
        self.throughput.append(await self.driver.closed_loop(http, n, first_id, concurrency))
        self.bot_cpu_ms.append(1000 * (cpu_seconds(self.process.pid) - bot_before) / n)
        self.driver_cpu_ms.append(1000 * (cpu_seconds() - driver_before) / n)


def start_bot(name: str, target: Any, args: tuple[Any, ...], fake: FakeTelegram, texts: list[str]) -> tuple[
        Contender, Any]:
    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=target, args=(port, args[0], ready, *args[1:]), daemon=True)
    process.start()
    return Contender(name, process, Driver(fake, f"http://127.0.0.1:{port}/telegram/webhook", texts)), ready


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=2000, help="updates per phase (bounded run)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the bots take turns in each")
    parser.add_argument("--rate", type=float, default=500.0, help="open-loop rate, updates/s")
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop concurrent senders")
    parser.add_argument("--only", choices=["echo", "kb", "cold", "stock", "nousage"], action="append",
                        help="run only these bots (for profiling one; the ratio needs echo and kb)")
    opts = parser.parse_args()
    opts.updates = max(100, min(opts.updates, 20_000))
    opts.rounds = max(1, min(opts.rounds, 10))

    fake = FakeTelegram()
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    api_base = f"http://127.0.0.1:{fake_port}"
    texts = queries()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        plans = {
            "echo": (NAMES[0], run_echo, (api_base,)),
            "kb": (NAMES[1], run_hotline, (api_base, os.path.join(tmp, "hot.db"), True)),
            "cold": (NAMES[2], run_hotline, (api_base, os.path.join(tmp, "cold.db"), False)),
            "stock": (NAMES[3], run_hotline, (api_base, os.path.join(tmp, "stock.db"), True, True)),
            "nousage": (NAMES[4], run_hotline,
                        (api_base, os.path.join(tmp, "nousage.db"), True, False, False)),
        }
        started = [start_bot(name, target, args, fake, texts) for key, (name, target, args) in plans.items()
                   if key in set(opts.only or plans)]
        bots = [c for c, _ in started]
        try:
            for contender, ready in started:
                if not await asyncio.to_thread(ready.wait, 180):
                    raise RuntimeError(f"{contender.name} did not start")
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as http:
                next_id = 1
                for bot in bots:  # warm-up
                    await bot.driver.closed_loop(http, 200, next_id, opts.concurrency)
                    next_id += 200
                # Turns, not one bot after the other: a neighbour's load on the shared machine
                # then hits every bot alike, and the median of the rounds is reported.
                for _ in range(opts.rounds):
                    for bot in bots:
                        await bot.measure_throughput(http, opts.updates, next_id, opts.concurrency)
                        next_id += opts.updates
                    for bot in bots:
                        bot.latency.append(await bot.driver.open_loop(http, opts.updates, next_id, opts.rate))
                        next_id += opts.updates
        finally:
            for bot in bots:
                bot.process.terminate()
                bot.process.join(10)
        # Terminated like a kill: the last interval's counts are not in (bot/usage.py).
        hits = {name: kb_hit_rows(args[1]) for key, (name, _, args) in plans.items()
                if key != "echo" and key in set(opts.only or plans)}
    await runner.cleanup()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(f"cpu cores: {os.cpu_count()}, load average before: {load_before[0]:.2f}, after: "
          f"{os.getloadavg()[0]:.2f}; {opts.rounds} rounds x {opts.updates} updates per phase; "
          f"closed loop with {opts.concurrency} senders; open loop at {opts.rate:.0f}/s")
    print(
        f"{'bot (median of rounds)':24} {'upd/s':>8} {'achieved':>9} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'errors':>6}  throughput per round"
    )
    for bot in bots:
        lat = bot.latency
        print(f"{bot.name:24} {med(bot.throughput):8.1f} {med([x['achieved'] for x in lat]):9.1f} "
              f"{med([x['p50_ms'] for x in lat]):8.2f} {med([x['p99_ms'] for x in lat]):8.2f} "
              f"{med([x['max_ms'] for x in lat]):8.2f} {bot.driver.errors:6d}  "
              + " ".join(f"{t:.0f}" for t in bot.throughput))
    by_key = {c.name: c for c in bots}
    echo, hot, cold, stock, plain = (by_key.get(name) for name in NAMES)
    if echo is not None and hot is not None:
        ratios = [h / e for h, e in zip(hot.throughput, echo.throughput, strict=True)]
        print(f"throughput ratio KB/echo: median {med(ratios):.3f} per round "
              f"[{', '.join(f'{r:.3f}' for r in ratios)}] (target >= 0.8)")
    if hot is not None:
        p99s = [x["p99_ms"] for x in hot.latency]
        print(f"KB p99 at {opts.rate:.0f}/s: median {med(p99s):.2f} ms per round "
              f"[{', '.join(f'{p:.1f}' for p in p99s)}] (target <= 50)")
    if echo is not None and cold is not None:
        cold_ratios = [c / e for c, e in zip(cold.throughput, echo.throughput, strict=True)]
        print(f"without the answer memo (every question matched afresh): ratio {med(cold_ratios):.3f}, "
              f"p99 {med([x['p99_ms'] for x in cold.latency]):.2f} ms")
    if hot is not None and plain is not None:
        usage_ratios = [h / p for h, p in zip(hot.throughput, plain.throughput, strict=True)]
        print(f"counting answers in kb_hit (bot/usage.py): KB path / no usage rows {med(usage_ratios):.3f} "
              f"per round [{', '.join(f'{r:.3f}' for r in usage_ratios)}]")
    if echo is not None and stock is not None:
        stock_ratios = [s / e for s, e in zip(stock.throughput, echo.throughput, strict=True)]
        print(f"with aiogram's stock filter handling (no Magic): ratio {med(stock_ratios):.3f} per round "
              f"[{', '.join(f'{r:.3f}' for r in stock_ratios)}], "
              f"p99 {med([x['p99_ms'] for x in stock.latency]):.2f} ms")
    for bot in bots:
        print(f"{bot.name:24} CPU per update in the closed loop: bot process {med(bot.bot_cpu_ms):.3f} ms, "
              f"driver + fake server {med(bot.driver_cpu_ms):.3f} ms")
    for name, rows in hits.items():
        print(f"{name:24} kb_hit rows written: {rows} (the last interval's are lost at terminate)")
    print(f"{len(texts)} distinct questions from tests/data/kb_queries.csv, cycled")


if __name__ == "__main__":
    asyncio.run(main())
