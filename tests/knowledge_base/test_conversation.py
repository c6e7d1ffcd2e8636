"""The conversation core on the shipped knowledge base: exact bands, entries and actions."""

from __future__ import annotations

import pytest

from knowledge_base import texts
from knowledge_base.conversation import (
    Band,
    ConversationContext,
    NextAction,
    NoAnswerReason,
    answer,
    feedback_reply,
    reply_text,
)
from knowledge_base.matcher import Entry, KnowledgeBase
from knowledge_base.smalltalk import SmallTalk


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("社保卡丢了咋办", "sbk_lost"),
        ("請問社會保險卡丟了怎麼補辦？", "sbk_lost"),
        ("公积金怎么取出来", "gjj_withdraw"),
        ("宝宝刚出生怎么上户口", "newborn_hukou"),
        ("楼上太吵了晚上睡不着", "noise_neighbor"),
        ("停电了", "power_outage"),
        ("暖气不热", "heating_cold"),
        ("驾照到期了要换证", "driving_license_renew"),
        ("营业执照怎么办", "business_license"),
        ("低保", "dibao"),
        ("<b>公积金</b>提取", "gjj_withdraw"),
        ("ＧＪＪ公積金提取", "gjj_withdraw"),
        ("一二三四五热线管什么", "hotline_12345"),
        ("停水⚡⚡⚡ 什么时候来水？？？", "water_outage"),
        ("身分证丢了怎么办", "idcard_apply"),
    ],
)
def test_confident_questions_get_the_direct_answer(
    shipped_kb: KnowledgeBase, query: str, entry_id: str
) -> None:
    result = answer(shipped_kb, query)
    assert result.band is Band.ANSWER
    assert [s.entry.id for s in result.entries] == [entry_id]
    assert result.next_action is NextAction.ASK_IF_SOLVED
    assert shipped_kb.config.answer_threshold <= result.confidence <= 1.0
    assert reply_text(result).endswith(texts.ASK_SOLVED)
    assert reply_text(result).startswith(result.entries[0].entry.answer)


def test_ambiguous_question_offers_up_to_three_choices(shipped_kb: KnowledgeBase) -> None:
    # "跳槽" is in no entry and "转" is one character: close to several housing-fund entries.
    result = answer(shipped_kb, "跳槽了公积金怎么转")
    assert result.band is Band.SUGGEST
    assert result.next_action is NextAction.CHOOSE_SUGGESTION
    assert [s.entry.id for s in result.entries] == ["gjj_transfer", "gjj_withdraw", "gjj_employer"]
    assert result.confidence < shipped_kb.config.answer_threshold
    assert reply_text(result) == "\n".join(
        [texts.SUGGEST_HEADER, "1. 换工作了公积金怎么转移", "2. 公积金怎么提取", "3. 单位不给交公积金怎么办"]
    )


@pytest.mark.parametrize("query", ["帮我写一篇作文", "asdfghjkl"])
def test_unknown_questions_get_no_answer(shipped_kb: KnowledgeBase, query: str) -> None:
    result = answer(shipped_kb, query)
    assert result.band is Band.NONE
    assert result.entries == []
    assert result.next_action is NextAction.OFFER_PERSON
    assert result.no_answer_reason is NoAnswerReason.NO_MATCH
    assert reply_text(result) == texts.NO_ANSWER


@pytest.mark.parametrize("query", ["今天天气怎么样", "讲个笑话吧", "股票明天会涨吗"])
def test_out_of_scope_questions_say_so(shipped_kb: KnowledgeBase, query: str) -> None:
    result = answer(shipped_kb, query)
    assert (result.band, result.entries, result.no_answer_reason) == (
        Band.NONE,
        [],
        NoAnswerReason.OUT_OF_SCOPE,
    )
    assert reply_text(result) == texts.OUT_OF_SCOPE


