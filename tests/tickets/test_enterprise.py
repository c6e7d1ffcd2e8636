"""政企通 (seed 002): the credit-code check digit, the specialists' register and the one-to-one
routing of an enterprise's request with the enterprise terms, on real databases."""

from __future__ import annotations

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tickets import enterprise
from tickets.clock import ManualClock, shanghai
from tickets.context import Actor, Rules
from tickets.credit_code import check_character, is_valid_credit_code, validate_credit_code
from tickets.enums import Action, Channel, OutboxChannel, RequestType, Satisfaction, TicketStatus
from tickets.errors import Conflict, ValidationFailed
from tickets.messaging import MessageKind
from tickets.models import EnterpriseRequest, Outbox, Staff, TicketEvent
from tickets.schemas import TicketCreate

# Two codes printed in public: GB 32100-2015's own example and a listed company's licence.
VALID = ["91350100M000100Y43", "9144030071526726XG"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_pass_the_check_digit(code: str) -> None:
    assert validate_credit_code(code) == code
    assert check_character(code[:17]) == code[17]


def test_a_code_typed_with_spaces_full_width_or_lower_case_is_folded() -> None:
    assert validate_credit_code(" 9135 0100 m000 100y43 ") == "91350100M000100Y43"
    assert validate_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


@pytest.mark.parametrize("wrong", ["91350100M000100Y44", "91350100M000100Y4A", "9144030071526726X0"])
def test_a_wrong_check_digit_is_refused_in_chinese(wrong: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_credit_code(wrong)
    assert "校验位" in caught.value.message and f"“{wrong[17]}”" in caught.value.message
    assert not is_valid_credit_code(wrong)


def test_one_changed_character_is_always_caught() -> None:
    # A weighted sum mod 31 with weights prime to 31 catches every single substitution.
    code = VALID[0]
    for i in range(17):
        for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if ch != code[i] and (i not in range(2, 8) or ch.isdigit()):
                assert not is_valid_credit_code(code[:i] + ch + code[i + 1:])


@pytest.mark.parametrize(("bad", "says"), [
    ("91350100M000100Y4", "18位"),
    ("91350100M000100Y433", "18位"),
    ("91350100M000100I43", "第16位“I”"),  # I, O, Z, S, V are not in the alphabet
    ("9135A100M000100Y43", "行政区划"),
    ("🏢91350100M000100Y4", "第1位"),
    ("", "18位"),
])
def test_malformed_codes_say_what_is_wrong(bad: str, says: str) -> None:
    with pytest.raises(ValidationFailed, match=says):
        validate_credit_code(bad)


def enterprise_draft(
    content: str = "我公司今年新招应届生12人，想咨询稳岗补贴和社保补贴的申领条件。",
) -> TicketCreate:
    return TicketCreate(
        channel=Channel.PHONE,
        request_type=RequestType.CONSULTATION,
        category="人力资源和社会保障",
        content=content,
        contact_name="李会计",
        contact_phone="13912345678",
    )


async def register(session: AsyncSession, rules: Rules, org: Org, unit_index: int, slot: int,
                   area: str) -> int:
    handler = org.handler(unit_index, slot)
    found = await enterprise.register_specialist(session, rules=rules, actor=org.actor_office(),
                                                 unit_id=org.unit_ids[unit_index], staff_id=handler.id,  # type: ignore[arg-type]
                                                 policy_area=area)
    await session.commit()
    return found.id  # type: ignore[return-value]


async def test_register_accepts_a_unit_handler_and_refuses_others(session: AsyncSession, rules: Rules,
                                                                  org: Org) -> None:
    await register(session, rules, org, 0, 0, "稳岗补贴")
    with pytest.raises(Conflict, match="已是“稳岗补贴”领域的政策专员"):
        await register(session, rules, org, 0, 0, "稳岗补贴")
    await session.rollback()
    # A handler of another unit cannot be this unit's specialist, nor can the office's staff.
    with pytest.raises(Conflict, match="不是区住建局的联络员"):
        await enterprise.register_specialist(
            session,
            rules=rules,
            actor=org.actor_office(),
            unit_id=org.unit_ids[0],
            staff_id=org.handler(1).id,
            policy_area="稳岗补贴",
        )  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="政策领域"):
        await enterprise.register_specialist(
            session,
            rules=rules,
            actor=org.actor_office(),
            unit_id=org.unit_ids[0],
            staff_id=org.handler(0, 1).id,
            policy_area="  ",
        )  # type: ignore[arg-type]
    listed = await enterprise.list_specialists(session)
    assert [(e.unit, e.name, e.policy_area) for e in listed] == [("区住建局", "联络员0A", "稳岗补贴")]
    assert await enterprise.policy_areas(session) == ["稳岗补贴"]


async def test_an_enterprise_is_routed_one_to_one_with_its_own_terms(session: AsyncSession, rules: Rules,
                                                                     org: Org, clock: ManualClock) -> None:
    # Friday 16:00: the enterprise terms (1 and 3 working days) run over the weekend.
    clock.set(shanghai(2026, 11, 27, 16, 0))
    first = await register(session, rules, org, 1, 0, "稳岗补贴")
    second = await register(session, rules, org, 1, 1, "稳岗补贴")
    await register(session, rules, org, 0, 0, "住房公积金")
    caller = enterprise.EnterpriseCaller.checked(
        credit_code="91350100M000100Y43", company_name="某某科技有限公司", policy_area="稳岗补贴"
    )
    filed = await enterprise.file_enterprise_request(session, rules=rules, actor=Actor.system("话务"),
                                                     data=enterprise_draft(), caller=caller)
    await session.commit()
    ticket = filed.ticket
    assert (
        filed.specialist is not None and filed.specialist.id == first and filed.specialist_name == "联络员1A"
    )
    assert ticket.status is TicketStatus.DISPATCHED and ticket.main_unit_id == org.unit_ids[1]
    assert ticket.first_contact_due_at == shanghai(2026, 11, 30, 16, 0)
    assert ticket.due_at == shanghai(2026, 12, 2, 16, 0)
    stored = await session.get(EnterpriseRequest, ticket.id)
    assert stored is not None and stored.credit_code == "91350100M000100Y43" and stored.specialist_id == first
    events = (await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(col(TicketEvent.id)))).all()
    assert [e.action for e in events] == [Action.RECEIVE, Action.DISPATCH]
    assert "联络员1A" in events[1].note and events[1].actor_name == "政企通专员分配"
    # The specialist is told personally (Telegram), with the enterprise's terms.
    rows = (await session.exec(select(Outbox))).all()
    personal = [r for r in rows if r.payload["kind"] == MessageKind.SPECIALIST_ASSIGNED.value]
    staff = await session.get(Staff, org.handler(1).id)
    assert staff is not None
    assert [(r.channel, r.recipient) for r in personal] == [
        (OutboxChannel.TELEGRAM, str(staff.telegram_user_id))
    ]
    assert (
        "某某科技有限公司" in personal[0].payload["text"]
        and "2026-12-02 16:00" in personal[0].payload["text"]
    )
    assert "13912345678" not in personal[0].payload["text"]
    # With the buttons of a dispatched ticket (accept, first contact, return…), for the bot's card.
    assert {"accept", "first_contact", "request_return"} <= set(personal[0].payload["actions"])

    # The next enterprise of the same area goes to the other specialist (one-to-one, spread).
    again = await enterprise.file_enterprise_request(
        session,
        rules=rules,
        actor=Actor.system("话务"),
        data=enterprise_draft("再咨询一下社保补贴的申报时间。"),
        caller=enterprise.EnterpriseCaller.checked(
            credit_code=None, company_name="另一家公司", policy_area="稳岗补贴"
        ),
    )
    await session.commit()
    assert again.specialist is not None and again.specialist.id == second


