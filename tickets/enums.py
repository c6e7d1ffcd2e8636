"""Enumerations of the ticket domain. Values are stable English codes stored in the
database; the Chinese labels people read live in tickets/texts.py."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    OFFICE = "office"  # the hotline office itself (热线办 / 城运中心)
    DEPARTMENT = "department"  # 局
    STREET = "street"  # 街道 / 镇
    ENTERPRISE = "enterprise"  # state enterprise
    COMMUNITY = "community"  # 社区 / 居委会
    UTILITY = "utility"  # water, power, gas, heating


class HandlerSlot(StrEnum):
    A = "A"
    B = "B"


class Role(StrEnum):
    CITIZEN = "citizen"
    HANDLER = "handler"
    OFFICE = "office"
    SYSTEM = "system"  # scheduler, upstream platform, telephony


class Channel(StrEnum):
    PHONE = "phone"
    BOT = "bot"
    WEB = "web"
    UPSTREAM = "upstream"
    TELEPHONY = "telephony"
    MAILBOX = "mailbox"  # 市长信箱: letters with a title, their own deadlines, replies that may be published


class RequestType(StrEnum):
    COMPLAINT = "complaint"  # 投诉
    CONSULTATION = "consultation"  # 咨询
    HELP = "help"  # 求助
    SUGGESTION = "suggestion"  # 建议
    PRAISE = "praise"  # 表扬
    REPORT = "report"  # 举报


class Urgency(StrEnum):
    URGENT = "urgent"  # 紧急
    SEMI_URGENT = "semi_urgent"  # 次紧急
    GENERAL = "general"  # 一般


class TicketStatus(StrEnum):
    RECEIVED = "received"  # 受理, waiting for dispatch
    DISPATCHED = "dispatched"  # 派单, waiting for the unit
    ACCEPTED = "accepted"  # 接单, being handled (also after rework or a refused request)
    RETURN_REQUESTED = "return_requested"  # 退单申请, office decides
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请, office decides
    REPLIED = "replied"  # 办结回复, waiting for review and callback
    CLOSED = "closed"  # 结案
    DIRECT_ANSWERED = "direct_answered"  # 直接答复, never dispatched
    SENT_BACK = "sent_back"  # out of jurisdiction, returned to the sender
    RECALLED = "recalled"  # withdrawn by the upstream platform


OPEN_STATUSES: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.RECEIVED,
        TicketStatus.DISPATCHED,
        TicketStatus.ACCEPTED,
        TicketStatus.RETURN_REQUESTED,
        TicketStatus.EXTENSION_REQUESTED,
        TicketStatus.REPLIED,
    }
)
# Open and in a unit's hands: the ones deadlines and warning letters are about.
WITH_UNIT_STATUSES: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.DISPATCHED,
        TicketStatus.ACCEPTED,
        TicketStatus.RETURN_REQUESTED,
        TicketStatus.EXTENSION_REQUESTED,
    }
)


class Action(StrEnum):
    RECEIVE = "receive"  # creation; not a transition, but the first line of the audit trail
    BRIEF_CONTACT = "brief_contact"  # 先行简告 by the office
    DISPATCH = "dispatch"
    DIRECT_ANSWER = "direct_answer"
    SEND_BACK = "send_back"
    ACCEPT = "accept"
    FIRST_CONTACT = "first_contact"  # 先行联系 by the unit (one attempt)
    SITE_VISIT = "site_visit"
    REQUEST_RETURN = "request_return"
    APPROVE_RETURN = "approve_return"
    REFUSE_RETURN = "refuse_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REPLY = "reply"
    CALLBACK_ATTEMPT = "callback_attempt"  # the citizen could not be reached
    CLOSE = "close"  # after a positive callback
    REWORK = "rework"  # 退回重办 after review or a negative callback
    SUPERVISE = "supervise"
    ARCHIVE = "archive"  # 存电
    URGE = "urge"  # 催办
    RECALL = "recall"
    RECHECK = "recheck"  # 复核 of a closed ticket
    CALL_RECORDED = "call_recorded"  # a 双呼 platform call record attached to the ticket
    CONTACT_UNPROVEN = "contact_unproven"  # a first contact pressed without a qualifying call
    # 吹哨报到 (tickets.whistles): a same-state step of the ticket, written to its audit trail.
    WHISTLE = "whistle"  # the main unit (a street, a department) or the office summons units
    REPORT_IN = "report_in"  # a summoned unit reports in (报到)
    WHISTLE_MEETING = "whistle_meeting"  # the on-site meeting of a whistle, recorded
    # Not transitions (no one chooses them): the sweep's and the closing's lines of the trail.
    WHISTLE_REMINDED = "whistle_reminded"
    WHISTLE_LATE = "whistle_late"
    WHISTLE_CLOSED = "whistle_closed"
    DEPUTY_REFERRAL = "deputy_referral"  # 人大代表转办: the office flags a ticket a deputy referred
    PUBLISH = "publish"  # 公开: a mailbox letter and its reply shown on the public page (tickets.mailbox)
    UNPUBLISH = "unpublish"  # 撤回公开: a published letter taken off the public page again


class CallOutcome(StrEnum):
    """How a call of the 双呼 platform ended (its call-detail record)."""

    ANSWERED = "answered"  # 接通
    NO_ANSWER = "no_answer"  # 无人接听
    BUSY = "busy"  # 占线
    REFUSED = "refused"  # 拒接


class ResultCategory(StrEnum):
    SOLVED = "solved"  # 实际解决
    EXPLAINED = "explained"  # 解释说明
    DEMAND_TOO_HIGH = "demand_too_high"  # 诉求过高
    NOTED = "noted"  # 参考备案
    UNSOLVED = "unsolved"  # 未解决


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    AVERAGE = "average"  # 一般
    UNSATISFIED = "unsatisfied"  # 不满意


class OutboxChannel(StrEnum):
    TELEGRAM = "telegram"
    WECOM = "wecom"
    SMS = "sms"
    UPSTREAM = "upstream"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class NoticeKind(StrEnum):
    DUTY_LOGIN_MISSING = "duty_login_missing"  # 未登录值守提示函
    HANDLING_DAYS_WARNING = "handling_days_warning"  # 工作提示函 (open > 25 days)
    SUPERVISION = "supervision"  # weekly supervision list
    HOTSPOT = "hotspot"  # 民情专报
