"""Faults on loopback (127.0.0.1 only, bounded): kill -9 during intake and during outbox
delivery, and intake under a stream of bad requests. Prints, per database:

1. intake — a real `init_app` server process takes tickets from C clients and is killed
   with SIGKILL `--crashes` times mid-load (restarted each time): acknowledged-but-lost =
   tickets answered 201 whose number is not in the database afterwards (must be 0);
2. delivery — `--messages` SMS rows, a worker process (OutboxWorker + SmsNotifier to a fake
   gateway in this process) killed with SIGKILL `--crashes` times mid-delivery, then a last
   worker drains the rest after the lease: lost (never received) and re-delivered messages
   (received more than once), per crash per worker (target ≤ 1);
3. bad requests — intake throughput with C clients on one server, in alternating windows
   clean and with 10 bad requests a second alongside (NUL bytes, 50,000-deep JSON, dates of year 9999, ids
   past
   2^31, text/plain bodies, 300,000-character notes): the ratio (target within 10 %).

    python bench/fault_bench.py --db sqlite
    python bench/fault_bench.py --db postgres --crashes 3 --messages 3000

PostgreSQL: throw-away databases on the local server (HOTLINE_TEST_POSTGRES_URL or
postgresql://postgres@127.0.0.1:5432/test, through tests.conftest), dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select

from integrations.keys import Scope, create_key
from tests.conftest import throwaway_postgres
from tickets.clock import SystemClock
from tickets.context import Rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.enums import OutboxChannel, OutboxStatus, Role, UnitKind
from tickets.models import Outbox, Ticket, Unit
from tickets.outbox import enqueue_many
from wiring import Settings

ROOT = Path(__file__).resolve().parent.parent
TICKET = {"request_type": "complaint", "category": "物业管理", "content": "小区电梯坏了一周，物业一直不修。",
          "place": "幸福小区3号楼", "contact_name": "张三", "contact_phone": "13800138000"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- child processes -------------------------------------------------------------------


def serve(url: str, port: int) -> None:
    from integrations.app import init_app, server_options

    logging.basicConfig(level=logging.ERROR)
    settings = Settings(database_url=url, outbox_enabled=False, scheduler_enabled=False, api_rate_limit=10**9)
    web.run_app(init_app(settings), host="127.0.0.1", port=port, access_log=None, print=None,
                **server_options(settings))


def deliver(url: str, gateway: str) -> None:
    from integrations.notifiers import SmsNotifier
    from integrations.outbox_worker import OutboxWorker, WorkerConfig

    async def main() -> None:
        engine = create_engine(url)
        async with aiohttp.ClientSession() as http:
            notifier = SmsNotifier(
                http, url=gateway, token=None, templates={}, default_template="T1", timeout=30
            )
            worker = OutboxWorker(session_factory(engine), {OutboxChannel.SMS: notifier}, clock=SystemClock(),
                                  config=WorkerConfig(lease=2.0, batch_size=50, poll=0.05))
            await worker.run()

    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main())


def child(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


async def wait_ready(port: int, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not become ready")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


# --- databases ---------------------------------------------------------------------------


@asynccontextmanager
async def fresh_database(db: str, workdir: Path) -> AsyncIterator[str]:
    """A new empty database (a file, or a throw-away PostgreSQL database dropped afterwards)."""
    if db == "sqlite":
        yield f"sqlite:///{workdir / f'fault_{uuid.uuid4().hex[:6]}.db'}"
        return
    with throwaway_postgres("hotline_fault") as url:
        yield url


async def prepare(url: str) -> str:
    """Schema, one unit and a creating key; returns the key."""
    await asyncio.to_thread(upgrade_database, url)
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        session.add(Unit(name="区住建局", kind=UnitKind.DEPARTMENT))
        _, key = await create_key(
            session,
            rules=Rules.from_settings(Settings(database_url=url)),
            name="bench",
            scopes=[Scope.TICKETS_CREATE.value, Scope.TICKETS_READ.value, Scope.TICKETS_ACT.value],
            role=Role.OFFICE,
            unit_id=None,
        )
        await session.commit()
    await engine.dispose()
    return key


# --- 1. intake under kill -9 ---------------------------------------------------------------


async def intake_crashes(
    url: str, key: str, *, crashes: int, concurrency: int, seconds: float
) -> dict[str, int]:
    port = free_port()
    acknowledged: set[str] = set()
    refused = 0
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps(TICKET, ensure_ascii=False).encode()

    async def client(http: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        nonlocal refused
        while not stop.is_set():
            try:
                async with http.post(f"http://127.0.0.1:{port}/api/v1/tickets", data=body,
                                     headers=headers) as response:
                    if response.status == 201:
                        acknowledged.add((await response.json())["number"])
            except (TimeoutError, aiohttp.ClientError):
                refused += 1
                await asyncio.sleep(0.05)

    for _ in range(crashes):
        server = child("--serve", url, str(port))
        await wait_ready(port)
        stop = asyncio.Event()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            clients = [asyncio.create_task(client(http, stop)) for _ in range(concurrency)]
            await asyncio.sleep(seconds)
            kill(server)  # mid-load: requests in flight, batches being written
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*clients)
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        stored = set((await session.exec(select(Ticket.number))).all())
    await engine.dispose()
    return {"acknowledged": len(acknowledged), "stored": len(stored), "lost": len(acknowledged - stored),
            "failed_requests": refused}


# --- 2. delivery under kill -9 -----------------------------------------------------------------


async def delivery_crashes(url: str, *, crashes: int, messages: int) -> dict[str, float]:
    received: Counter[str] = Counter()
    target = [0]
    reached = asyncio.Event()

    async def gateway(request: web.Request) -> web.Response:
        received[request.headers["X-Dedupe-Key"]] += 1
        if sum(received.values()) >= target[0]:
            reached.set()
        await asyncio.sleep(0.002)  # a gateway that takes a moment
        return web.json_response({"code": 0})

    app = web.Application()
    app.router.add_post("/sms", gateway)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    engine = create_engine(url)
    now = SystemClock().now()
    async with session_factory(engine)() as session, session.begin():
        await enqueue_many(session, now=now, messages=[
            {"channel": OutboxChannel.SMS, "recipient": "13800138000", "dedupe_key": f"bench:{i}:sms",
             "payload": {"kind": "ticket_closed", "number": str(i), "text": "您的诉求已办结。"}}
            for i in range(messages)])
    gateway_url = f"http://127.0.0.1:{port}/sms"
    step = messages // (crashes + 1)
    for n in range(1, crashes + 1):
        target[0] = step * n
        reached.clear()
        worker = child("--deliver", url, gateway_url)
        await reached.wait()
        kill(worker)  # mid-delivery: one call at the gateway or just answered
    await asyncio.sleep(2.5)  # the dead workers' leases run out
    worker = child("--deliver", url, gateway_url)
    started = time.monotonic()
    while time.monotonic() - started < 300:
        async with session_factory(engine)() as session:
            left = (await session.exec(select(func.count()).select_from(Outbox)
                                       .where(col(Outbox.status) != OutboxStatus.SENT))).one()
        if left == 0:
            break
        await asyncio.sleep(0.2)
    kill(worker)
    await engine.dispose()
    await runner.cleanup()
    repeats = sum(c - 1 for c in received.values())
    return {"messages": messages, "received_keys": len(received), "lost": messages - len(received),
            "redelivered": repeats, "per_crash_per_worker": repeats / crashes, "unsent_rows": left}


# --- 3. intake with bad requests alongside --------------------------------------------------------


def bad_requests() -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(method, path, body, headers) — what the issue's probe sent."""
    nul = json.dumps({**TICKET, "content": "电梯坏了\u0000请修"}).encode()
    deep = b'{"a": ' * 50_000 + b"1" + b"}" * 50_000
    return [
        ("POST", "/api/v1/tickets", nul, {"Content-Type": "application/json"}),
        ("POST", "/api/v1/tickets", deep, {"Content-Type": "application/json"}),
        ("GET", "/api/v1/tickets?received_from=0001-01-01&received_to=9999-12-31", b"", {}),
        ("GET", "/api/v1/tickets?unit_id=2147483648", b"", {}),
        ("GET", "/open311/v2/requests.json?start_date=0001-01-01T00:00:00Z", b"", {}),
        ("POST", "/api/v1/tickets", json.dumps(TICKET).encode(), {"Content-Type": "text/plain"}),
        ("POST", "/api/v1/tickets/2026010100001/urge", json.dumps({"note": "催" * 300_000}).encode(),
         {"Content-Type": "application/json"}),
        ("GET", "/api/v1/tickets/%00", b"", {}),
    ]


