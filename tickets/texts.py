"""Every Chinese sentence of the ticket domain that a citizen, handler or office worker reads.

Kept apart from the code so wording can be reviewed and changed in one place.
"""

from __future__ import annotations

from tickets.enums import (
    Action,
    CallOutcome,
    Channel,
    RequestType,
    ResultCategory,
    Satisfaction,
    TicketStatus,
    UnitKind,
    Urgency,
)

REQUEST_TYPE = {
    RequestType.COMPLAINT: "投诉",
    RequestType.CONSULTATION: "咨询",
    RequestType.HELP: "求助",
    RequestType.SUGGESTION: "建议",
    RequestType.PRAISE: "表扬",
    RequestType.REPORT: "举报",
}
URGENCY = {Urgency.URGENT: "紧急", Urgency.SEMI_URGENT: "次紧急", Urgency.GENERAL: "一般"}
STATUS = {
    TicketStatus.RECEIVED: "已受理",
    TicketStatus.DISPATCHED: "已派单",
    TicketStatus.ACCEPTED: "办理中",
    TicketStatus.RETURN_REQUESTED: "退单审核中",
    TicketStatus.EXTENSION_REQUESTED: "延期审核中",
    TicketStatus.REPLIED: "已回复，待回访",
    TicketStatus.CLOSED: "已办结",
    TicketStatus.DIRECT_ANSWERED: "已直接答复",
    TicketStatus.SENT_BACK: "已退回来源单位",
    TicketStatus.RECALLED: "已撤回",
}
RESULT = {
    ResultCategory.SOLVED: "实际解决",
    ResultCategory.EXPLAINED: "解释说明",
    ResultCategory.DEMAND_TOO_HIGH: "诉求过高",
    ResultCategory.NOTED: "参考备案",
    ResultCategory.UNSOLVED: "未解决",
}
SATISFACTION = {
    Action.RECEIVE: "受理",
    Action.CALLBACK_ATTEMPT: "回访未接通",
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.AVERAGE: "一般",
    Satisfaction.UNSATISFIED: "不满意",
}
CHANNEL = {
    Channel.PHONE: "话务端",
    Channel.BOT: "机器人",
    Channel.WEB: "网络端",
    Channel.UPSTREAM: "上级平台",
    Channel.TELEPHONY: "电话",
    Channel.MAILBOX: "市长信箱",
}
UNIT_KIND = {
    UnitKind.OFFICE: "热线办",
    UnitKind.DEPARTMENT: "职能部门",
    UnitKind.STREET: "街镇",
    UnitKind.ENTERPRISE: "国有企业",
    UnitKind.COMMUNITY: "社区",
    UnitKind.UTILITY: "公用事业单位",
}
ACTION = {
    Action.RECEIVE: "受理",
    Action.CALLBACK_ATTEMPT: "回访未接通",
    Action.BRIEF_CONTACT: "先行简告",
    Action.DISPATCH: "派单",
    Action.DIRECT_ANSWER: "直接答复",
    Action.SEND_BACK: "退回来源单位",
    Action.ACCEPT: "接单",
    Action.FIRST_CONTACT: "先行联系",
    Action.SITE_VISIT: "现场查看",
    Action.REQUEST_RETURN: "申请退单",
    Action.APPROVE_RETURN: "同意退单",
    Action.REFUSE_RETURN: "不同意退单",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "同意延期",
    Action.REFUSE_EXTENSION: "不同意延期",
    Action.REPLY: "办结回复",
    Action.CLOSE: "结案",
    Action.REWORK: "退回重办",
    Action.SUPERVISE: "督办",
    Action.ARCHIVE: "存电",
    Action.URGE: "催办",
    Action.RECALL: "撤回",
    Action.RECHECK: "复核",
    Action.CALL_RECORDED: "双呼通话记录",
    Action.CONTACT_UNPROVEN: "先行联系无通话佐证",
    Action.WHISTLE: "吹哨",
    Action.REPORT_IN: "报到",
    Action.WHISTLE_MEETING: "吹哨现场会",
    Action.WHISTLE_REMINDED: "报到提醒",
    Action.WHISTLE_LATE: "报到超时通报",
    Action.WHISTLE_CLOSED: "吹哨结束",
    Action.DEPUTY_REFERRAL: "人大代表转办",
    Action.PUBLISH: "公开答复",
    Action.UNPUBLISH: "撤回公开",
}

