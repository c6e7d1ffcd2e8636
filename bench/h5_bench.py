"""Benchmark of the citizens' H5 pages over real HTTP on loopback (127.0.0.1 only, bounded):

1. chat: POST /h5/ask (as htmx sends it) at a fixed rate — 20 questions/s by default, open
   loop, every question distinct (knowledge-base questions and alternatives with varied
   openings and endings, and questions it cannot answer) — for `--seconds`; prints the rate
   achieved, the bands, p50 / p95 / p99 / max latency;
2. filing: POST /h5/file/submit with one ~1 MB phone photo each (EXIF with GPS, stripped by
   the server), `--filings` of them with `--concurrency` in flight; each filing has its own
   phone, verified beforehand through tickets.verification (not timed); prints filings/s,
   p50 / p99 and the photos stored.

The server is the real app factory with the web pages (main.py's wiring) in a separate
process, on a fresh database; its per-address limits are lifted (one client address here).

    python bench/h5_bench.py --db sqlite
    python bench/h5_bench.py --db postgres --seconds 30 --filings 200 --concurrency 8

Needs no data from /work/shared. PostgreSQL: a throw-away database on the local server
(HOTLINE_TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test), dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from PIL import Image
from sqlalchemy import func
from sqlalchemy.pool import NullPool
from sqlmodel import select

from bench.api_bench import POSTGRES_ADMIN, cpu_seconds, free_port, wait_ready
from knowledge_base import service as kb_service
from knowledge_base.files import default_records
from tickets import verification
from tickets.clock import SystemClock
from tickets.context import Rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.models import Ticket, TicketPhoto
from wiring import Settings

OPENINGS = ["", "请问", "你好，", "我想问一下，", "麻烦问下", "咨询一下："]
ENDINGS = ["", "？", "，谢谢", "，急", "呢", "，在线等"]
UNANSWERABLE = ["公园里的健身器材坏了", "火星上的天气怎么样", "我家猫不吃饭了", "幸福路的梧桐树该修剪了"]


def serve(url: str, port: int, media: str) -> None:
    """Child process: the real app with the web pages; no outbox worker, no rate limits."""
    from aiohttp import web

    from integrations.app import init_app
    from web import web_extension
    from web.h5.limits import H5Limits, Window
    from web.h5.views import LIMITS

    settings = Settings(database_url=url, outbox_enabled=False, scheduler_enabled=False, api_rate_limit=10**9,
                        web_secret="bench-secret", media_dir=Path(media))
    app = init_app(settings, extensions=[web_extension(settings)])
    clock = SystemClock()
    big = 10**9
    app[LIMITS] = H5Limits(ask=Window(big, 60, clock), file_by_address=Window(big, 60, clock),
                           file_by_phone=Window(big, 60, clock), track_by_address=Window(big, 60, clock),
                           wrong_track_by_number=Window(big, 60, clock))
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def questions(count: int) -> list[str]:
    """`count` distinct questions: the entries' questions and alternatives, dressed differently."""
    rng = random.Random(12345)
    base = [q for r in default_records() for q in (r.question, *r.alternatives)] + UNANSWERABLE
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        text = f"{rng.choice(OPENINGS)}{rng.choice(base)}{rng.choice(ENDINGS)}"
        if text not in seen:
            seen.add(text)
            out.append(text)
        elif len(seen) > len(base) * len(OPENINGS) * len(ENDINGS) * 0.9:
            out.append(f"{text}（{len(out)}）")
    return out


def photo(i: int) -> bytes:
    """A ~1 MB phone photo (noise compresses badly, like a real scene) with camera and GPS EXIF."""
    rng = random.Random(i)
    image = Image.frombytes("RGB", (1280, 960), rng.randbytes(1280 * 960 * 3))
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    exif[0x0110] = "Mi 11"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 1.2)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


async def prepare(url: str, filings: int) -> list[str]:
    """Seed the knowledge base; verify one phone per filing (codes read from the outbox)."""
    engine = create_engine(url, poolclass=NullPool)
    rules = Rules.from_settings(Settings(database_url=url), SystemClock())
    proofs: list[str] = []
    try:
        async with session_factory(engine)() as session, session.begin():
            await kb_service.seed_default(session, clock=rules.clock)
        for i in range(filings):
            phone = f"139{i:08d}"
            async with session_factory(engine)() as session, session.begin():
                await verification.request_code(session, rules=rules, phone=phone, address=f"bench-{i}")
                from tickets.models import Outbox

                row = (await session.exec(select(Outbox).order_by(Outbox.id.desc()).limit(1))).one()  # type: ignore[union-attr]
                code = re.search(r"验证码是 (\d+)", row.payload["text"]).group(1)  # type: ignore[union-attr]
                result = await verification.check_code(session, rules=rules, phone=phone, code=code)
                assert result.proof
                proofs.append(result.proof)
    finally:
        await engine.dispose()
    return proofs


