"""The unit router learns from the office's own dispatch decisions (tickets.routing_labels).

Weekly (scheduler job `routing_retrain`) or on demand (`classify retrain`): a model is
trained on the labels of the policy window (`routing.window_days`) that ends where the
most recent `routing.holdout_weeks` begin; those weeks are held out by time. The new model
is promoted only if it beats the one in use on the same held-out weeks (top-1 acceptance,
then top-3). With no model in use the comparison is with what the office was actually shown
on those weeks (the recorded suggestions of the keyword rules). Every trained model is kept,
with its metrics, window and library versions; the office is told of each promotion or
refusal; `promote VERSION` and `rollback` let a person overrule.

Labels are unit ids (a unit may be renamed); an inactive unit's labels are not trained on.
Weeks are Shanghai weeks, Monday to Monday, so the job's windows do not depend on the
minute it runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.classify import texts as t
from knowledge_base.classify.errors import ModelFormatError, ModelNotFound
from knowledge_base.classify.model import FORMAT_VERSION, TextClassifier
from knowledge_base.models import RoutingModel, RoutingModelStatus
from tickets.clock import SHANGHAI, ensure_aware
from tickets.context import Rules
from tickets.enums import UnitKind
from tickets.messaging import MessageKind, tell_office
from tickets.models import RoutingLabel, Unit
from tickets.routing_labels import iso_week, labels_between

log = logging.getLogger(__name__)
MODEL_PREFIX = "model:"
TOP = 3


def version_name(model_id: int) -> str:
    return f"{MODEL_PREFIX}{model_id}"


@dataclass(frozen=True)
class Acceptance:
    n: int
    top1: float
    top3: float

    def beats(self, other: Acceptance) -> bool:
        """Strictly better top-1, or the same top-1 and better top-3 (what the office sees first)."""
        return (self.top1, self.top3) > (other.top1, other.top3)

    def as_dict(self) -> dict[str, float | int]:
        return {"n": self.n, "top1": round(self.top1, 4), "top3": round(self.top3, 4)}


def model_acceptance(model: TextClassifier, texts: Sequence[str], labels: Sequence[str],
                     allowed: set[str] | None = None) -> Acceptance:
    """How often the label is the model's first / among its first three suggestions (among
    `allowed` labels, as the router suggests only active units)."""
    if not texts:
        return Acceptance(0, 0.0, 0.0)
    probs = model.probabilities(texts)
    names = model.labels
    hit1 = hit3 = 0
    for row, truth in zip(probs, labels, strict=True):
        order = [names[j] for j in row.argsort()[::-1] if allowed is None or names[j] in allowed][:TOP]
        hit1 += int(bool(order) and order[0] == truth)
        hit3 += int(truth in order)
    return Acceptance(len(texts), hit1 / len(texts), hit3 / len(texts))


def shown_acceptance(labels: Sequence[RoutingLabel]) -> Acceptance:
    """What the office was shown: the recorded suggestions (none shown counts as a miss)."""
    if not labels:
        return Acceptance(0, 0.0, 0.0)
    hit1 = hit3 = 0
    for label in labels:
        shown = [s.get("unit_id") for s in label.suggested][:TOP]
        hit1 += int(bool(shown) and shown[0] == label.unit_id)
        hit3 += int(label.unit_id in shown)
    return Acceptance(len(labels), hit1 / len(labels), hit3 / len(labels))


# --- storage -------------------------------------------------------------------------


def _pack(model: TextClassifier) -> tuple[bytes, str]:
    # The SVM's weights over hashed features are mostly zeros: compressed they are a few MB.
    raw = model.to_bytes()
    return zlib.compress(raw, 6), hashlib.sha256(raw).hexdigest()


_cache: dict[str, TextClassifier] = {}
_unreadable: set[str] = set()


def _unpack(row: RoutingModel) -> TextClassifier:
    """The row's model, loaded once per process (keyed by its bytes' hash)."""
    found = _cache.get(row.sha256)
    if found is None:
        found = TextClassifier.from_bytes(zlib.decompress(row.payload),
                                          source=t.MODEL_SOURCE.format(version=row.id))
        _cache.clear()  # one model in use at a time; an old one is not kept in memory
        _cache[row.sha256] = found
    return found


@dataclass(frozen=True)
class CurrentModel:
    version: str
    model: TextClassifier


async def promoted_row(session: AsyncSession) -> RoutingModel | None:
    return (await session.exec(
        select(RoutingModel).where(RoutingModel.status == RoutingModelStatus.PROMOTED)
        .order_by(col(RoutingModel.promoted_at).desc()))).first()


async def current_model(session: AsyncSession) -> CurrentModel | None:
    """The promoted model (None: cold start, the keyword rules route). One small query per
    call, so a promotion by another instance is used from its next suggestion on."""
    row_id = (await session.exec(
        select(RoutingModel.id, RoutingModel.sha256).where(RoutingModel.status == RoutingModelStatus.PROMOTED)
        .order_by(col(RoutingModel.promoted_at).desc()))).first()
    if row_id is None:
        return None
    model_id, sha = row_id
    model = _cache.get(sha)
    if model is None:
        row = await session.get(RoutingModel, model_id)
        assert row is not None
        try:
            model = await asyncio.to_thread(_unpack, row)
        except ModelFormatError as error:
            # A library upgrade made the model in use unreadable: dispatching must go on, by the
            # keyword rules, until the next retraining (which will then beat "nothing").
            if sha not in _unreadable:
                _unreadable.add(sha)
                log.warning("routing model %s cannot be used: %s", model_id, error.message)
            return None
    return CurrentModel(version_name(model_id), model)  # type: ignore[arg-type]


# --- retraining ----------------------------------------------------------------------


@dataclass(frozen=True)
class RetrainOutcome:
    version: int | None  # None: nothing trained (too few labels, or this week already done)
    promoted: bool
    reason: str  # what the office is told (Chinese)
    candidate: Acceptance | None = None
    current: Acceptance | None = None
    n_train: int = 0
    already: bool = False


def windows(rules: Rules, at: datetime) -> tuple[datetime, datetime, datetime]:
    """(train start, train end = held-out start, held-out end): whole Shanghai weeks before `at`."""
    local = ensure_aware(at).astimezone(SHANGHAI)
    monday = datetime.combine(
        local.date() - timedelta(days=local.weekday()), datetime.min.time(), tzinfo=SHANGHAI
    )
    policy = rules.policy.routing
    holdout_start = monday - timedelta(weeks=policy.holdout_weeks)
    return holdout_start - timedelta(days=policy.window_days), holdout_start, monday


async def _active_unit_ids(session: AsyncSession) -> set[str]:
    return {str(i) for i in (await session.exec(
        select(Unit.id).where(Unit.active == True, Unit.kind != UnitKind.OFFICE))).all()}  # noqa: E712


async def retrain(session: AsyncSession, *, rules: Rules, trigger: str = "manual", at: datetime | None = None,
                  week_key: str | None = None) -> RetrainOutcome:
    """Train, compare on the held-out weeks, promote or refuse, record, tell the office.
    `at` (default now) decides the weeks: the job passes its due time, so a late run trains
    on the same weeks. With `week_key` (the weekly job) a week already trained is not
    trained again."""
    now = at or rules.now()
    if week_key is not None and (await session.exec(
            select(RoutingModel.id).where(RoutingModel.week_key == week_key))).first() is not None:
        return RetrainOutcome(None, False, t.RETRAIN_ALREADY.format(week=week_key), already=True)
    start, split, end = windows(rules, now)
    active = await _active_unit_ids(session)
    train = [
        label
        for label in await labels_between(session, start=start, end=split)
        if str(label.unit_id) in active
    ]
    held = [
        label for label in await labels_between(session, start=split, end=end) if str(label.unit_id) in active
    ]
    policy = rules.policy.routing
    if len(train) < policy.min_train_labels or len({label.unit_id for label in train}) < 2:
        return RetrainOutcome(
            None,
            False,
            t.RETRAIN_TOO_FEW.format(n=len(train), need=policy.min_train_labels),
            n_train=len(train),
        )
    texts, labels = [label.text for label in train], [str(label.unit_id) for label in train]
    model = await asyncio.to_thread(TextClassifier.train, texts, labels)
    held_texts, held_labels = [label.text for label in held], [str(label.unit_id) for label in held]
    candidate = await asyncio.to_thread(model_acceptance, model, held_texts, held_labels, active)
    in_use = await current_model(session)
    if in_use is not None:
        current = await asyncio.to_thread(model_acceptance, in_use.model, held_texts, held_labels, active)
        current_name = in_use.version
    else:
        current = shown_acceptance(held)
        current_name = t.KEYWORD_RULES
    enough = len(held) >= policy.min_holdout_labels
    promote = enough and candidate.beats(current)
    payload, sha = _pack(model)
    row = RoutingModel(
        created_at=now,
        trigger=trigger,
        week_key=week_key,
        status=RoutingModelStatus.PROMOTED if promote else RoutingModelStatus.REFUSED,
        window_start=start,
        window_end=split,
        holdout_end=end,
        n_train=len(train),
        n_holdout=len(held),
        metrics={
            "candidate": candidate.as_dict(),
            "current": current.as_dict(),
            "current_version": current_name,
            "labels": len(set(labels)),
            "train_seconds": model.info.train_seconds,
        },
        libraries=model.info.libraries,
        format_version=FORMAT_VERSION,
        sha256=sha,
        payload=payload,
    )
    try:
        # A savepoint: another instance may store the same week meanwhile (the unique week key).
        async with session.begin_nested():
            if promote:
                await _retire_promoted(session)
                row.promoted_at = now
            session.add(row)
            await session.flush()
    except IntegrityError:
        return RetrainOutcome(None, False, t.RETRAIN_ALREADY.format(week=week_key), already=True)
    assert row.id is not None
    figures = dict(
        version=version_name(row.id),
        n=len(train),
        held=len(held),
        c1=candidate.top1,
        c3=candidate.top3,
        current=current_name,
        u1=current.top1,
        u3=current.top3,
    )
    if promote:
        reason = t.RETRAIN_PROMOTED.format(**figures)
    elif not enough:
        reason = t.RETRAIN_REFUSED_FEW_HELD.format(need=policy.min_holdout_labels, **figures)
    else:
        reason = t.RETRAIN_REFUSED.format(**figures)
    row.note = reason
    await tell_office(session, rules=rules, kind=MessageKind.ROUTING_MODEL, key=f"routing_model:{row.id}",
                      text=reason)
    return RetrainOutcome(row.id, promote, reason, candidate, current, len(train))


async def _retire_promoted(session: AsyncSession) -> None:
    await session.exec(update(RoutingModel).where(col(RoutingModel.status) == RoutingModelStatus.PROMOTED)
                       .values(status=RoutingModelStatus.RETIRED))


async def list_models(session: AsyncSession) -> list[RoutingModel]:
    """Every model, newest first (the payload is loaded too: there are few, one a week)."""
    return list((await session.exec(select(RoutingModel).order_by(col(RoutingModel.id).desc()))).all())


async def promote(session: AsyncSession, *, rules: Rules, version: int) -> RoutingModel:
    """A person's decision: use this model from now on (also one the weekly job refused)."""
    row = await session.get(RoutingModel, version)
    if row is None:
        raise ModelNotFound(t.ERR_NO_SUCH_MODEL.format(version=version))
    await asyncio.to_thread(_unpack, row)  # an old format is refused before it is put in use
    await _retire_promoted(session)
    row.status = RoutingModelStatus.PROMOTED
    row.promoted_at = rules.now()
    session.add(row)
    await tell_office(session, rules=rules, kind=MessageKind.ROUTING_MODEL,
                      key=f"routing_model:{row.id}:promoted:{rules.now().isoformat()}",
                      text=t.MODEL_PROMOTED_BY_HAND.format(version=version_name(version)))
    return row