# --- errors -------------------------------------------------------------------
SCHEMA_MISSING = ("数据库中还没有数据表。请先运行 python main.py init-db 建表"
                  "（或设置 HOTLINE_MIGRATE_ON_START=true，在启动时自动建表）。")
SCHEMA_OUTDATED = (
    "数据库结构不是当前版本（数据库为 {current}，程序需要 {head}{missing}）。"
    "请运行 python main.py init-db 升级（或设置 HOTLINE_MIGRATE_ON_START=true，在启动时自动升级）。"
)
SCHEMA_MISSING_TABLES = "，缺少数据表 {tables}"
SCHEMA_NO_VERSION = "未记录版本"

# --- configuration files the office edits (tickets.config_files) -------------------------
ERR_CONFIG_FILE = "配置文件 {file} 有误，未能载入："
ERR_CONFIG_NOT_MAPPING = "配置文件 {file} 应为“键: 值”形式的 YAML 映射。"
ERR_CONFIG_YAML = "配置文件 {file} 不是有效的 YAML：{reason}"
ERR_CONFIG_UNKNOWN_KEY = "- {section}没有“{key}”这一项"
ERR_CONFIG_KEY_BELONGS = "；“{key}”属于 {sections}，请移到那里。"
ERR_CONFIG_DID_YOU_MEAN = "，是否应为“{key}”？"
ERR_CONFIG_KNOWN_KEYS = "；可用的项：{keys}。"
ERR_CONFIG_VALUE = "- {where}：{reason}"
ERR_CONFIG_VALUE_READ = "- {where}：{reason}（文件中的值：{value}）"
CONFIG_TOP_LEVEL = "文件顶层"
CONFIG_SECTION = "{section} 下"
ERR_TICKET_NOT_FOUND = "未找到工单 {number}，请核对工单号。"
ERR_UNIT_NOT_FOUND = "未找到承办单位“{unit}”。"
ERR_STAFF_NOT_FOUND = "未找到该工作人员。"
ERR_ILLEGAL_TRANSITION = "工单 {number} 当前状态为“{status}”，不能进行“{action}”操作。"
ERR_ROLE_FORBIDDEN = "您没有权限对工单进行“{action}”操作。"
ERR_OTHER_UNIT = "工单 {number} 不属于您所在的单位，不能操作。"
ERR_NOT_OWN_TICKET = "只能对本人提交的工单进行此操作。"
ERR_BAD_PHONE = "电话号码“{phone}”格式不正确，请填写11位手机号或带区号的固定电话。"
ERR_CONTENT_EMPTY = "诉求内容不能为空。"
ERR_CONTENT_NO_WORDS = (
    "诉求内容需要用文字说明，只有表情或标点无法办理。请写明发生了什么、在哪里、希望怎样解决。"
)
ERR_CONTENT_TOO_LONG = "诉求内容共 {length} 字，超过 {limit} 字的上限，请精简后再提交。"
ERR_FIELD_TOO_LONG = "“{field}”超过 {limit} 字的上限。"
ERR_CONTROL_CHARACTER = "请求内容“{where}”含有不可见的控制字符（如 \\u0000），请删除后重新提交。"
ERR_RETURN_WINDOW = "退单须在接单后 {limit} 内提出，已超过时限，请先行办理（先执行、后申诉）。"
ERR_EXTENSION_WINDOW = "延期须在接单后 {limit} 内申请，已超过时限。"
ERR_REASON_REQUIRED = "请填写{what}。"
ERR_EXTENSION_DAYS = "延期天数须在 1 到 {limit} 个工作日之间。"
ERR_REPLY_MISSING = "办结回复缺少必要内容：{missing}。"
ERR_REPLY_NO_CONTACT = "尚未记录先行联系，请先联系诉求人再回复办结。"
ERR_SAME_UNIT = "新的承办单位不能与原单位相同。"
ERR_UNIT_INACTIVE = "承办单位“{unit}”已停用，不能派单。"
ERR_CALLBACK_INCOMPLETE = "回访结果不完整：{missing}。"
EMPTY_NUMBER = "（空）"
REPLY_TEXT_TOO_SHORT = "回复正文（至少 {limit} 字）"

