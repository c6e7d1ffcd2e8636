"""Citizens ask: the knowledge base answers, suggests or offers a request."""

from __future__ import annotations

from sqlmodel import col, select

from bot import texts
from knowledge_base.models import KnowledgeEntry, KnowledgeFeedback
from tests.bot.conftest import Harness, texts_of

CITIZEN = 5001


async def feedback(h: Harness) -> list[tuple[str, bool, str, str]]:
    async with h.sessions() as session:
        rows = await session.exec(
            select(
                KnowledgeEntry.key,
                KnowledgeFeedback.solved,
                KnowledgeFeedback.query,
                KnowledgeFeedback.channel,
            )
            .join(KnowledgeEntry)
            .order_by(col(KnowledgeFeedback.id))
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_start_shows_menu(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "/start")
    assert texts_of(calls) == [texts.WELCOME_CITIZEN]
    assert calls[0].buttons() == [["问问题", "我要反映"], ["查进度", "我的诉求"]]


async def test_direct_answer_with_feedback_buttons(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "我的社保卡丢了，怎么补办？")
    # The answer opens with the question it answers, then the answer, then the feedback question.
    assert texts_of(calls) == [
        "【社保卡丢了怎么补办】\n"
        "社保卡遗失后，请先挂失，再携带本人身份证到社保卡服务网点申请补办。具体以当地规定为准。\n\n以上回答解决您的问题了吗？"
    ]
    assert calls[0].buttons() == [["解决了", "没解决，转人工"]]

    solved = await harness.press(CITIZEN, calls[0].button_data("解决了"))
    assert texts_of(solved) == ["感谢您的反馈，很高兴能帮到您！"]
    assert await feedback(harness) == [("sbk-lost", True, "我的社保卡丢了，怎么补办？", "telegram")]


async def test_not_solved_records_feedback_and_starts_a_request(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "社保卡丢了怎么补办")
    after = await harness.press(CITIZEN, calls[0].button_data("没解决，转人工"))
    assert texts_of(after) == [texts.KB_SORRY, texts.FILE_ASK_CONTENT]
    assert await feedback(harness) == [("sbk-lost", False, "社保卡丢了怎么补办", "telegram")]
    # The declined answer is not given again as a direct answer in this conversation.
    again = await harness.say(CITIZEN, "/cancel")
    assert texts_of(again) == [texts.CANCELLED]


async def test_no_answer_offers_a_request(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "楼下早餐店油烟很大")
    assert texts_of(calls) == [texts.KB_NO_ANSWER]
    assert calls[0].buttons() == [["提交诉求"]]
    started = await harness.press(CITIZEN, calls[0].button_data("提交诉求"))
    assert texts_of(started) == [texts.FILE_ASK_CONTENT]


async def test_person_requested(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "转人工")
    assert texts_of(calls) == [texts.KB_PERSON.format(phone="12345", hours="7×24小时")]


async def test_suggestions_and_pick(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "小区停车")
    assert texts_of(calls) == [texts.KB_SUGGEST]
    rows = calls[0].buttons()
    assert rows[-1] == ["都不是，提交诉求"]
    assert ["小区停车位收费标准是多少"] in rows and ["小区停车位被占用怎么办"] in rows
    picked = await harness.press(CITIZEN, calls[0].button_data("小区停车位被占用怎么办"))
    assert texts_of(picked) == [
        "【小区停车位被占用怎么办】\n车位被占可以先联系物业协调处理。\n\n以上回答解决您的问题了吗？"
    ]


async def test_long_answer_is_split_under_4096(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "居住证办理全流程指南")
    sent = texts_of(calls)
    assert len(sent) == 2
    assert all(len(t) <= 4096 for t in sent)
    assert "".join(sent).replace("\n", "") == (
        "【居住证办理全流程指南】" + harness_long_answer() + "以上回答解决您的问题了吗？").replace("\n", "")
    # Buttons only under the last part.
    assert calls[0].buttons() == [] and calls[1].buttons() == [["解决了", "没解决，转人工"]]


def harness_long_answer() -> str:
    from tests.bot.conftest import LONG_ANSWER

    return LONG_ANSWER


async def test_unknown_command_and_empty_menu_button(harness: Harness) -> None:
    assert texts_of(await harness.say(CITIZEN, "/foo")) == [texts.UNKNOWN_COMMAND]
    assert texts_of(await harness.say(CITIZEN, "问问题")) == [texts.ASK_PROMPT]
