"""The scheduler: APScheduler ticks, job-run records for idempotency and catch-up, and
leadership among instances.

APScheduler only says "now is a good moment for job X". What is due is computed from the
job's trigger and the injected clock: the latest fire time at or before now. That due
time is claimed in job_run (unique per job and due time), so a due time is run once,
whether the tick came from APScheduler, from the catch-up at start-up or from a second
instance. A due time missed while the service was down is made up once if it is within
the grace, and recorded as missed (with a warning) when it is older.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from scheduler import runs
from scheduler.config import SchedulerSettings
from scheduler.jobs import JobContext, JobResult, JobSpec, build_jobs
from scheduler.leader import Elector, SingleInstance
from scheduler.models import RunOutcome, RunTrigger
from tickets.clock import SHANGHAI, ensure_aware
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.reminders import ReminderSettings

log = logging.getLogger(__name__)

# Look this far back for due times (statistics every 10 days, weekly lists, daily checks).
LOOKBACK = timedelta(days=40)
# A tick this close to its due time is the scheduled run, not a catch-up.
ON_TIME = timedelta(minutes=1)
MAX_FAILED_ITEMS_RECORDED = 50


def fire_times(trigger: BaseTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Fire times of `trigger` in [start, end], oldest first."""
    times: list[datetime] = []
    cursor = start.astimezone(SHANGHAI)
    end = end.astimezone(SHANGHAI)
    while True:
        fire = trigger.get_next_fire_time(None, cursor)
        if fire is None or fire > end:
            return times
        times.append(fire)
        cursor = fire + timedelta(microseconds=1)


def latest_fire_time(trigger: BaseTrigger, now: datetime, lookback: timedelta = LOOKBACK) -> datetime | None:
    times = fire_times(trigger, now - lookback, now)
    return times[-1] if times else None


@dataclass(frozen=True)
class RunReport:
    job: str
    due_at: datetime
    trigger: RunTrigger
    run_id: int | None  # None: the due time was already taken
    outcome: RunOutcome | None
    counts: dict[str, object]