# What a required reason or note is called in ERR_REASON_REQUIRED / ERR_FIELD_TOO_LONG.
WHAT_ANSWER = "答复内容"
WHAT_SEND_BACK = "退回原因"
WHAT_SITE_FINDINGS = "现场查看情况"
WHAT_RETURN_REASON = "退单理由"
WHAT_SUGGESTED_UNIT = "建议承办单位"
WHAT_NEW_UNIT = "改派的承办单位"
WHAT_RETURN_REFUSAL = "不同意退单的理由"
WHAT_EXTENSION_REASON = "延期理由"
WHAT_EXTENSION_REFUSAL = "不同意延期的理由"
WHAT_REWORK_REASON = "退回重办的理由"
WHAT_ARCHIVE_REASON = "存电理由"
WHAT_PLACE = "地点"
WHAT_NAME = "姓名"
WHAT_NOTE = "备注"
WHAT_CONTENT = "诉求内容"
WHAT_PHONE = "联系电话"
WHAT_CATEGORY = "分类"
WHAT_EXTERNAL_NUMBER = "外部工单号"
REWORK_AFTER_CALLBACK = "回访结果为未联系、未解决或不满意"

CITIZEN_ACTOR_NAME = "市民"
NO_DUE = "—"
# A deadline counted as if the ticket were dispatched now; the real term starts at dispatch.
DUE_EXPECTED = "{due} 前（预计，派单后正式起算）"
UNCATEGORISED = "未分类"
PERIOD_UNIT = {"working_days": "个工作日", "calendar_days": "天", "hours": "小时"}

REPLY_ELEMENT = {
    "contact_person": "联系人",
    "contacted_at": "先行联系时间",
    "site_findings": "现场查看情况",
    "facts": "核实的事实",
    "judgement": "处理意见",
    "citizen_opinion": "诉求人意见",
    "answered_at": "答复诉求人的时间",
    "answered_by": "答复人",
    "text": "回复正文",
}
CALLBACK_ELEMENT = {
    "contacted": "是否先联",
    "answered": "是否答复",
    "solved": "是否解决",
    "satisfaction": "满意度",
}

# --- staff invite codes (tickets.staff) -----------------------------------------
ERR_CODE_EMPTY = "请在 /bind 后面加上热线办发给您的邀请码，例如：/bind ABCD2345"
ERR_CODE_INVALID = "邀请码无效，请核对后重试。"
ERR_CODE_EXPIRED = "邀请码已过期，请联系热线办重新获取。"
ERR_CODE_USED = "邀请码已被使用，每个邀请码只能使用一次。"
ERR_TOO_MANY = "错误次数过多，请 {minutes} 分钟后再试。"
ERR_ALREADY_BOUND = "您的账号已绑定{name}（{unit}），无需重复绑定。"
ERR_BOUND_ELSEWHERE = "该工作人员已绑定其他账号。如需更换，请联系热线办。"
ERR_STAFF_INACTIVE = "该工作人员账号已停用，请联系热线办。"
ERR_NAME_REQUIRED = "{unit}还没有这样的工作人员：新建时请用 --name 和 --phone 填写姓名和电话。"
ERR_WHICH_STAFF = "{unit}有多名工作人员（{names}），请用 --slot A/B 或 --name 指明是谁。"

