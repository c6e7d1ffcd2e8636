"""The channel-independent conversation core: one citizen message in, one decision out.

The Telegram bot, the web API and any later channel call `answer()` and render its
`AnswerResult`; none of them decides bands or thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from knowledge_base import texts
from knowledge_base.matcher import KnowledgeBase, ScoredEntry
from knowledge_base.smalltalk import SmallTalk, out_of_scope, small_talk


class Band(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


class NextAction(StrEnum):
    ASK_IF_SOLVED = "ask_if_solved"  # show the answer and ask "解决了吗"
    CHOOSE_SUGGESTION = "choose_suggestion"  # show the 猜你想问 choices
    OFFER_PERSON = "offer_person"  # offer a person or a new ticket


class NoAnswerReason(StrEnum):
    EMPTY = "empty"
    PERSON_REQUESTED = "person_requested"
    SMALL_TALK = "small_talk"  # a greeting, thanks or goodbye: answered as a person would
    OUT_OF_SCOPE = "out_of_scope"  # not a matter for the hotline (stocks, weather…)
    NO_MATCH = "no_match"


@dataclass(frozen=True, slots=True)
class ConversationContext:
    """What the channel remembers of this citizen's conversation.

    `declined_entry_ids`: entries the citizen already said "没解决" to; they are never
    given again as a direct answer in this conversation, only as a choice.
    """

    declined_entry_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AnswerResult:
    band: Band
    entries: list[ScoredEntry]
    confidence: float
    next_action: NextAction
    no_answer_reason: NoAnswerReason | None = None
    candidates: list[ScoredEntry] = field(default_factory=list)
    small_talk: SmallTalk | None = None

    @property
    def best(self) -> ScoredEntry | None:
        return self.entries[0] if self.entries else None


def answer(kb: KnowledgeBase, text: str, context: ConversationContext | None = None) -> AnswerResult:
    """Decide the band for one message; never raises on any string."""
    context = context or ConversationContext()
    cfg = kb.config
    query = kb.prepare_query(text if isinstance(text, str) else "")
    if query.empty:
        return AnswerResult(Band.NONE, [], 0.0, NextAction.OFFER_PERSON, NoAnswerReason.EMPTY)
    talk = small_talk(query.normalized)
    if talk is SmallTalk.PERSON:
        return AnswerResult(Band.NONE, [], 0.0, NextAction.OFFER_PERSON, NoAnswerReason.PERSON_REQUESTED,
                            small_talk=talk)
    if talk is not None:
        return AnswerResult(
            Band.NONE, [], 0.0, NextAction.OFFER_PERSON, NoAnswerReason.SMALL_TALK, small_talk=talk
        )

    assessment = kb.assess(query)
    ranked = assessment.ranked
    if not ranked:
        return AnswerResult(Band.NONE, [], 0.0, NextAction.OFFER_PERSON, _no_match(query.normalized))
    best = ranked[0]
    lead = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    confidence = assessment.confidence
    hybrid = assessment.signals is not None
    threshold = (
        assessment.answer_threshold if assessment.answer_threshold is not None else cfg.answer_threshold
    )
    # Hybrid: a big lead over the runner-up is not enough when the best entry itself is
    # further from the question than the KB's entries are from each other ("明天会下雨吗").
    close = assessment.signals is None or assessment.signals.dense_top >= cfg.hybrid_answer_min_top
    # Two entries that fit equally well ("公积金": 提取, 查询, 贷款) make the question ambiguous:
    # answering one of them is a guess, 猜你想问 lets the citizen say which.
    distinct = assessment.signals is None or assessment.signals.fused_lead >= cfg.hybrid_answer_min_lead
    if (
        confidence >= threshold
        and close
        and distinct
        and (hybrid or lead >= cfg.answer_margin)
        and best.entry.id not in context.declined_entry_ids
    ):
        return AnswerResult(Band.ANSWER, [best], confidence, NextAction.ASK_IF_SOLVED, candidates=ranked)
    if assessment.signals is not None:
        # Cosines are compressed: a floor relative to the KB's own level, not a score.
        on_topic = (assessment.signals.dense_top >= cfg.hybrid_suggest_floor
                    and confidence >= cfg.hybrid_suggest_min_confidence)
        choices = ranked[: cfg.max_suggestions] if on_topic else []
    else:
        choices = [s for s in ranked if s.score >= cfg.suggest_threshold][: cfg.max_suggestions]
    if choices:
        return AnswerResult(
            Band.SUGGEST, choices, confidence, NextAction.CHOOSE_SUGGESTION, candidates=ranked
        )
    return AnswerResult(
        Band.NONE, [], confidence, NextAction.OFFER_PERSON, _no_match(query.normalized), candidates=ranked
    )


def _no_match(normalized: str) -> NoAnswerReason:
    """Nothing in the knowledge base: outside the hotline's remit, or a gap to file a request about."""
    return NoAnswerReason.OUT_OF_SCOPE if out_of_scope(normalized) else NoAnswerReason.NO_MATCH


def reply_text(result: AnswerResult) -> str:
    """Plain-text reply for channels without buttons (the bot adds its own keyboards)."""
    match result.band:
        case Band.ANSWER:
            assert result.best is not None
            return f"{result.best.entry.answer}\n\n{texts.ASK_SOLVED}"
        case Band.SUGGEST:
            lines = [f"{i}. {s.entry.question}" for i, s in enumerate(result.entries, start=1)]
            return "\n".join([texts.SUGGEST_HEADER, *lines])
        case Band.NONE:
            if result.no_answer_reason is NoAnswerReason.EMPTY:
                return texts.EMPTY_QUESTION
            if result.no_answer_reason is NoAnswerReason.PERSON_REQUESTED:
                return texts.PERSON_REQUESTED
            if result.no_answer_reason is NoAnswerReason.SMALL_TALK and result.small_talk is not None:
                return texts.SMALL_TALK[result.small_talk.value]
            if result.no_answer_reason is NoAnswerReason.OUT_OF_SCOPE:
                return texts.OUT_OF_SCOPE
            return texts.NO_ANSWER


def feedback_reply(
    solved: bool, context: ConversationContext, entry_id: str
) -> tuple[str, ConversationContext]:
    """What to say after "解决了" / "没解决", and the context to keep: an entry that did not
    help is not given again as a direct answer in this conversation. (Storing the
    feedback is knowledge_base.service.record_feedback.)"""
    if solved:
        return texts.THANKS_FOR_FEEDBACK, context
    declined = ConversationContext(declined_entry_ids=context.declined_entry_ids | {entry_id})
    return texts.SORRY_NOT_SOLVED, declined