async def intake_rates(url: str, key: str, *, concurrency: int, seconds: float, windows: int,
                       bad_per_second: float) -> dict[str, object]:
    """One server, C clients throughout; windows alternate clean / with bad requests (the
    machine's other load then weighs on both alike). Medians of the windows' rates."""
    port = free_port()
    server = child("--serve", url, str(port))
    await wait_ready(port)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps(TICKET, ensure_ascii=False).encode()
    created = 0
    bad_status: Counter[int] = Counter()
    stop = asyncio.Event()
    hostile_on = asyncio.Event()

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal created
        while not stop.is_set():
            async with http.post(
                f"http://127.0.0.1:{port}/api/v1/tickets", data=body, headers=headers
            ) as response:
                await response.read()
                created += response.status == 201

    async def hostile(http: aiohttp.ClientSession) -> None:
        samples = bad_requests()
        i = 0
        while not stop.is_set():
            await hostile_on.wait()
            method, path, data, extra = samples[i % len(samples)]
            i += 1
            async with http.request(method, f"http://127.0.0.1:{port}{path}", data=data or None,
                                    headers={"Authorization": f"Bearer {key}", **extra}) as response:
                await response.read()
                bad_status[response.status] += 1
            await asyncio.sleep(1 / bad_per_second)

    rates: dict[bool, list[float]] = {False: [], True: []}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            tasks = [asyncio.create_task(client(http)) for _ in range(concurrency)]
            tasks.append(asyncio.create_task(hostile(http)))
            await asyncio.sleep(2.0)  # warm-up
            for window in range(2 * windows):
                bad = window % 2 == 1
                if bad:
                    hostile_on.set()
                else:
                    hostile_on.clear()
                start_count, started = created, time.monotonic()
                await asyncio.sleep(seconds)
                rates[bad].append((created - start_count) / (time.monotonic() - started))
            stop.set()
            hostile_on.set()
            await asyncio.gather(*tasks)
    finally:
        kill(server)
    return {"clean": statistics.median(rates[False]), "bad": statistics.median(rates[True]),
            "bad_answers": dict(sorted(bad_status.items()))}