# --- citizens' web channel: SMS codes, tracking links, photos ------------------------
ERR_SMS_CODE_NEEDS_MOBILE = "验证码只能发送到手机号，请填写11位手机号码。"
ERR_SMS_CODE_WAIT = "验证码已发送，请 {seconds} 秒后再重新获取。"
ERR_SMS_CODE_TOO_MANY_PHONE = "该手机号获取验证码过于频繁，请一小时后再试。"
ERR_SMS_CODE_TOO_MANY_ADDRESS = "获取验证码过于频繁，请一小时后再试。"
ERR_SMS_CODE_EXPIRED = "验证码已过期或尚未获取，请重新获取验证码。"
ERR_SMS_CODE_WRONG = "验证码不正确，还可以再试 {left} 次。"
ERR_SMS_CODE_LOCKED = "验证码错误次数过多，请重新获取验证码。"
ERR_PHONE_NOT_VERIFIED = "手机号尚未验证或验证已过期，请重新获取验证码。"
ERR_LINK_INVALID = "查询链接无效，请核对短信中的链接，或用工单号和手机号查询。"
ERR_LINK_EXPIRED = "查询链接已过期，请用工单号和手机号查询。"
ERR_PHOTO_TOO_MANY = "最多可以上传 {limit} 张照片。"
ERR_PHOTO_TOO_LARGE = "照片“{name}”超过 {limit} MB，请压缩后再上传。"
ERR_PHOTO_TYPE = "文件“{name}”不是 JPG、PNG 或 WebP 格式的照片，请重新选择。"
ERR_PHOTO_PIXELS = "照片“{name}”尺寸过大，请缩小后再上传。"
ERR_PHOTO_FORBIDDEN = "只有热线办和承办单位可以查看诉求人上传的照片。"
ERR_PHOTO_NOT_FOUND = "未找到该照片。"

# --- 双呼 call evidence (tickets.calls) ---------------------------------------------
ERR_CALL_TICKET_NOT_FOUND = "未找到工单号 {number} 对应的工单，通话记录未保存，请核对工单号后重新推送。"
ERR_CALL_ANSWER_TIME = "通话结果为“接通”时须有接听时间，其他结果不应有接听时间。"
ERR_CALL_TIMES_ORDER = "通话时间有误：应为拨打时间 ≤ 接听时间 ≤ 挂断时间。"
ERR_CALL_IN_FUTURE = "通话挂断时间晚于当前时间，请校准时钟后重新推送。"
CALL_PLATFORM = "双呼平台"
CALL_OUTCOME = {
    CallOutcome.ANSWERED: "接通",
    CallOutcome.NO_ANSWER: "无人接听",
    CallOutcome.BUSY: "占线",
    CallOutcome.REFUSED: "拒接",
}
CALL_STAGE = {"brief_contact": "先行简告", "first_contact": "先行联系", "": "其他"}
# The audit note of a call record and of a first contact the calls do not back.
CALL_NOTE = "{stage}通话：{unit} {staff} {dialed}拨打，{outcome}"
CONTACT_UNPROVEN_NOTE = "双呼平台无对应通话记录（{what}），本次先行联系未经通话佐证。"
CONTACT_UNPROVEN_REACHED = "未找到承办单位拨打诉求人并接通的通话"
CONTACT_UNPROVEN_UNREACHED = "未找到承办单位拨打诉求人未接通的通话"
# What the calls prove, on the workbench and the handler's card (tickets.calls.describe).
PROOF_REACHED = "通话接通（{at}）"
PROOF_ATTEMPTS = "{n}次未接通（{times}）"
PROOF_IN_TIME = "已由双呼通话证实：{how}"
PROOF_LATE = "已由双呼通话证实，但晚于时限：{how}"
PROOF_NONE = "尚无双呼通话证实"
PROOF_NONE_ATTEMPTS = "尚无双呼通话证实（已计未接通{n}次：{times}；需{needed}次、每次间隔至少{gap}）"

# The public timeline of a ticket (tracking page): what a citizen may see, no names, no notes.
TIMELINE = {
    Action.RECEIVE: "诉求已受理",
    Action.DISPATCH: "已转交{unit}办理",
    Action.APPROVE_RETURN: "已改由{unit}办理",
    Action.DIRECT_ANSWER: "热线已直接答复",
    Action.SEND_BACK: "不属于本辖区，已退回来源单位",
    Action.APPROVE_EXTENSION: "承办单位申请延期已获同意",
    Action.REPLY: "{unit}已回复办理结果",
    Action.REWORK: "已退回{unit}重新办理",
    Action.CLOSE: "已办结",
    Action.RECHECK: "已交{unit}复核",
    Action.RECALL: "已撤回",
}
TIMELINE_UNIT = "承办单位"
TIMELINE_LETTER_RECEIVED = "市长信箱来信已受理"

