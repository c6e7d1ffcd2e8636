"""The 16:00 duty-login check (登录值守, DOMAIN §5): on every working day each unit must
have logged in to the platform by the policy deadline; a unit that has not gets a
提示函, and the office one summary of the day."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import letter_texts as lt
from tickets.clock import SHANGHAI, ensure_aware, local
from tickets.context import Rules
from tickets.enums import NoticeKind
from tickets.letters import (
    Delivery,
    LetterDraft,
    duty_units,
    office_name,
    render_markdown,
    store_and_send,
)
from tickets.messaging import MessageKind, tell_office
from tickets.models import DutyLogin

log = logging.getLogger(__name__)


@dataclass
class DutyCheckResult:
    day: date
    workday: bool
    calendar_covered: bool = True
    too_early: bool = False  # asked before the deadline: nobody can be counted as absent yet
    total_units: int = 0
    logged_in: int = 0
    missing_units: list[str] = field(default_factory=list)
    letters: Delivery = field(default_factory=Delivery)
    failed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "workday": int(self.workday),
            "too_early": int(self.too_early),
            "units": self.total_units,
            "logged_in": self.logged_in,
            "missing": len(self.missing_units),
            "letters_created": len(self.letters.created),
            "letters_existing": self.letters.existing,
            "messages": self.letters.messages,
            "failed": len(self.failed),
        }


def login_deadline(rules: Rules, day: date) -> datetime:
    return ensure_aware(datetime.combine(day, rules.policy.checks.duty_login_deadline, tzinfo=SHANGHAI))


async def run_duty_login_check(session: AsyncSession, *, rules: Rules, at: datetime) -> DutyCheckResult:
    """Check the working day of `at` (Shanghai). A first login at or before the deadline
    counts; a later one does not, even if the check itself runs late (catch-up)."""
    day = local(at).date()
    workday = rules.calendar.is_workday(day)
    result = DutyCheckResult(day=day, workday=workday, calendar_covered=rules.calendar.covered(day))
    if not workday:
        return result
    deadline = login_deadline(rules, day)
    if ensure_aware(at) < deadline:
        result.too_early = True
        return result
    units = await duty_units(session)
    logged = set(
        (
            await session.exec(
                select(DutyLogin.unit_id).where(
                    DutyLogin.work_date == day, col(DutyLogin.first_login_at) <= deadline
                )
            )
        ).all()
    )
    result.total_units = len(units)
    missing = [(unit_id, name) for unit_id, name in units if unit_id not in logged]
    result.logged_in = len(units) - len(missing)
    result.missing_units = [name for _, name in missing]

    office = await office_name(session)
    deadline_text = rules.policy.checks.duty_login_deadline.strftime("%H:%M")
    drafts: list[LetterDraft] = []
    for unit_id, name in missing:
        try:
            body = render_markdown("duty_login_missing", title=lt.TITLE_DUTY_LOGIN, unit=name,
                                   day=lt.cn_date(day), deadline=deadline_text, office=office,
                                   date=lt.cn_date(day))
            drafts.append(
                LetterDraft(
                    kind=NoticeKind.DUTY_LOGIN_MISSING,
                    unit_id=unit_id,
                    unit_name=name,
                    period_key=day.isoformat(),
                    title=lt.TITLE_DUTY_LOGIN,
                    body=body,
                    push_text=lt.PUSH_DUTY_LOGIN.format(
                        unit=name, day=lt.cn_date(day), deadline=deadline_text
                    ),
                    data={"work_date": day.isoformat(), "deadline": deadline.isoformat()},
                )
            )
        except Exception:
            log.exception("duty_login_check: letter for unit %s (%s) failed; skipped", unit_id, name)
            result.failed.append(name)
    result.letters = await store_and_send(session, rules=rules, drafts=drafts)

    if missing:
        text = lt.OFFICE_DUTY_MISSING.format(
            day=lt.cn_date(day), deadline=deadline_text, total=len(units), logged_in=result.logged_in,
            missing=len(missing), units="\n".join(lt.UNIT_LINE.format(unit=name) for _, name in missing),
        )
    else:
        text = lt.OFFICE_DUTY_ALL_IN.format(day=lt.cn_date(day), deadline=deadline_text, total=len(units))
    if not result.calendar_covered:
        text += lt.OFFICE_DUTY_NO_CALENDAR.format(year=day.year)
    await tell_office(session, rules=rules, key=f"duty_login_check:{day.isoformat()}", text=text,
                      kind=MessageKind.DUTY_LOGIN_SUMMARY)
    return result