async def test_an_area_without_specialist_waits_for_the_office(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    caller = enterprise.EnterpriseCaller.checked(
        credit_code="", company_name="某商贸公司", policy_area="出口退税"
    )
    filed = await enterprise.file_enterprise_request(session, rules=rules, actor=Actor.system("话务"),
                                                     data=enterprise_draft(), caller=caller)
    await session.commit()
    assert filed.specialist is None and filed.ticket.status is TicketStatus.RECEIVED
    # A deactivated specialist is not routed to either.
    sid = await register(session, rules, org, 2, 0, "出口退税")
    await enterprise.deactivate_specialist(session, rules=rules, actor=org.actor_office(), specialist_id=sid)
    await session.commit()
    assert await enterprise.pick_specialist(session, policy_area="出口退税") is None
    kinds = [r.payload["kind"] for r in (await session.exec(select(Outbox))).all()]
    assert MessageKind.TICKET_NEW.value in kinds and MessageKind.SPECIALIST_ASSIGNED.value not in kinds


def test_an_enterprise_needs_a_valid_code_or_a_name() -> None:
    with pytest.raises(ValidationFailed, match="校验位"):
        enterprise.EnterpriseCaller.checked(
            credit_code="91350100M000100Y44", company_name="某公司", policy_area="税收"
        )
    with pytest.raises(ValidationFailed, match="统一社会信用代码或企业名称"):
        enterprise.EnterpriseCaller.checked(credit_code=" ", company_name="", policy_area="税收")
    assert enterprise.EnterpriseCaller.checked(credit_code=None, company_name="  某某 公司 ",
                                               policy_area="税收").company_name == "某某 公司"


async def test_enterprise_terms_hold_when_the_office_dispatches_and_after_rework(
        session: AsyncSession, rules: Rules, org: Org, clock: ManualClock) -> None:
    from tests.tickets.test_service import full_reply
    from tickets import service
    from tickets.schemas import CallbackAnswers

    caller = enterprise.EnterpriseCaller.checked(
        credit_code=None, company_name="某商贸公司", policy_area="出口退税"
    )
    filed = await enterprise.file_enterprise_request(session, rules=rules, actor=Actor.system("话务"),
                                                     data=enterprise_draft(), caller=caller)
    number = filed.ticket.number
    # No specialist for the area: the office dispatches by hand, still on the enterprise terms.
    ticket = await service.dispatch(session, rules=rules, actor=org.actor_office(), number=number,
                                    unit_id=org.unit_ids[2])
    assert ticket.due_at == shanghai(2026, 11, 26, 10, 0)  # Monday 10:00 + 3 working days
    await service.first_contact(session, rules=rules, actor=org.handler(2), number=number, reached=True)
    await service.reply(session, rules=rules, actor=org.handler(2), number=number, data=full_reply())
    clock.set(shanghai(2026, 11, 25, 10, 0))
    await service.record_callback(session, rules=rules, actor=org.actor_office(), number=number,
                                  answers=CallbackAnswers(contacted=True, answered=True, solved=False,
                                                          satisfaction=Satisfaction.AVERAGE))
    # Rework restarts the term: the enterprise's 3 working days, not the general 5.
    assert ticket.status is TicketStatus.ACCEPTED and ticket.due_at == shanghai(2026, 11, 30, 10, 0)
    await session.commit()