# --- notifications (outbox payload texts) -------------------------------------
# The office's card of a new ticket, whatever the channel it came in by; the Telegram
# notifier adds the unit buttons and NEW_TICKET_SUGGESTED / NEW_TICKET_CHOOSE below it.
N_NEW_TICKET = "【新工单】{number}（{type}·{category}·{urgency}）\n地点：{place}\n{summary}"
NEW_TICKET_NO_CATEGORY = "待工作人员确定"
N_CALLBACK_REQUEST = "您好，关于您的诉求（工单号 {number}），承办单位已回复办理结果，想请您花一分钟做个回访："
N_TICKET_RECEIVED = "您的诉求已受理，工单号 {number}，办结时限：{due}。我们将尽快办理。"
N_LETTER_RECEIVED = "您写给市长信箱的信件已收到（信件编号 {number}），将在{period}内答复，预计{day}前。"
N_DISPATCHED = ("【新工单】{number}（{urgency}·{category}）\n地点：{place}\n{summary}\n"
                "先行联系时限：{first_contact_due}\n办结时限：{due}")
N_DISPATCHED_CITIZEN = "您的诉求（工单号 {number}）已转交{unit}办理，办结时限：{due}。"
N_RETURN_REQUESTED = "【退单申请】{unit} 申请退回工单 {number}：{reason}"
N_RETURN_APPROVED = "工单 {number} 的退单申请已同意，已改派{new_unit}。"
N_RETURN_REFUSED = "工单 {number} 的退单申请未获同意：{note}。请继续办理（先执行、后申诉）。"
N_EXTENSION_REQUESTED = "【延期申请】{unit} 申请工单 {number} 延期 {days} 个工作日：{reason}"
N_EXTENSION_APPROVED = "工单 {number} 的延期申请已同意，新的办结时限：{due}。"
N_EXTENSION_REFUSED = "工单 {number} 的延期申请未获同意：{note}。办结时限不变：{due}。"
N_REPLIED = "【待审核】{unit} 已回复工单 {number}（{result}），请审核并回访。"
# The unit's answer, sent to the citizen before the callback questions so they rate what they read.
N_REPLY_TO_CITIZEN = (
    "您的诉求（工单号 {number}）已由{unit}答复：\n办理结果：{result}\n答复内容：{reply}\n\n{contest}"
)
UNIT_UNKNOWN = "承办单位"
RESULT_DIRECT = "直接答复"
REPLY_CONTEST = (
    "如对答复有异议，可在回访时如实评价，或拨打{phone}热线（{hours}）反映，工单将退回承办单位重新办理。"
)
N_CLOSED_CITIZEN = "您的诉求（工单号 {number}）已办结。感谢您对12345热线的支持！"
N_REWORK = "【退回重办】工单 {number} 需重新办理：{note}"
N_SUPERVISED = "【督办】工单 {number} 已列为督办件，请从速办理。{note}"
N_URGED = "【催办】请加快办理工单 {number}。{note}"
N_RECALLED = "工单 {number} 已被上级平台撤回，无需继续办理。"
N_RECHECK = "【复核】工单 {number} 需复核，请在 {due} 前书面答复。{note}"
N_DIRECT_ANSWER_CITIZEN = "您的诉求（工单号 {number}）已答复：{note}"
N_CALLBACK_LINK = "\n请点击链接查看答复并评价：{url}"
N_TRACK_LINK = "\n查看进度：{url}"
N_VERIFICATION_CODE = "您的验证码是 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。"
N_SENT_BACK_CITIZEN = "您的诉求（工单号 {number}）不属于本辖区，已退回来源单位处理。"


WEEKDAYS = "一二三四五六日"


def fmt_day(value: object) -> str:
    """A deadline as a letter's writer reads it: the Shanghai date and its weekday."""
    from datetime import datetime

    from tickets.clock import local

    if not isinstance(value, datetime):
        return "—"
    day = local(value).date()
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def fmt_local(value: object) -> str:
    """A time as a Shanghai wall-clock string, the way people read deadlines."""
    from datetime import datetime

    from tickets.clock import local

    if not isinstance(value, datetime):
        return "—"
    return local(value).strftime("%Y-%m-%d %H:%M")

