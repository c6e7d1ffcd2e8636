"""Prometheus metrics of one app. Each app owns its registry, so several apps (tests,
benchmarks) never collide on the process-wide default one."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.enums import OutboxChannel, OutboxStatus, TicketStatus
from tickets.models import Outbox, Ticket

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("hotline_http_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("hotline_http_request_duration_seconds", "HTTP request latency by route",
                                 ["route", "method"], registry=r,
                                 buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.tickets = Gauge("hotline_tickets", "Tickets by state", ["state"], registry=r)
        self.outbox = Gauge("hotline_outbox_messages", "Outbox messages by channel and status",
                            ["channel", "status"], registry=r)
        self.deliveries = Counter(
            "hotline_outbox_deliveries",
            "Outbox delivery attempts by channel and outcome",
            ["channel", "outcome"],
            registry=r,
        )
        self.kb_answers = Counter("hotline_kb_answers", "Knowledge-base answers by band and channel",
                                  ["band", "channel"], registry=r)
        self.rate_limited = Counter(
            "hotline_rate_limited",
            "Requests refused by a rate limit, by channel and limit",
            ["channel", "limit"],
            registry=r,
        )
        self.upstream_events = Counter(
            "hotline_upstream_events",
            "Upstream platform events by type and outcome",
            ["event_type", "outcome"],
            registry=r,
        )

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    async def refresh(self, session: AsyncSession) -> None:
        """Gauges that describe the database are read at scrape time."""
        by_state = dict((await session.exec(
            select(Ticket.status, func.count()).group_by(Ticket.status)
        )).all())
        for state in TicketStatus:
            self.tickets.labels(state.value).set(by_state.get(state, 0))
        rows = (await session.exec(
            select(Outbox.channel, Outbox.status, func.count())
            .where(Outbox.status != OutboxStatus.SENT).group_by(Outbox.channel, Outbox.status)
        )).all()
        counts = {(channel, status): n for channel, status, n in rows}
        for channel in OutboxChannel:
            for status in (OutboxStatus.PENDING, OutboxStatus.DEAD):
                self.outbox.labels(channel.value, status.value).set(counts.get((channel, status), 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)
