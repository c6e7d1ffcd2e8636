"""A citizen files a request: content (+photo) → place → phone → summary → ticket."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import drafts, keyboards, texts
from bot.callbacks import DraftCb, MenuCb
from bot.context import citizen_of, log, run_service
from bot.models import TicketAttachment
from bot.routes import PlainText, RouteTable
from bot.states import FileRequest
from knowledge_base.classify import Router
from knowledge_base.classify.draft import category_labels, suggest_draft
from tickets import deadlines, intake, messaging
from tickets import texts as ttexts
from tickets.context import Actor, Rules
from tickets.enums import Channel, RequestType, Role, Urgency
from tickets.errors import HotlineError, ValidationFailed
from tickets.privacy import mask_phone, normalize_phone
from tickets.rows import saved_id
from tickets.schemas import TicketCreate, check_length

router = RouteTable("filing")
# A step's typed answer; the menu buttons keep their meaning (bot/drafts.py keeps the draft).
STEP_TEXT = PlainText(excluded=frozenset(texts.MENU_BUTTONS))
MAX_PHOTOS = 5


async def begin(message: Message, state: FSMContext) -> None:
    declined = (await state.get_data()).get("declined", [])
    await state.clear()
    await state.update_data(declined=declined, photos=[])
    await state.set_state(FileRequest.content)
    await message.answer(texts.FILE_ASK_CONTENT, reply_markup=ReplyKeyboardRemove())


@router.message(F.text == texts.BTN_FILE)
async def file_from_menu(message: Message, state: FSMContext) -> None:
    await begin(message, state)


@router.callback_query(MenuCb.filter(F.item == "file"))
async def file_from_button(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    current = await state.get_state()
    if drafts.is_draft(current):
        # An old 提交诉求 button pressed in the middle of a draft: keep it, say where it stands.
        assert current is not None
        text, markup = drafts.note(current, await state.get_data())
        await query.message.answer(text, reply_markup=markup)
        return
    await begin(query.message, state)


@router.message(FileRequest.content, F.photo)
async def content_photo(message: Message, state: FSMContext, rules: Rules) -> None:
    data = await state.get_data()
    photos: list[str] = list(data.get("photos", []))
    assert message.photo
    if len(photos) < MAX_PHOTOS:
        photos.append(message.photo[-1].file_id)  # the largest size
    await state.update_data(photos=photos)
    if message.caption and message.caption.strip():
        await _take_content(message, state, rules, message.caption)
    else:
        await message.answer(texts.FILE_ASK_PHOTO_TEXT)


@router.message(FileRequest.content, STEP_TEXT)
async def content_text(message: Message, state: FSMContext, rules: Rules) -> None:
    await _take_content(message, state, rules, message.text or "")


async def _take_content(message: Message, state: FSMContext, rules: Rules, text: str) -> None:
    if not text.strip():
        await message.answer(texts.FILE_CONTENT_EMPTY)
        return
    try:
        text = intake.check_content(rules, text)
    except ValidationFailed as error:
        await message.answer(error.message)
        return
    await state.update_data(content=text)
    await state.set_state(FileRequest.place)
    await message.answer(texts.FILE_ASK_PLACE, reply_markup=keyboards.share_location())


@router.message(FileRequest.place, F.location)
async def place_location(message: Message, state: FSMContext) -> None:
    assert message.location is not None
    place = texts.FILE_PLACE_LOCATION.format(lat=message.location.latitude, lon=message.location.longitude)
    await _take_place(message, state, place)


@router.message(FileRequest.place, STEP_TEXT)
async def place_text(message: Message, state: FSMContext, rules: Rules) -> None:
    place = (message.text or "").strip()
    if not place:
        await message.answer(texts.FILE_ASK_PLACE, reply_markup=keyboards.share_location())
        return
    try:
        check_length(place, rules.policy.limits.place_max_chars, ttexts.WHAT_PLACE)
    except ValidationFailed as error:
        await message.answer(error.message)
        return
    await _take_place(message, state, place)


async def _take_place(message: Message, state: FSMContext, place: str) -> None:
    await state.update_data(place=place)
    await state.set_state(FileRequest.phone)
    await message.answer(texts.FILE_ASK_PHONE, reply_markup=keyboards.share_contact())


@router.message(FileRequest.phone, F.contact)
async def phone_contact(message: Message, state: FSMContext, category_router: Router | None = None) -> None:
    assert message.contact is not None and message.from_user is not None
    if message.contact.user_id is not None and message.contact.user_id != message.from_user.id:
        await message.answer(texts.FILE_PHONE_NOT_OWN, reply_markup=keyboards.share_contact())
        return
    await _take_phone(message, state, message.contact.phone_number, category_router)


@router.message(FileRequest.phone, STEP_TEXT)
async def phone_text(message: Message, state: FSMContext, category_router: Router | None = None) -> None:
    await _take_phone(message, state, message.text or "", category_router)


async def _take_phone(message: Message, state: FSMContext, raw: str, router: Router | None) -> None:
    try:
        phone = normalize_phone(raw)
    except ValidationFailed as error:
        await message.answer(error.message, reply_markup=keyboards.share_contact())
        return
    data = await state.get_data()
    suggestion = suggest_draft(data["content"], router)
    await state.update_data(
        phone=phone,
        request_type=suggestion.request_type.value,
        category=suggestion.category,
        urgency=suggestion.urgency.value,
    )
    await state.set_state(FileRequest.confirm)
    await message.answer(_summary(await state.get_data()), reply_markup=keyboards.draft_summary())


def _summary(data: dict[str, Any]) -> str:
    photos = len(data.get("photos", []))
    return texts.FILE_SUMMARY.format(
        type=ttexts.REQUEST_TYPE[RequestType(data["request_type"])],
        category=data.get("category") or texts.FILE_NO_CATEGORY,
        place=data["place"],
        phone=data["phone"],
        photos=texts.FILE_PHOTOS.format(count=photos) if photos else texts.FILE_NO_PHOTOS,
        content=data["content"] if len(data["content"]) <= 1500 else data["content"][:1500] + "…",
    )


@router.callback_query(DraftCb.filter(F.op == "cancel"))
async def draft_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts.CANCELLED, reply_markup=keyboards.citizen_menu())


@router.callback_query(FileRequest.confirm, DraftCb.filter(F.op.in_({"type", "cat", "set_type", "set_cat"})))
async def draft_edit(query: CallbackQuery, callback_data: DraftCb, state: FSMContext) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if callback_data.op == "type":
        await query.message.edit_text(texts.FILE_CHOOSE_TYPE, reply_markup=keyboards.request_types())
        return
    if callback_data.op == "cat":
        await query.message.edit_text(texts.FILE_CHOOSE_CATEGORY,
                                      reply_markup=keyboards.categories(category_labels()))
        return
    if callback_data.op == "set_type" and callback_data.value in {t.value for t in RequestType}:
        await state.update_data(request_type=callback_data.value)
    elif callback_data.op == "set_cat" and callback_data.value.isdigit() and \
            int(callback_data.value) < len(category_labels()):
        await state.update_data(category=category_labels()[int(callback_data.value)])
    await query.message.edit_text(_summary(await state.get_data()), reply_markup=keyboards.draft_summary())


@router.callback_query(FileRequest.confirm, DraftCb.filter(F.op == "ok"))
async def draft_confirm(query: CallbackQuery, state: FSMContext, session: AsyncSession, rules: Rules) -> None:
    data = await state.get_data()
    user_id = query.from_user.id
    result = await run_service(session, _file(session, rules=rules, data=data, user_id=user_id))
    if isinstance(result, HotlineError):
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(result.message)
        return
    number, due = result
    await state.clear()
    await state.update_data(declined=data.get("declined", []))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        # The receipt carries the tracking page's link, as every citizen message does.
        await query.message.answer(
            messaging.with_link(rules, number, texts.FILE_DONE.format(number=number, due=due)),
            reply_markup=keyboards.citizen_menu(),
        )
    log.info("ticket %s filed by telegram user (phone %s)", number, mask_phone(data.get("phone")))


@router.message(FileRequest.confirm)
async def confirm_hint(message: Message, state: FSMContext) -> None:
    await message.answer(_summary(await state.get_data()), reply_markup=keyboards.draft_summary())


@router.message(StateFilter(FileRequest.content, FileRequest.place, FileRequest.phone), ~F.text)
async def wrong_content(message: Message) -> None:
    # Commands pass on to their own handlers (or the "not in this step" answer).
    await message.answer(texts.TEXT_REQUIRED)


@router.callback_query(DraftCb.filter())
async def draft_stale(query: CallbackQuery) -> None:
    await query.answer(texts.FILE_NOT_STARTED, show_alert=True)


async def _file(session: AsyncSession, *, rules: Rules, data: dict[str, Any],
                user_id: int) -> tuple[str, str]:
    """Create the ticket (intake tells the office) and keep its photos — one transaction."""
    citizen = await citizen_of(session, user_id)
    actor = (
        Actor.of_citizen(citizen)
        if citizen is not None
        else Actor(role=Role.CITIZEN, name=ttexts.CITIZEN_ACTOR_NAME)
    )
    ticket = await intake.create_ticket(
        session, rules=rules, actor=actor,
        data=TicketCreate(channel=Channel.BOT, request_type=RequestType(data["request_type"]),
                          content=data["content"], category=data.get("category", ""), place=data["place"],
                          contact_phone=data["phone"], citizen_telegram_id=user_id,
                          urgency=Urgency(data.get("urgency", Urgency.GENERAL.value))),
    )
    for file_id in data.get("photos", []):
        session.add(TicketAttachment(ticket_id=saved_id(ticket), file_id=file_id, created_at=rules.now()))
    return ticket.number, deadlines.describe_due(ticket, rules=rules)