class JobScheduler:
    def __init__(self, *, sessions: SessionFactory, rules: Rules, settings: SchedulerSettings | None = None,
                 elector: Elector | None = None, reminder_settings: ReminderSettings | None = None) -> None:
        self.sessions = sessions
        self.rules = rules
        self.settings = settings or SchedulerSettings()
        self.elector: Elector = elector or SingleInstance()
        self.reminder_settings = reminder_settings or ReminderSettings()
        self.jobs: dict[str, JobSpec] = build_jobs(rules.policy, self.settings)
        self.grace = timedelta(minutes=self.settings.catch_up_grace_minutes)
        self.is_leader = False
        self._locks = {name: asyncio.Lock() for name in self.jobs}
        self._apscheduler: AsyncIOScheduler | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[object]] = set()

    @property
    def instance(self) -> str:
        return self.settings.instance

    def spec(self, name: str) -> JobSpec:
        return self.jobs[name]

    # --- running one due time ------------------------------------------------------------

    async def run_job(self, name: str, *, due_at: datetime, trigger: RunTrigger,
                      rules: Rules | None = None) -> RunReport:
        """Claim (job, due time), run the job as of the due time, record the outcome."""
        spec = self.jobs[name]
        rules = rules or self.rules
        due_at = ensure_aware(due_at)
        run_id = await runs.claim(
            self.sessions, job=name, due_at=due_at, trigger=trigger, instance=self.instance, now=rules.now()
        )
        if run_id is None:
            return RunReport(name, due_at, trigger, None, None, {})
        context = JobContext(sessions=self.sessions, rules=rules, at=due_at, trigger=trigger,
                             reminder_settings=self.reminder_settings)
        error: str | None = None
        try:
            result: JobResult = await spec.run(context)
        except Exception as exc:
            log.exception("job %s for %s failed", name, due_at.isoformat())
            outcome, counts, error = RunOutcome.FAILED, {}, f"{type(exc).__name__}: {exc}"[:2000]
        else:
            counts = dict(result.counts)
            if result.failed_items:
                outcome = RunOutcome.PARTIAL
                counts["failed_items"] = result.failed_items[:MAX_FAILED_ITEMS_RECORDED]
                log.warning("job %s for %s: %d item(s) failed and were skipped: %s", name, due_at.isoformat(),
                            len(result.failed_items), ", ".join(result.failed_items[:10]))
            else:
                outcome = RunOutcome.SKIPPED if result.skipped else RunOutcome.DONE
            log.info(
                "job %s for %s (%s): %s %s", name, due_at.isoformat(), trigger.value, outcome.value, counts
            )
        if not await runs.finish(self.sessions, run_id=run_id, instance=self.instance, outcome=outcome,
                                 counts=counts, error=error, now=rules.now()):
            log.warning("job %s for %s: the run was taken over by another instance; its record is theirs",
                        name, due_at.isoformat())
        return RunReport(name, due_at, trigger, run_id, outcome, counts)

    async def run_pending(self, name: str | None = None) -> list[RunReport]:
        """Run whatever is due and not settled: the tick of a job, or at start-up every job
        (catch-up). Only the leader runs anything."""
        names = [name] if name is not None else list(self.jobs)
        reports: list[RunReport] = []
        for job in names:
            if not self.is_leader:
                break
            async with self._locks[job]:
                reports.extend(await self._run_pending_one(job))
        return reports

    async def _run_pending_one(self, name: str) -> list[RunReport]:
        spec = self.jobs[name]
        now = self.rules.now()
        async with self.sessions() as session:
            last = await runs.last_recorded_due(session, job=name)
            # Sweeps (every few minutes) only ever run their latest due time: look back no further than the
            # grace.
            horizon = now - (LOOKBACK if spec.report_missed else self.grace)
            since = max(last, horizon) if last is not None else horizon
            done = await runs.recorded_dues(session, job=name, since=since)
        due_times = [t for t in fire_times(spec.trigger, since, now) if last is None or t > last
                     or done.get(runs.due_key(t)) in runs.RETRYABLE]
        if last is None:
            # A fresh installation owes nothing from before it existed: at most the latest, within the grace.
            due_times = [t for t in due_times[-1:] if now - t <= self.grace]
        reports: list[RunReport] = []
        for index, due in enumerate(due_times):
            latest = index == len(due_times) - 1
            state = done.get(runs.due_key(due))
            if state in runs.SETTLED:
                continue
            late = now - due
            if latest and late <= self.grace:
                if not await self.elector.still_leader():
                    self.is_leader = False
                    log.error("scheduler: leadership lost before %s; not running it", name)
                    break
                trigger = RunTrigger.SCHEDULED if late <= ON_TIME else RunTrigger.CATCH_UP
                reports.append(await self.run_job(name, due_at=due, trigger=trigger))
            elif spec.report_missed and state is None and await runs.record_missed(
                    self.sessions, job=name, due_at=due, instance=self.instance, now=now):
                log.warning("job %s due at %s was missed: the service was down for longer than the "
                            "catch-up grace (%s). Run it by hand if still needed: jobs run %s --at \"%s\"",
                            name, due.astimezone(SHANGHAI).isoformat(), self.grace, name,
                            due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
        return reports

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start APScheduler (paused until this instance leads) and the leadership loop."""
        if isinstance(self.elector, SingleInstance):
            log.info("scheduler: SQLite database, so this process runs the jobs as the single instance; "
                     "do not start a second process against the same database file")
        else:
            log.info("scheduler: %s; leadership through %s", self.instance, self.elector.description)
        scheduler = AsyncIOScheduler(timezone=SHANGHAI)
        for spec in self.jobs.values():
            scheduler.add_job(
                self._tick,
                trigger=spec.trigger,
                args=[spec.name],
                id=spec.name,
                name=spec.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
        scheduler.start(paused=True)
        self._apscheduler = scheduler
        self._stopping.clear()
        self._loop_task = asyncio.create_task(self._leadership_loop(), name="scheduler-leadership")

    async def _tick(self, name: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.run_pending(name)
        except Exception:
            log.exception("scheduler tick of %s failed", name)
        finally:
            if task is not None:
                self._running.discard(task)

    async def _leadership_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.check_leadership()
            except Exception:
                log.exception("scheduler leadership loop error")
            delay = (
                self.settings.leader_check_seconds if self.is_leader else self.settings.leader_retry_seconds
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    async def check_leadership(self) -> bool:
        """One beat of the leadership loop: a follower tries to lead, a leader checks it still does."""
        if not self.is_leader:
            return await self.elect_once()
        if not await self.elector.still_leader():
            self._step_down()
        return self.is_leader

    async def elect_once(self) -> bool:
        """Try once to lead; on success catch up on what is due. True when leading."""
        if not self.is_leader and await self.elector.acquire():
            await self._become_leader()
        return self.is_leader

    async def _become_leader(self) -> None:
        self.is_leader = True
        log.info("scheduler: %s is the leader and runs the jobs", self.instance)
        abandoned = await runs.abandon_others(self.sessions, instance=self.instance, now=self.rules.now())
        if abandoned:
            log.warning("scheduler: %d run(s) left running by a previous leader marked abandoned", abandoned)
        await self._tick_all()
        if self._apscheduler is not None and self.is_leader:
            self._apscheduler.resume()

    async def _tick_all(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.run_pending()
        finally:
            if task is not None:
                self._running.discard(task)

    def _step_down(self) -> None:
        self.is_leader = False
        log.error("scheduler: %s lost the leadership; pausing its jobs", self.instance)
        if self._apscheduler is not None:
            self._apscheduler.pause()

    async def stop(self) -> None:
        self._stopping.set()
        if self._loop_task is not None:
            await asyncio.wait([self._loop_task], timeout=self.settings.stop_timeout_seconds)
            if not self._loop_task.done():
                self._loop_task.cancel()
        if self._apscheduler is not None:
            self._apscheduler.pause()
        # Let running jobs finish first: APScheduler's shutdown cancels the coroutines it started.
        pending = [t for t in self._running if not t.done()]
        if pending:
            _, still = await asyncio.wait(pending, timeout=self.settings.stop_timeout_seconds)
            if still:
                log.warning("scheduler: %d job(s) still running after %ss are cancelled; their runs stay "
                            "'running' until the next leader marks them abandoned", len(still),
                            self.settings.stop_timeout_seconds)
        if self._apscheduler is not None:
            self._apscheduler.shutdown(wait=False)
            self._apscheduler = None
        self.is_leader = False
        await self.elector.release()

    def next_run_times(self, now: datetime) -> dict[str, datetime | None]:
        return {name: spec.trigger.get_next_fire_time(None, now.astimezone(SHANGHAI))
                for name, spec in self.jobs.items()}
