"""The bot while questions are being encoded: KB latency at 10 distinct questions/s, and
commands' throughput against the bare echo bot under the same background questions.

    .venv/bin/python bench/kb_bot_encoder_bench.py [--questions 300] [--commands 1000]

Two child processes (bench/bot_bench.py's bare aiogram echo bot and the real hotline bot,
whose KB now runs with the encoder), one fake Telegram server here, 127.0.0.1 only,
bounded by the counts. Every question is distinct (a numbered variant of a labelled
query), so each one is encoded: no memo helps. Phase 1: questions alone at --rate/s,
end-to-end latency (update posted -> sendMessage received). Phase 2, per bot: `/start`
commands in a closed loop (--concurrency senders) while the same stream of distinct
questions goes on in the background; the ratio of the two bots' command throughput shows
whether the event loop stays free while the encoder works in a thread.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bot_bench import SECRET, free_port, queries, run_echo, run_hotline, start_bot
from tests.bot import fake_telegram as tg
from tests.bot.fake_telegram import Call, FakeTelegram


class Watch:
    """Arrival time of the first sendMessage per chat."""

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.got: dict[int, float] = {}

    def on_call(self, call: Call) -> None:
        chat = call.chat_id
        if call.method == "sendMessage" and chat is not None and chat in self.sent and chat not in self.got:
            self.got[chat] = call.at


async def post(
    http: aiohttp.ClientSession, url: str, watch: Watch, update_id: int, chat: int, text: str
) -> None:
    watch.sent[chat] = time.monotonic()
    async with http.post(url, json=tg.message(update_id, chat, text),
                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        await response.read()


async def question_stream(http: aiohttp.ClientSession, url: str, watch: Watch, texts: list[str], rate: float,
                          first: int, stop: asyncio.Event | None = None) -> list[int]:
    chats, tasks = [], []
    started = time.monotonic()
    for i, text in enumerate(texts):
        if stop is not None and stop.is_set():
            break
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        chat = 20_000_000 + first + i
        chats.append(chat)
        tasks.append(asyncio.create_task(post(http, url, watch, first + i, chat, text)))
    await asyncio.gather(*tasks)
    return chats


async def wait_for(watch: Watch, chats: list[int]) -> None:
    """Until every chat got its reply, at most a minute (a lost reply shows as missing)."""
    deadline = time.monotonic() + 60
    pending = [c for c in chats if c not in watch.got]
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        pending = [c for c in pending if c not in watch.got]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def commands(http: aiohttp.ClientSession, url: str, watch: Watch, n: int, first: int,
                   concurrency: int) -> float:
    ids = iter(range(first, first + n))
    chats = [30_000_000 + i for i in range(first, first + n)]

    async def worker() -> None:
        for update_id in ids:
            await post(http, url, watch, update_id, 30_000_000 + update_id, "/start")

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await wait_for(watch, chats)
    return n / (time.monotonic() - started)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    base = [q for q in queries() if len(q) > 3]
    distinct = [f"{base[i % len(base)]}，第{i}次问" for i in range(100_000)]

    fake = FakeTelegram()
    watch = Watch()
    fake.record = False
    fake.on_call = watch.on_call
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    api_base = f"http://127.0.0.1:{fake_port}"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("HOTLINE_KB_VECTORS", os.path.join(tmp, "kb_vectors.npz"))
        started = [
            start_bot("echo", run_echo, (api_base,), fake, base),
            start_bot("kb", run_hotline, (api_base, os.path.join(tmp, "hot.db"), True), fake, base),
        ]
        fake.on_call = watch.on_call  # start_bot's drivers took it; this bench watches itself
        for contender, ready in started:
            if not await asyncio.to_thread(ready.wait, 300):
                raise RuntimeError(f"{contender.name} did not start")
        echo, hot = (c for c, _ in started)
        results: dict[str, Any] = {"latency": [], "echo": [], "kb": []}
        next_id, q_next = 1, 0
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=128)) as http:
                await commands(http, echo.driver.url, watch, 100, next_id, opts.concurrency)
                await commands(http, hot.driver.url, watch, 100, next_id + 100, opts.concurrency)
                next_id += 200
                for _ in range(opts.rounds):
                    texts = distinct[q_next : q_next + opts.questions]
                    q_next += opts.questions
                    chats = await question_stream(http, hot.driver.url, watch, texts, opts.rate, next_id)
                    next_id += len(texts)
                    await wait_for(watch, chats)
                    results["latency"].append(
                        [1000 * (watch.got[c] - watch.sent[c]) for c in chats if c in watch.got]
                    )
                    for name, bot in (("echo", echo), ("kb", hot)):
                        stop = asyncio.Event()
                        background = asyncio.create_task(
                            question_stream(
                                http,
                                bot.driver.url,
                                watch,
                                distinct[q_next : q_next + 10_000],
                                opts.rate,
                                next_id,
                                stop,
                            )
                        )
                        q_next += 10_000
                        next_id += 10_000
                        await asyncio.sleep(1.0)  # the background stream is running
                        results[name].append(
                            await commands(
                                http, bot.driver.url, watch, opts.commands, next_id, opts.concurrency
                            )
                        )
                        next_id += opts.commands
                        stop.set()
                        await background
        finally:
            for bot in (echo, hot):
                bot.process.terminate()
                bot.process.join(10)
    await runner.cleanup()

    latencies = [x for run in results["latency"] for x in run]
    print(f"load average {os.getloadavg()[0]:.2f}; {opts.rounds} rounds; {os.cpu_count()} cores")
    print(f"KB path, {opts.rate:.0f} distinct questions/s (each encoded): p50 {pct(latencies, 0.5):.0f} ms, "
          f"p99 {pct(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms over {len(latencies)} "
          f"(target p99 <= 300 ms); per round p99 "
          + ", ".join(f"{pct(r, 0.99):.0f}" for r in results["latency"]))
    ratios = [k / e for k, e in zip(results["kb"], results["echo"], strict=True)]
    print("/start throughput with questions encoded in the background: echo "
          + ", ".join(f"{x:.0f}" for x in results["echo"]) + " /s; hotline "
          + ", ".join(f"{x:.0f}" for x in results["kb"])
          + f" /s; ratio median {statistics.median(ratios):.3f} (target >= 0.8)")


if __name__ == "__main__":
    asyncio.run(main())