# --- main --------------------------------------------------------------------------------------------


async def run(db: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(f"== {db} ==")
        async with fresh_database(db, workdir) as url:
            key = await prepare(url)
            result = await intake_crashes(url, key, crashes=args.crashes, concurrency=args.concurrency,
                                          seconds=args.seconds)
        print(
            f"intake, {args.crashes} x kill -9: acknowledged {result['acknowledged']}, stored"
            f" {result['stored']}, acknowledged-but-lost {result['lost']} (failed requests during crashes:"
            f" {result['failed_requests']})"
        )
        async with fresh_database(db, workdir) as url:
            await asyncio.to_thread(upgrade_database, url)
            d = await delivery_crashes(url, crashes=args.crashes, messages=args.messages)
        print(f"delivery, {args.crashes} x kill -9 (1 worker): {d['messages']} messages, lost {d['lost']}, "
              f"re-delivered {d['redelivered']} = {d['per_crash_per_worker']:.2f} per crash per worker, "
              f"rows not sent at the end {d['unsent_rows']}")
        async with fresh_database(db, workdir) as url:
            key = await prepare(url)
            r = await intake_rates(url, key, concurrency=args.concurrency, seconds=args.seconds / 2,
                                   windows=args.windows, bad_per_second=10.0)
        clean, dirty = float(r["clean"]), float(r["bad"])  # type: ignore[arg-type]
        print(
            f"intake {args.concurrency} clients, {args.windows} alternating window pairs of"
            f" {args.seconds / 2:.0f} s: clean {clean:.0f} tickets/s, with 10 bad requests/s {dirty:.0f}"
            f" tickets/s ({(dirty / clean - 1) * 100:+.1f} %, medians); bad requests answered"
            f" {r['bad_answers']}"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--deliver":
        deliver(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--crashes", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--windows", type=int, default=4, help="clean / bad window pairs of the throughput run"
    )
    args = parser.parse_args()
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        asyncio.run(run(db, args))


if __name__ == "__main__":
    main()