async def rollback(session: AsyncSession, *, rules: Rules) -> RoutingModel | None:
    """Back to the model in use before the current one; None = back to the keyword rules."""
    current = await promoted_row(session)
    if current is None:
        raise ModelNotFound(t.ERR_NOTHING_TO_ROLL_BACK)
    earlier = (await session.exec(
        select(RoutingModel).where(RoutingModel.status == RoutingModelStatus.RETIRED,
                                   col(RoutingModel.promoted_at).is_not(None),
                                   col(RoutingModel.promoted_at) <= current.promoted_at,
                                   col(RoutingModel.id) != current.id)
        .order_by(col(RoutingModel.promoted_at).desc(), col(RoutingModel.id).desc()))).first()
    current.status = RoutingModelStatus.RETIRED
    # It is no longer "the one before" either: a second rollback goes further back.
    current.promoted_at = None
    session.add(current)
    if earlier is not None:
        earlier.status = RoutingModelStatus.PROMOTED
        session.add(earlier)
    back_to = version_name(earlier.id) if earlier is not None and earlier.id is not None else t.KEYWORD_RULES
    await tell_office(session, rules=rules, kind=MessageKind.ROUTING_MODEL,
                      key=f"routing_model:{current.id}:rollback:{rules.now().isoformat()}",
                      text=t.MODEL_ROLLED_BACK.format(version=version_name(current.id or 0), back_to=back_to))
    return earlier


def week_key_of(at: datetime) -> str:
    return iso_week(at)
