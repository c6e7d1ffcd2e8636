"""Benchmark of the integration layer on loopback (127.0.0.1 only, bounded):

1. ticket creation through POST /api/v1/tickets — the real app factory served by a
   separate process (so server and client each get a core), N requests with C in
   flight; prints tickets/s, p50, p99 and max latency, and the CPU spent per ticket by
   the server process(es), by this client and (PostgreSQL) by the database backends;
2. outbox throughput — the SMS rows those tickets queued, drained by OutboxWorker
   through SmsNotifier to a fake gateway served by aiohttp on 127.0.0.1.

Two intake modes, each on a fresh database (`--mode both`, the default, runs them in turn):
- `single`: one transaction per ticket, one at a time (integrations.batcher with batches of
  one — what POST /api/v1/tickets did before group commit);
- `batch`: group commit, up to 200 tickets per transaction (the default of the app).

    python bench/api_bench.py --db sqlite --requests 3000 --concurrency 32
    python bench/api_bench.py --db postgres --requests 5000 --concurrency 128 --mode batch

Needs no data from /work/shared. PostgreSQL: a throw-away database on the local
server (HOTLINE_TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test), dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from sqlalchemy import func
from sqlalchemy.pool import NullPool
from sqlmodel import select

from integrations.batcher import INTAKE_LIMITS, IntakeLimits
from integrations.keys import Scope, create_key
from integrations.notifiers import SmsNotifier
from integrations.outbox_worker import OutboxWorker, WorkerConfig
from tickets.clock import SystemClock
from tickets.context import Rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.enums import OutboxChannel, OutboxStatus, Role
from tickets.models import Outbox
from wiring import Settings

POSTGRES_ADMIN = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONTENTS = ["小区电梯坏了一周，物业一直不修，老人上下楼很困难。", "路灯不亮，晚上出行不安全，请尽快维修。",
            "楼下烧烤店油烟太大，影响居民正常生活。", "咨询灵活就业人员社保缴费基数怎么确定。"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


MODES = {"single": IntakeLimits(max_batch=1, max_wait=0), "batch": IntakeLimits()}


def serve(url: str, port: int, mode: str) -> None:
    """Child process: the real app factory, no outbox worker, no access log, no rate limit."""
    from integrations.app import init_app

    settings = Settings(database_url=url, outbox_enabled=False, api_rate_limit=10**9)
    app = init_app(settings)
    app[INTAKE_LIMITS] = MODES[mode]
    # The batcher's summary (tickets, batches, largest) is logged when the server stops.
    logging.basicConfig(level=logging.WARNING, format="  server: %(message)s", stream=sys.stdout)
    logging.getLogger("integrations.batcher").setLevel(logging.INFO)
    # reuse_port lets several identical server processes share the port (the scale-out set-up).
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, reuse_port=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc); 0 for a process that is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def backend_pids(url: str) -> list[int]:
    """PostgreSQL: the server processes serving the bench database (same machine, loopback)."""
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1", url.rsplit("/", 1)[1]
        )
    finally:
        await connection.close()
    return [int(r["pid"]) for r in rows]


async def make_key(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with session_factory(engine)() as session, session.begin():
            _, plain = await create_key(
                session,
                rules=Rules.from_settings(Settings(database_url=url), SystemClock()),
                name=f"bench-{uuid.uuid4().hex[:6]}",
                scopes=[Scope.TICKETS_CREATE.value],
                role=Role.SYSTEM,
            )
        return plain
    finally:
        await engine.dispose()


async def wait_ready(base: str, http: aiohttp.ClientSession) -> None:
    for _ in range(300):
        try:
            async with http.get(base + "/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("server did not become ready in 30 s")


@dataclass
class Run:
    elapsed: float
    latencies: list[float]
    failures: int
    server_cpu: float
    client_cpu: float
    db_cpu: float | None


async def create_tickets(base: str, key: str, total: int, concurrency: int, pids: list[int],
                         db_url: str | None = None) -> Run:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await wait_ready(base, http)
        headers = {"Authorization": f"Bearer {key}"}

        async def one(i: int) -> None:
            nonlocal failures
            body = {
                "request_type": "complaint",
                "category": "物业管理",
                "content": CONTENTS[i % len(CONTENTS)],
                "place": f"幸福小区{i % 50}号楼",
                "contact_name": "张三",
                "contact_phone": f"138{i % 100_000_000:08d}",
            }
            started = time.perf_counter()
            async with http.post(base + "/api/v1/tickets", json=body, headers=headers) as response:
                await response.read()
                if response.status != 201:
                    failures += 1
            latencies.append(time.perf_counter() - started)

        async def lane() -> None:
            for i in counter:
                await one(i)

        for i in range(min(50, total)):  # warm-up: pools, caches, jieba, prepared statements
            await one(total + i)
        latencies.clear()
        backends = await backend_pids(db_url) if db_url else []
        db_before = {p: cpu_seconds(p) for p in backends}
        cpu_before = sum(cpu_seconds(p) for p in pids)
        client_before = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        cpu = sum(cpu_seconds(p) for p in pids) - cpu_before
        db_cpu = None
        if db_url:
            backends = await backend_pids(db_url)
            db_cpu = sum(cpu_seconds(p) - db_before.get(p, 0.0) for p in backends)
    return Run(elapsed, latencies, failures, cpu, client_cpu, db_cpu)


async def drain_outbox(url: str) -> tuple[int, float]:
    received = 0

    async def gateway(request: web.Request) -> web.Response:
        nonlocal received
        await request.read()
        received += 1
        return web.json_response({"code": 0})

    app = web.Application()
    app.router.add_post("/sms", gateway)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            pending = (await session.exec(select(func.count()).select_from(Outbox).where(
                Outbox.status == OutboxStatus.PENDING, Outbox.channel == OutboxChannel.SMS))).one()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as http:
            notifier = SmsNotifier(http, url=f"http://127.0.0.1:{port}/sms", token=None, templates={},
                                   default_template="T1", timeout=10)
            worker = OutboxWorker(sessions, {OutboxChannel.SMS: notifier}, clock=SystemClock(),
                                  config=WorkerConfig(batch_size=200, concurrency=50, poll=0))
            started = time.perf_counter()
            for _ in range(10_000):  # bounded: stops when the outbox is empty
                if await worker.run_once() == 0:
                    break
            elapsed = time.perf_counter() - started
        assert received >= pending, (received, pending)
        return int(pending), elapsed
    finally:
        await engine.dispose()
        await runner.cleanup()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


async def prepare_postgres() -> tuple[str, str]:
    import asyncpg

    name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}", name


async def drop_postgres(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def run_mode(args: argparse.Namespace, mode: str) -> None:
    pg_name = None
    tmp = tempfile.TemporaryDirectory()
    if args.db == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    else:
        url, pg_name = asyncio.run(prepare_postgres())
    servers: list[subprocess.Popen[bytes]] = []
    try:
        upgrade_database(url)
        key = asyncio.run(make_key(url))
        port = free_port()
        servers = [subprocess.Popen([sys.executable, __file__, "--serve", url, str(port), mode])
                   for _ in range(args.servers)]
        load_before = load()
        run = asyncio.run(create_tickets(f"http://127.0.0.1:{port}", key, args.requests, args.concurrency,
                                         [s.pid for s in servers], url if pg_name else None))
        load_after = load()
        print(
            f"[{mode}] ticket creation via POST /api/v1/tickets ({args.db}, {args.requests} requests, "
            f"{args.concurrency} in flight, {args.servers} server process(es), {os.cpu_count()} CPUs shared; "
            f"load average 1/5/15 min {load_before} before, {load_after} after)"
        )
        n = args.requests
        db = f", database backends {run.db_cpu / n * 1000:.2f} ms" if run.db_cpu is not None else ""
        print(
            f"  throughput {n / run.elapsed:,.0f} tickets/s in {run.elapsed:.2f} s; failures {run.failures}"
        )
        print(f"  CPU per ticket: server {run.server_cpu / n * 1000:.2f} ms{db}, "
              f"bench client {run.client_cpu / n * 1000:.2f} ms")
        print(f"  latency p50 {percentile(run.latencies, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(run.latencies, 0.99) * 1000:.1f} ms, max {max(run.latencies) * 1000:.1f} ms",
              flush=True)
        for server in servers:  # SIGTERM: a graceful stop that drains the intake and logs its summary
            server.terminate()
            server.wait(timeout=30)
        servers = []
        if args.outbox:
            sent, seconds = asyncio.run(drain_outbox(url))
            print(
                f"  outbox: {sent} SMS rows sent through SmsNotifier to a loopback gateway in {seconds:.2f} s"
                f" = {sent / seconds:,.0f} messages/s (one worker, batch 200, 50 in flight)"
            )
    finally:
        for server in servers:
            server.kill()
            server.wait(timeout=10)
        if pg_name:
            asyncio.run(drop_postgres(pg_name))
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--servers", type=int, default=1, help="server processes sharing the port (1..4)")
    parser.add_argument("--mode", choices=["single", "batch", "both"], default="both")
    parser.add_argument("--no-outbox", dest="outbox", action="store_false", help="skip the outbox drain")
    parser.add_argument("--serve", nargs=3, metavar=("URL", "PORT", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2])
        return
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256 or not 1 <= args.servers <= 4:
        parser.error("--requests must be 1..100000, --concurrency 1..256, --servers 1..4")
    for mode in (["single", "batch"] if args.mode == "both" else [args.mode]):
        run_mode(args, mode)


if __name__ == "__main__":
    main()
