"""Chinese wording of the office's letters, summaries and reminders (the templates in
tickets/templates hold the letter bodies; these are the shorter texts around them)."""

from __future__ import annotations

from datetime import date

DEFAULT_OFFICE_NAME = "12345热线办"

# --- titles -----------------------------------------------------------------------
TITLE_DUTY_LOGIN = "未按时登录值守提示函"
TITLE_HANDLING_DAYS = "工作提示函"
TITLE_SUPERVISION = "督办工单周清单"

# --- pushes to the units' handlers (the letter itself follows as Markdown / .docx) ---
PUSH_DUTY_LOGIN = (
    "【提示函】{unit}：{day}截至 {deadline}，你单位未登录12345热线平台值守。请A、"
    "B角联络员每个工作日按时登录。详见提示函。"
)
PUSH_HANDLING_DAYS = (
    "【工作提示函】{unit}：你单位有 {count} 件工单办理已超过 {warning_days} 天，请在 {limit_days}"
    " 天时限内办结。工单清单见提示函。"
)
PUSH_SUPERVISION = (
    "【督办周清单】{unit}：本周有 {count} 件工单列入督办，请单位负责人阅处，从速办理。清单见附件。"
)

# --- summaries to the office ---------------------------------------------------------
OFFICE_DUTY_ALL_IN = "【值守登录检查】{day} {deadline}：应登录 {total} 个单位，全部已按时登录。"
OFFICE_DUTY_MISSING = (
    "【值守登录检查】{day} {deadline}：应登录 {total} 个单位，已登录 {logged_in} 个，"
    "未登录 {missing} 个，已发送提示函：\n{units}"
)
OFFICE_DUTY_NO_CALENDAR = (
    "\n（注意：{year}年节假日数据尚未发布，本次按周一至周五为工作日检查，请及时维护节假日配置。）"
)
OFFICE_STATISTICS = (
    "【办理天数统计】截至 {as_of}：{units} 个单位共有在办工单 {open} 件，其中超过 {warning_days} 天 "
    "{warned} 件、超过 {limit_days} 天 {over} 件，已向 {letters} 个单位发送《工作提示函》。"
)
OFFICE_STATISTICS_TOP = "\n超过 {warning_days} 天工单较多的单位：\n{lines}"
OFFICE_SUPERVISION = (
    "【督办周清单】{week}：{units} 个单位共 {count} 件工单列入督办（重复投诉 {repeat} 件、回访不满意"
    " {unsatisfied} 件、督办件 {supervised} 件）。"
)
OFFICE_SUPERVISION_NONE = "【督办周清单】{week}：本周没有需要督办的工单。"
UNIT_LINE = "· {unit}"
UNIT_COUNT_LINE = "· {unit}：{count} 件"

# --- letter table cells ------------------------------------------------------------
WARNING_ROW = "| {index} | {number} | {summary} | {received} | {days_open} 天 | {days_left} |"
DAYS_LEFT = "剩余 {days} 天"
DAYS_DUE_TODAY = "今日到期"
DAYS_OVER = "已超期 {days} 天"

# --- reminder digests --------------------------------------------------------------
REMINDER_HEADER = "【工单提醒】{unit}，以下工单请及时处理："
REMINDER_SECTION = {
    "urgent_feedback_overdue": "紧急工单未按时反馈（须在派单后 {hours} 小时内反馈）：",
    "urgent_feedback_due": "紧急工单请尽快反馈（须在派单后 {hours} 小时内反馈）：",
    "overdue": "已超过办结时限：",
    "completion_due": "即将到达办结时限：",
    "first_contact_due": "先行联系即将到期，请尽快联系诉求人：",
}
REMINDER_LINE = "· {number}（时限 {deadline}）{summary}"
REMINDER_MORE = "· 另有 {count} 件，请登录平台查看。"

# --- supervision table labels ---------------------------------------------------------
SUPERVISION_REASON_REPEAT = "重复投诉"
SUPERVISION_REASON_UNSATISFIED = "回访不满意"
SUPERVISION_REASON_SUPERVISED = "督办件"

# --- CLI ---------------------------------------------------------------------------------
NOTICE_KIND_LABEL = {
    "duty_login_missing": "未按时登录值守提示函",
    "handling_days_warning": "工作提示函",
    "supervision": "督办周清单",
    "hotspot": "民情专报",
}


def cn_date(day: date) -> str:
    """2026年11月23日"""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_week(day: date) -> str:
    """2026年第48周（11月23日—11月29日）"""
    from datetime import timedelta

    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    sunday = monday + timedelta(days=6)
    return f"{year}年第{week}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"