# --- main.py demo ---------------------------------------------------------------------
DEMO_PROGRESS = "生成演示工单"
# Who the demo's intake steps are recorded as (the timeline shows it to clerks).
DEMO_ACTOR = "12345话务员（演示）"
DEMO_LOADED = ("演示数据已生成：{units} 个单位，{staff} 名工作人员，{tickets} 件工单；"
               "已按 {checks} 个工作日运行登录值守检查，发出未登录提示函 {letters} 份。")
DEMO_LINKAGE = ("其中：吹哨报到 {whistles} 次，人大代表转办 {referrals} 件，政企通涉企诉求 {firms} 件"
                "（登记政策专员 {specialists} 名），市长信箱来信 {letters} 封（公开答复 {published} 封），"
                "集中反映的热点诉求 {hotspot} 件，同一市民反复反映 {repeats} 件。")
DEMO_BIND = """在机器人中使用工作人员身份（需设置 HOTLINE_TELEGRAM_TOKEN）：
  热线办账号：python main.py staff invite --unit {office} --office
  承办单位联络员（示例）：python main.py staff invite --unit {unit} --slot A
每条命令打印一个一次性邀请码，请本人在机器人中发送 /bind 邀请码 完成绑定。"""
DEMO_WEB = """网页（服务启动后）：
  市民端 H5：http://127.0.0.1:{port}/h5/
  工作台：http://127.0.0.1:{port}/console/ ，先设置密码：
    python main.py staff passwd --unit {office} --office
    python main.py staff passwd --unit {unit} --slot A"""

# --- 吹哨报到 and the deputies' linkage (tickets.whistles, tickets.deputies) -------------------
WHISTLE_BLOWER_OFFICE = "热线办"
ERR_WHISTLE_NOT_LEAD = "只有工单 {number} 的主办单位或热线办可以吹哨。"
ERR_WHISTLE_NO_UNITS = "吹哨须至少点名一个报到单位。"
ERR_WHISTLE_TOO_MANY = "一次吹哨最多点名 {limit} 个单位。"
ERR_WHISTLE_UNKNOWN_UNIT = "未找到单位（编号 {unit_id}），请核对后再点名报到单位。"
ERR_WHISTLE_UNIT_KIND = "{unit}（{kind}）不能被点名报到。"
ERR_WHISTLE_SELF = "{unit}是吹哨单位，不能点名自己报到。"
ERR_WHISTLE_OPEN = "工单 {number} 已有未结束的吹哨（{at} 吹哨），请在原吹哨中处理。"
ERR_WHISTLE_NONE = "工单 {number} 没有进行中的吹哨。"
ERR_WHISTLE_NOT_SUMMONED = "{unit}未被工单 {number} 的吹哨点名，无需报到。"
ERR_WHISTLE_ALREADY_IN = "{unit}已于 {at} 报到，无需重复报到。"
ERR_WHISTLE_MEETING_LEAD = "只有吹哨单位或热线办可以记录工单 {number} 的现场会。"
ERR_WHISTLE_MEETING_DAY = "现场会日期 {day} 不在可接受的范围内。"
WHAT_WHISTLE_REASON = "吹哨事由"
WHAT_MEETING_PLACE = "现场会地点"
WHAT_MEETING_ATTENDEES = "参会人员"
WHAT_MEETING_DECISIONS = "议定事项"
N_WHISTLE_SUMMONS = ("【吹哨报到】{blower}就工单 {number} 吹哨，请贵单位于 {due} 前报到，共同处置。\n"
                     "事由：{reason}\n诉求：{summary}\n地点：{place}")