@pytest.mark.parametrize(("query", "kind"), [
    ("你好", SmallTalk.GREETING), ("在吗？", SmallTalk.GREETING), ("您好呀~", SmallTalk.GREETING),
    ("谢谢！", SmallTalk.THANKS), ("好的，谢谢你", SmallTalk.THANKS), ("拜拜", SmallTalk.GOODBYE),
])
def test_small_talk_is_recognised_only_when_it_is_the_whole_message(shipped_kb: KnowledgeBase, query: str,
                                                                   kind: SmallTalk) -> None:
    result = answer(shipped_kb, query)
    assert (result.band, result.no_answer_reason, result.small_talk) == (
        Band.NONE,
        NoAnswerReason.SMALL_TALK,
        kind,
    )
    assert reply_text(result) == texts.SMALL_TALK[kind.value]
    assert answer(shipped_kb, f"{query}公积金怎么提取").no_answer_reason is not NoAnswerReason.SMALL_TALK


@pytest.mark.parametrize(
    "query", ["转人工", "我要找人工客服 社保卡丢了", "不要机器人，真人回答", "我要找人工"]
)
def test_asking_for_a_person_always_offers_one(shipped_kb: KnowledgeBase, query: str) -> None:
    result = answer(shipped_kb, query)
    assert (result.band, result.no_answer_reason) == (Band.NONE, NoAnswerReason.PERSON_REQUESTED)
    assert reply_text(result) == texts.PERSON_REQUESTED


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   \n\t ",
        "😀😀🎉",
        "？？？！！！",
        "<p></p>",
        "\ud800abc",  # lone surrogate from a broken client
        "\x00\x01\x02",
        "x" * 5000,
        "社保卡" * 2000,
        "我家楼下饭店油烟很大，" * 500,
        "SHEBAOKA 社保卡 lost بطاقة 사회보장카드",
        '{"broken": json',
        "<script>alert(1)</script>",
    ],
)
def test_bad_input_never_raises(shipped_kb: KnowledgeBase, query: str) -> None:
    result = answer(shipped_kb, query)
    assert result.band in set(Band)
    assert 0.0 <= result.confidence <= 1.0
    assert reply_text(result)


def test_empty_input_asks_for_a_question(shipped_kb: KnowledgeBase) -> None:
    result = answer(shipped_kb, "  😀 ")
    assert (result.band, result.no_answer_reason) == (Band.NONE, NoAnswerReason.EMPTY)
    assert reply_text(result) == texts.EMPTY_QUESTION


def test_very_long_message_still_finds_the_entry(shipped_kb: KnowledgeBase) -> None:
    text = "我家楼下饭店油烟很大，" * 500
    result = answer(shipped_kb, text)
    assert result.band is Band.ANSWER
    assert result.entries[0].entry.id == "cooking_fume"


def test_an_answer_declined_in_this_conversation_is_only_suggested(shipped_kb: KnowledgeBase) -> None:
    context = ConversationContext(declined_entry_ids=frozenset({"sbk_lost"}))
    result = answer(shipped_kb, "社保卡丢了咋办", context)
    assert result.band is Band.SUGGEST
    assert result.entries[0].entry.id == "sbk_lost"


def test_an_empty_knowledge_base_answers_nothing(segmenter) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase([], segmenter=segmenter)
    result = answer(kb, "社保卡丢了咋办")
    assert (result.band, result.no_answer_reason) == (Band.NONE, NoAnswerReason.NO_MATCH)


def test_duplicate_entry_ids_are_refused(segmenter) -> None:  # type: ignore[no-untyped-def]
    entry = Entry(id="a", question="社保卡怎么办", answer="答")
    with pytest.raises(ValueError, match="duplicate"):
        KnowledgeBase([entry, entry], segmenter=segmenter)


def test_not_solved_offers_a_person_and_stops_repeating_the_answer(shipped_kb: KnowledgeBase) -> None:
    first = answer(shipped_kb, "社保卡丢了咋办")
    assert first.best is not None
    text, context = feedback_reply(False, ConversationContext(), first.best.entry.id)
    assert text == texts.SORRY_NOT_SOLVED
    assert context.declined_entry_ids == {"sbk_lost"}
    again = answer(shipped_kb, "社保卡丢了怎么补办", context)
    assert again.band is Band.SUGGEST
    thanks, same = feedback_reply(True, context, "sbk_lost")
    assert (thanks, same) == (texts.THANKS_FOR_FEEDBACK, context)
