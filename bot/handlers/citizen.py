"""Citizens: questions to the knowledge base, /status, 我的诉求, and the callback survey."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, texts
from bot.answers import AnswerMemo
from bot.callbacks import CallbackAnswerCb, KbFeedbackCb, KbPickCb, MenuCb, entry_ref
from bot.context import FeedbackRecorder, KbProvider, Who, citizen_of, log, reply_long, run_service
from bot.handlers.filing import begin as begin_filing
from bot.routes import PLAIN_TEXT, PlainText, RouteTable
from bot.states import StatusCheck
from bot.usage import CHANNEL, UsageBuffer
from knowledge_base import service as kb_service
from knowledge_base.conversation import Band, ConversationContext, NoAnswerReason
from knowledge_base.matcher import Entry, KnowledgeBase
from knowledge_base.smalltalk import SmallTalk
from tickets import deadlines, messaging, queries, service
from tickets import texts as ttexts
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import Role, TicketStatus
from tickets.errors import HotlineError, IllegalTransition, NotFound
from tickets.models import Ticket, Unit
from tickets.privacy import may_see_contact, phone_suffix_matches
from tickets.queries import citizen_tickets
from tickets.schemas import CallbackAnswers

router = RouteTable("citizen")
ask_router = RouteTable("citizen-ask")
STATUS_TRIES = 3
# States in which the ticket carries the answer the citizen was given.
ANSWERED = frozenset({TicketStatus.REPLIED, TicketStatus.CLOSED, TicketStatus.DIRECT_ANSWERED})


# --- status ---------------------------------------------------------------------------


@router.message(Command("status"))
async def status_command(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession,
                         who: Who, rules: Rules) -> None:
    number = (command.args or "").strip()
    if not number:
        await state.set_state(StatusCheck.number)
        await message.answer(texts.STATUS_USAGE)
        return
    await _status(message, state, session, who, rules, number)


@router.message(F.text == texts.BTN_STATUS)
@router.callback_query(MenuCb.filter(F.item == "status"))
async def status_menu(event: Message | CallbackQuery, state: FSMContext) -> None:
    message = event if isinstance(event, Message) else event.message
    if isinstance(event, CallbackQuery):
        await event.answer()
    await state.set_state(StatusCheck.number)
    if isinstance(message, Message):
        await message.answer(texts.STATUS_ASK_NUMBER)


@router.message(StatusCheck.number, PLAIN_TEXT)
async def status_number(message: Message, state: FSMContext, session: AsyncSession, who: Who,
                        rules: Rules) -> None:
    await _status(message, state, session, who, rules, (message.text or "").strip())


async def _status(message: Message, state: FSMContext, session: AsyncSession, who: Who, rules: Rules,
                  number: str) -> None:
    try:
        ticket = await queries.get_ticket(session, number=number[:30])
    except NotFound as error:
        await state.set_state(None)
        await message.answer(error.message)
        return
    if await _may_see_all(session, who, ticket):
        await state.set_state(None)
        await reply_long(message, await _status_text(session, ticket, rules, full=True))
        return
    tries = (await state.get_data()).get(f"status_tries:{ticket.number}", 0)
    if tries >= STATUS_TRIES:
        await state.set_state(None)
        await message.answer(texts.STATUS_PHONE_LOCKED)
        return
    await state.set_state(StatusCheck.phone_digits)
    await state.update_data(status_number=ticket.number)
    await message.answer(texts.STATUS_ASK_PHONE)


@router.message(StatusCheck.phone_digits, PLAIN_TEXT)
async def status_digits(message: Message, state: FSMContext, session: AsyncSession, rules: Rules) -> None:
    data = await state.get_data()
    number = data.get("status_number", "")
    try:
        ticket = await queries.get_ticket(session, number=number)
    except NotFound as error:
        await state.set_state(None)
        await message.answer(error.message)
        return
    if phone_suffix_matches(ticket.contact_phone, message.text or ""):
        await state.set_state(None)
        await message.answer(await _status_text(session, ticket, rules, full=False))
        return
    tries = data.get(f"status_tries:{number}", 0) + 1
    await state.update_data({f"status_tries:{number}": tries})
    if tries >= STATUS_TRIES:
        await state.set_state(None)
        log.info("status check of %s locked after %s wrong phone digits", number, tries)
        await message.answer(texts.STATUS_PHONE_LOCKED)
    else:
        await message.answer(texts.STATUS_PHONE_WRONG.format(left=STATUS_TRIES - tries))


async def _may_see_all(session: AsyncSession, who: Who, ticket: Ticket) -> bool:
    citizen = await citizen_of(session, who.user_id) if who.role is Role.CITIZEN else None
    co_units = await queries.co_unit_ids(session, ticket=ticket) if who.role is Role.HANDLER else []
    return may_see_contact(ticket, role=who.role, unit_id=who.unit_id, co_unit_ids=co_units,
                           citizen_id=citizen.id if citizen else None)


async def _status_text(session: AsyncSession, ticket: Ticket, rules: Rules, *, full: bool) -> str:
    unit = await session.get(Unit, ticket.main_unit_id) if ticket.main_unit_id else None
    values = dict(
        number=ticket.number,
        status=ttexts.STATUS[ticket.status],
        type=ttexts.REQUEST_TYPE[ticket.request_type],
        category=ticket.category or texts.FILE_NO_CATEGORY,
        unit=unit.name if unit else texts.STATUS_NO_UNIT,
        received=ttexts.fmt_local(ticket.received_at),
        due=deadlines.describe_due(ticket, rules=rules),
    )
    if not full:
        return texts.STATUS_PUBLIC.format(**values)
    text = texts.STATUS_OWN.format(**values, place=ticket.place or "—", content=ticket.content)
    if ticket.reply_text and ticket.status in ANSWERED:
        text += "\n\n" + service.reply_to_citizen_text(ticket, unit=unit, rules=rules)
    return text


# --- my tickets -----------------------------------------------------------------------------


@router.message(Command("mine"))
@router.message(F.text == texts.BTN_MINE)
async def mine(message: Message, session: AsyncSession, who: Who, state: FSMContext, rules: Rules) -> None:
    await state.set_state(None)
    citizen = await citizen_of(session, who.user_id)
    rows = await citizen_tickets(session, citizen_id=citizen.id, limit=20) if citizen and citizen.id else []
    if not rows:
        await message.answer(texts.MINE_EMPTY, reply_markup=keyboards.citizen_menu())
        return
    lines = [texts.MINE_HEADER.format(count=len(rows))]
    for t in rows:
        lines.append(texts.MINE_LINE.format(number=t.number, status=ttexts.STATUS[t.status],
                                            due=deadlines.describe_due(t, rules=rules),
                                            summary=messaging.summary(t.content, limit=40)))
        if t.reply_text and t.status in ANSWERED:
            lines.append(
                texts.MINE_REPLY.format(
                    result=ttexts.RESULT[t.result] if t.result else ttexts.RESULT_DIRECT,
                    reply=messaging.summary(t.reply_text, limit=60),
                    number=t.number,
                )
            )
    await reply_long(message, "\n".join(lines))


# --- callback survey (回访) -----------------------------------------------------------------


@router.callback_query(CallbackAnswerCb.filter())
async def survey_answer(query: CallbackQuery, callback_data: CallbackAnswerCb, session: AsyncSession,
                        rules: Rules) -> None:
    answers = callback_data.answers
    number = callback_data.number
    message = query.message if isinstance(query.message, Message) else None
    valid = len(answers) <= 4 and all(c in "yn" for c in answers[:3]) and \
        (len(answers) < 4 or answers[3] in keyboards.SATISFACTION_CODES)
    if not valid or not answers:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    if len(answers) < 4:
        if message is not None:
            await message.edit_text(
                texts.CB_INTRO.format(number=number) + "\n\n" + keyboards.CALLBACK_QUESTIONS[len(answers)],
                reply_markup=keyboards.callback_question(number, answers),
            )
        return
    citizen = await citizen_of(session, query.from_user.id)
    if citizen is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    data = CallbackAnswers(reached=True, contacted=answers[0] == "y", answered=answers[1] == "y",
                           solved=answers[2] == "y", satisfaction=keyboards.SATISFACTION_CODES[answers[3]],
                           note="市民通过机器人回访作答")
    result = await run_service(
        session,
        service.record_callback(
            session, rules=rules, actor=Actor.of_citizen(citizen), number=number, answers=data
        ),
    )
    if isinstance(result, HotlineError):
        text = texts.CB_ALREADY if isinstance(result, IllegalTransition) else result.message
        if message is not None:
            await message.edit_text(text)
        return
    text = texts.CB_DONE_CLOSED if result.status is TicketStatus.CLOSED else texts.CB_DONE_REWORK
    if message is not None:
        await message.edit_text(text.format(number=number))


# --- knowledge base ---------------------------------------------------------------------------


def _find_entry(kb: KnowledgeBase, ref: str) -> Entry | None:
    entry = kb.get(ref)
    if entry is not None or not ref.startswith("#"):
        return entry
    return next((e for e in kb.entries if entry_ref(e.id) == ref), None)


async def _send_answer(message: Message, entry: Entry, usage: UsageBuffer | None) -> None:
    text = texts.KB_ANSWER.format(question=entry.question, answer=entry.answer)
    await reply_long(message, text, keyboards.kb_feedback(entry.id))
    # Counted towards the week's hot questions as on H5, after the answer went out; buffered
    # and written in batches (bot/usage.py), so the citizen never waits for the database.
    if usage is not None:
        usage.add(entry.id)


@router.message(F.text == texts.BTN_ASK)
async def ask_prompt(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await message.answer(texts.ASK_PROMPT)


@router.callback_query(KbPickCb.filter())
async def kb_pick(query: CallbackQuery, callback_data: KbPickCb, kb: KbProvider, state: FSMContext,
                  kb_usage: UsageBuffer | None = None) -> None:
    entry = _find_entry(kb(), callback_data.entry)
    if entry is None or not isinstance(query.message, Message):
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    await state.update_data(last_q=entry.question)
    await _send_answer(query.message, entry, kb_usage)


@router.callback_query(KbFeedbackCb.filter())
async def kb_feedback(query: CallbackQuery, callback_data: KbFeedbackCb, kb: KbProvider, state: FSMContext,
                      session: AsyncSession, kb_feedback: FeedbackRecorder | None = None) -> None:
    entry = _find_entry(kb(), callback_data.entry)
    if entry is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    data = await state.get_data()
    if kb_feedback is not None:
        await kb_feedback(session, entry.id, callback_data.solved, str(data.get("last_q", ""))[:500],
                          query.from_user.id)
        await session.commit()
    log.info("kb feedback entry=%s solved=%s", entry.id, callback_data.solved)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
    if callback_data.solved:
        if message is not None:
            await message.answer(texts.KB_THANKS)
        return
    declined = list(dict.fromkeys([*data.get("declined", []), entry.id]))[-20:]
    await state.update_data(declined=declined)
    if message is not None:
        await message.answer(texts.KB_SORRY)
        await begin_filing(message, state)


# Everything typed outside a form that is neither a command nor a menu button: the hot path,
# matched first so that most messages skip the other handlers' filters.
FREE_TEXT = PlainText(excluded=frozenset(texts.MENU_BUTTONS))


@ask_router.message(StateFilter(None), FREE_TEXT)
async def ask(message: Message, state: FSMContext, kb: KbProvider, answers: AnswerMemo,
              sessions: SessionFactory, rules: Rules, who: Who | None = None,
              kb_usage: UsageBuffer | None = None) -> None:
    if who is not None and who.role is not Role.CITIZEN:
        await message.answer(
            texts.STAFF_FREE_TEXT_OFFICE if who.role is Role.OFFICE else texts.STAFF_FREE_TEXT_HANDLER
        )
        return
    text = message.text or ""
    data = await state.get_data()
    declined = frozenset(data.get("declined", ()))
    result = await answers.answer_async(kb(), text, ConversationContext(declined_entry_ids=declined))
    if result.band is Band.ANSWER and result.best is not None:
        await state.update_data(last_q=text[:500])
        await _send_answer(message, result.best.entry, kb_usage)
    elif result.band is Band.SUGGEST:
        await state.update_data(last_q=text[:500])
        await message.answer(texts.KB_SUGGEST, reply_markup=keyboards.kb_suggestions(
            [(s.entry.id, s.entry.question) for s in result.entries]))
    elif result.no_answer_reason is NoAnswerReason.EMPTY:
        await message.answer(texts.KB_EMPTY)
    elif result.no_answer_reason is NoAnswerReason.PERSON_REQUESTED:
        hotline = rules.policy.hotline
        await message.answer(texts.KB_PERSON.format(phone=hotline.phone, hours=hotline.hours),
                             reply_markup=keyboards.offer_request())
    elif result.no_answer_reason is NoAnswerReason.SMALL_TALK:
        await _small_talk(message, result.small_talk)
    elif result.no_answer_reason is NoAnswerReason.OUT_OF_SCOPE:
        # Not a gap of the knowledge base and not something to file a request about.
        await message.answer(texts.KB_OUT_OF_SCOPE)
    else:
        await message.answer(texts.KB_NO_ANSWER, reply_markup=keyboards.offer_request())
        # Kept (masked) for the office's weekly gap list: what citizens ask that no entry covers.
        async with sessions() as session, session.begin():
            await kb_service.record_miss(session, query=text, clock=rules.clock, channel=CHANNEL)


async def _small_talk(message: Message, talk: SmallTalk | None) -> None:
    if talk is SmallTalk.THANKS:
        await message.answer(texts.KB_THANKS_REPLY)
    elif talk is SmallTalk.GOODBYE:
        await message.answer(texts.KB_GOODBYE)
    else:
        await message.answer(texts.KB_GREETING, reply_markup=keyboards.citizen_menu())


@ask_router.callback_query(MenuCb.filter(F.item == "ask"))
async def ask_button(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts.ASK_PROMPT)