N_WHISTLE_REPORTED_IN = "【报到】{unit}已就工单 {number} 的吹哨报到（{at}）。"
N_WHISTLE_REMINDER = "【报到提醒】工单 {number} 的吹哨报到时限（{due}）已到，贵单位尚未报到，请立即报到。"
N_WHISTLE_LATE = "【报到超时】{unit}未在时限（{due}）内就工单 {number} 的吹哨报到，提醒后仍未报到。"
N_WHISTLE_MEETING = (
    "【吹哨现场会】工单 {number}：{day} 于{place}召开现场会。参会：{attendees}。议定事项：{decisions}"
)
N_WHISTLE_CLOSED = "【吹哨结束】工单 {number} 已{status}，本次吹哨结束。"
WHAT_DEPUTY_NAME = "人大代表姓名"
WHAT_DEPUTY_STATION = "人大代表联系点"
ERR_DEPUTY_ALREADY = "工单 {number} 已标记为人大代表（{deputy}）转办。"
# --- 政企通 policy specialists and enterprise requests (tickets.enterprise) --------------------
ERR_CREDIT_CODE_LENGTH = "统一社会信用代码应为18位，您填写的是{length}位，请核对营业执照上的代码。"
ERR_CREDIT_CODE_CHARACTER = ("统一社会信用代码第{position}位“{char}”不是有效字符（代码只含数字和大写字母，"
                             "不含 I、O、Z、S、V），请核对。")
ERR_CREDIT_CODE_DIVISION = "统一社会信用代码第3至8位应为行政区划代码（6位数字），请核对。"
ERR_CREDIT_CODE_CHECK = (
    "统一社会信用代码校验位（第18位“{given}”）不正确，代码可能抄错了，请对照营业执照重新填写。"
)
ERR_ENTERPRISE_WHO = "请填写企业的统一社会信用代码或企业名称。"
ERR_POLICY_AREA_EMPTY = "请填写咨询的政策领域（如“税收优惠”“稳岗补贴”）。"
ERR_SPECIALIST_NOT_HANDLER = "“{name}”不是{unit}的联络员，不能登记为该单位的政策专员。"
ERR_SPECIALIST_EXISTS = "“{name}”已是“{area}”领域的政策专员。"
ERR_SPECIALIST_NOT_FOUND = "未找到政策专员 {id}。"
WHAT_COMPANY = "企业名称"
WHAT_POLICY_AREA = "政策领域"
N_SPECIALIST_ASSIGNED = ("【政企通】企业诉求 {number} 由您一对一服务\n企业：{company}\n政策领域：{area}\n"
                         "{summary}\n先行联系时限：{first_contact_due}\n办结时限：{due}")
SPECIALIST_ROUTER = "政企通专员分配"
SPECIALIST_ROUTED = "政企通：分配政策专员{name}（{area}）"
NO_SPECIALIST = "政企通：“{area}”领域暂无政策专员，待热线办派单"

# --- 市长信箱 letters (tickets.mailbox) --------------------------------------------------------
WHAT_LETTER_TITLE = "信件标题"
WHAT_PUBLIC_REPLY = "公开的答复内容"
ERR_LETTER_TITLE_EMPTY = "请填写信件标题。"
ERR_LETTER_TITLE_NO_WORDS = "信件标题需要用文字写明事由，只有表情或标点无法办理。"
ERR_LETTER_NO_CONSENT = "来信人未同意公开，信件 {number} 的答复不能公开。"
ERR_LETTER_NOT_FOUND = "工单 {number} 不是市长信箱来信。"
ERR_LETTER_ALREADY_PUBLISHED = "信件 {number} 的答复已经公开。"
ERR_LETTER_NOT_CLOSED = "信件 {number} 尚未回访结案，结案后才能公开。"
ERR_LETTER_NOT_PUBLISHED = "信件 {number} 没有公开，无需撤回。"
ERR_UNPUBLISH_REASON = "请填写撤回公开的原因。"
ERR_LETTER_TOO_MANY_ATTACHMENTS = "附件最多 {limit} 个，您上传了 {count} 个。"
N_LETTER_PUBLISHED = "您写给市长信箱的信件（{number}）及答复已按您的意愿公开，个人信息已隐去。"
PUBLIC_REDACTED = "＊＊"
CLI_ACTOR_NAME = "命令行"
SPECIALIST_ADDED = "已登记政策专员 #{id}：{unit} {name}，政策领域“{area}”。"
SPECIALIST_REMOVED = "政策专员 #{id}（{area}）已停用。"
SPECIALISTS_NONE = "政企通专员库中还没有政策专员。"
SPECIALIST_LINE = "#{id}  {unit}  {name}  {area}  在办企业诉求{open}件{state}"
SPECIALIST_INACTIVE = "（已停用）"
SPECIALIST_REGISTER = "管理政企通专员库"