async def csrf(http: aiohttp.ClientSession, base: str) -> str:
    async with http.get(base + "/h5/file") as response:
        html = await response.text()
    found = re.search(r'name="_csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def chat(base: str, rate: float, seconds: float) -> None:
    total = int(rate * seconds)
    texts = questions(total + 20)
    latencies: list[float] = []
    bands: dict[str, int] = {}
    failures = 0
    # unsafe=True: keep cookies of an IP address (the CSRF cookie of 127.0.0.1).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await wait_ready(base, http)
        token = await csrf(http, base)

        async def one(text: str, record: bool) -> None:
            nonlocal failures
            started = time.perf_counter()
            async with http.post(base + "/h5/ask", data={"_csrf": token, "q": text},
                                 headers={"HX-Request": "true"}) as response:
                body = await response.text()
            if not record:
                return
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                failures += 1
            kind = "answer" if "解决了" in body else "suggest" if "猜您想问" in body else "none"
            bands[kind] = bands.get(kind, 0) + 1

        for text in texts[total:]:  # warm-up
            await one(text, False)
        started = time.perf_counter()
        tasks = []
        for i, text in enumerate(texts[:total]):
            # Open loop: question i leaves at i / rate whatever the answers before it did.
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(text, True)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    print(f"chat: {total} distinct questions at {rate:g}/s offered, {total / elapsed:.1f}/s achieved, "
          f"{failures} failed; bands {dict(sorted(bands.items()))}")
    print(f"  latency ms: p50 {pct(latencies, .5):.1f}  p95 {pct(latencies, .95):.1f}  "
          f"p99 {pct(latencies, .99):.1f}  max {max(latencies) * 1000:.1f}")


async def file(base: str, proofs: list[str], concurrency: int, pid: int) -> None:
    photos = [photo(i) for i in range(len(proofs))]
    latencies: list[float] = []
    failures = 0
    lanes = iter(range(len(proofs)))
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(
        cookie_jar=jar, connector=aiohttp.TCPConnector(limit=concurrency)
    ) as http:
        token = await csrf(http, base)
        anon = next(c.value for c in jar if c.key == "hl_csrf")

        async def one(i: int) -> None:
            nonlocal failures
            form = aiohttp.FormData()
            for name, value in {
                "_csrf": token,
                "content": f"幸福路{i}号门口的路灯坏了一个星期，晚上很黑。",
                "place": f"幸福路{i}号",
                "request_type": "complaint",
                "category": "城市管理",
            }.items():
                form.add_field(name, value)
            form.add_field(
                "photos", io.BytesIO(photos[i]), filename=f"IMG_{i:04d}.jpg", content_type="image/jpeg"
            )
            headers = {"Cookie": f"hl_csrf={anon}; h5_proof={proofs[i]}"}
            started = time.perf_counter()
            async with http.post(base + "/h5/file/submit", data=form, headers=headers,
                                 allow_redirects=False) as response:
                await response.read()
                if response.status != 303:
                    failures += 1
            latencies.append(time.perf_counter() - started)

        async def lane() -> None:
            for i in lanes:
                await one(i)

        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu_before
    size = statistics.mean(len(p) for p in photos) / 1024
    print(
        f"filing: {len(proofs)} filings with one {size:.0f} KB photo each, {concurrency} in flight:"
        f" {len(proofs) / elapsed:.1f} filings/s, {failures} failed; server CPU"
        f" {cpu / len(proofs) * 1000:.0f} ms each"
    )
    print(
        f"  latency ms: p50 {pct(latencies, .5):.1f}  p99 {pct(latencies, .99):.1f}  max"
        f" {max(latencies) * 1000:.1f}"
    )


async def counts(url: str) -> tuple[int, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with session_factory(engine)() as session:
            tickets = (await session.exec(select(func.count()).select_from(Ticket))).one()
            photos = (await session.exec(select(func.count()).select_from(TicketPhoto))).one()
    finally:
        await engine.dispose()
    return int(tickets), int(photos)


async def admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rate", type=float, default=20.0, help="questions per second offered")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2])
        return
    with tempfile.TemporaryDirectory() as tmp:
        pg_name = None
        if args.db == "sqlite":
            url = f"sqlite:///{tmp}/h5.db"
        else:
            pg_name = f"hotline_h5_bench_{uuid.uuid4().hex[:8]}"
            asyncio.run(admin(f'CREATE DATABASE "{pg_name}"'))
            url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
        try:
            upgrade_database(url)
            proofs = asyncio.run(prepare(url, args.filings))
            port = free_port()
            server = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port), f"{tmp}/media"],
                                      env={**os.environ, "PYTHONWARNINGS": "ignore"})
            try:
                base = f"http://127.0.0.1:{port}"
                print(f"database: {args.db}")
                asyncio.run(chat(base, args.rate, args.seconds))
                asyncio.run(file(base, proofs, args.concurrency, server.pid))
            finally:
                server.terminate()
                server.wait(timeout=30)
            tickets, photos = asyncio.run(counts(url))
            files = sum(1 for p in Path(tmp, "media").rglob("*.jpg"))
            print(f"stored: {tickets} tickets, {photos} photo rows, {files} photo files")
        finally:
            if pg_name:
                asyncio.run(admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
