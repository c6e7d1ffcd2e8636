"""Every sentence the Telegram bot shows to citizens, handlers and office staff.

Labels of domain values (status, urgency, result, satisfaction, request type) come from
tickets/texts.py; this module holds the bot's own wording.
"""

from __future__ import annotations

from knowledge_base import texts as ktexts
from tickets import texts as ttexts

# --- menus and buttons ----------------------------------------------------------
BTN_ASK = "问问题"
BTN_FILE = "我要反映"
BTN_STATUS = "查进度"
BTN_MINE = "我的诉求"
CITIZEN_MENU = (BTN_ASK, BTN_FILE, BTN_STATUS, BTN_MINE)
BTN_CANCEL = "取消"
MENU_BUTTONS = (*CITIZEN_MENU, BTN_CANCEL)

BTN_SOLVED = "解决了"
BTN_NOT_SOLVED = "没解决，转人工"
BTN_FILE_REQUEST = "提交诉求"
BTN_NONE_OF_THESE = "都不是，提交诉求"
BTN_SHARE_CONTACT = "📱 发送我的手机号"
BTN_SHARE_LOCATION = "📍 发送当前位置"
BTN_SKIP_PHOTO = "不加照片，继续"
BTN_CONFIRM = "✅ 确认提交"
BTN_CHANGE_TYPE = "修改类型"
BTN_CHANGE_CATEGORY = "修改分类"

BTN_ACCEPT = "接单"
BTN_CONTACTED = "已先行联系"
BTN_RETURN = "申请退单"
BTN_EXTEND = "申请延期"
BTN_REPLY = "回复办结"
BTN_REACHED = "已联系上"
BTN_UNREACHED = "未接通"
BTN_APPROVE = "同意"
BTN_REPORT_IN = "报到"
BTN_REFUSE = "不同意"
BTN_OTHER_UNIT = "其他单位…"
BTN_YES = "是"
BTN_REVIEW_OK = "审核通过并回访"
BTN_REVIEW_REWORK = "退回重办"
BTN_PREV_PAGE = "‹ 上一页"
BTN_NEXT_PAGE = "下一页 ›"
BTN_NO = "否"

# --- commands (setMyCommands descriptions) -----------------------------------------
CMD_START = "开始 / 主菜单"
CMD_STATUS = "查询工单进度：/status 工单号"
CMD_MINE = "我的诉求"
CMD_CANCEL = "取消当前操作"
CMD_HELP = "使用帮助"
CMD_BIND = "工作人员绑定账号：/bind 邀请码"
CMD_CHECKIN = "登录值守并查看今日任务"
CMD_MYTICKETS = "本单位的工单"
CMD_DUTY = "今日各单位值守登录情况"
CMD_OVERDUE = "超期工单"
CMD_PENDING = "待审批的退单和延期申请"
CMD_NEW = "待派单的新工单"
CMD_CALLBACK = "发起回访：/callback 工单号"

# --- common --------------------------------------------------------------------------
WELCOME_CITIZEN = (
    "您好，这里是12345政务服务便民热线。\n"
    "您可以直接输入问题，我们会先从知识库为您解答；也可以提交诉求，由相关部门办理。\n"
    "请选择下方菜单："
)
WELCOME_HANDLER = (
    "您好，{name}（{unit}）。\n"
    "/checkin 登录值守并查看今日任务\n/mytickets 本单位的工单\n/status 工单号 查询工单"
)
WELCOME_OFFICE = (
    "您好，{name}。\n"
    "/new 待派单工单　/pending 待审批申请\n/duty 值守登录情况　/overdue 超期工单\n/callback 工单号 发起回访"
)
HELP = (
    "使用说明：\n"
    "· 直接输入问题，例如“社保卡丢了怎么补办”，我们会为您查找答案；\n"
    "· 点“我要反映”提交诉求，按提示填写内容、地点和联系电话；\n"
    "· /status 工单号 查询办理进度；“我的诉求”查看您提交过的工单；\n"
    "· 任何时候输入 /cancel 可以取消当前操作。"
)
CANCELLED = "已取消当前操作。还有什么可以帮您？"
NOTHING_TO_CANCEL = "当前没有进行中的操作。"
ASK_PROMPT = "请直接输入您想咨询的问题，例如“社保卡丢了怎么补办”。"
ERROR_GENERIC = "抱歉，系统暂时出了点问题，请稍后再试。您刚才的操作没有生效。"
NOT_ALLOWED_STAFF = "该功能仅供承办单位和热线办的工作人员使用。工作人员请先用 /bind 邀请码 绑定账号。"
NOT_ALLOWED_OFFICE = "该功能仅供热线办工作人员使用。"
UNKNOWN_COMMAND = "暂不支持该指令。输入 /help 查看使用说明。"
UNSUPPORTED_CONTENT = "抱歉，暂时只能识别文字、照片和位置。请用文字描述您的问题。"
VOICE_NOT_SUPPORTED = "抱歉，暂时无法识别语音消息，请用文字描述您的问题。"
STICKER_REPLY = "收到～如有问题请直接用文字描述，我们会尽快为您解答。"
EDITED_IGNORED = "已收到您修改后的消息。修改不会改变已提交的内容；如需补充，请直接发送新消息。"
GROUP_ONLY_PRIVATE = "为保护个人信息，请私聊我办理咨询和诉求。"
EXPIRED_BUTTON = "该按钮已失效，请重新操作。"
TEXT_REQUIRED = "请用文字回复。"
STEP_COMMAND = "暂不支持该指令。输入 /help 查看使用说明。"
# A command during a multi-step input: answered, then the person is back at their step.
DRAFT_KEPT = "{doing}，已保存草稿，继续请{step}，放弃请 /cancel。"
DRAFT_DOING_FILE = "您正在提交诉求"
DRAFT_DOING_RETURN = "您正在申请退回工单 {number}"
DRAFT_DOING_EXTENSION = "您正在申请延期工单 {number}"
DRAFT_DOING_REPLY = "您正在回复办结工单 {number}"
DRAFT_DOING_REFUSAL = "您正在填写不同意的理由（工单 {number}）"
DRAFT_DOING_REWORK = "您正在填写退回重办的理由（工单 {number}）"
STEP_CONTENT = "描述问题"
STEP_PLACE = "输入地点"
STEP_PHONE = "输入联系电话"
STEP_CONFIRM = "核对后点“确认提交”"
STEP_RETURN_REASON = "输入退单理由"
STEP_RETURN_UNIT = "输入建议承办单位"
STEP_EXTENSION_REASON = "输入延期理由"
STEP_EXTENSION_DAYS = "输入延期天数"
STEP_REPLY_FIELD = "输入{field}"
STEP_REASON = "输入理由"
PHOTO_OUTSIDE_FLOW = "如需反映问题并附上照片或位置，请先点“我要反映”，再按提示发送。"

# --- knowledge base ----------------------------------------------------------------
KB_ASK_SOLVED = ktexts.ASK_SOLVED
# A direct answer opens with the question it answers (as on H5): a citizen whose words were
# matched to a sibling entry (补领 / 换领) sees at once which one it is.
KB_ANSWER = "【{question}】\n{answer}\n\n" + KB_ASK_SOLVED
KB_SUGGEST = ktexts.SUGGEST_HEADER
KB_NO_ANSWER = ktexts.NO_ANSWER
KB_EMPTY = "请用一句话描述您想咨询或反映的问题，例如“社保卡丢了怎么补办”。"
KB_PERSON = (
    "好的，需要人工服务可以：\n"
    "· 拨打{phone}热线，人工坐席服务时间：{hours}；\n"
    "· 或点下方“提交诉求”，写明情况后由工作人员转交相关部门办理。"
)
KB_GREETING = "您好！这里是12345政务服务便民热线。请直接输入您想咨询的问题，或点下方菜单提交诉求、查询进度。"
KB_THANKS_REPLY = ktexts.SMALL_TALK["thanks"]
KB_GOODBYE = ktexts.SMALL_TALK["goodbye"]
KB_OUT_OF_SCOPE = ktexts.OUT_OF_SCOPE
# Staff typing outside any step: their words are not a citizen's question.
STAFF_FREE_TEXT_HANDLER = (
    "当前没有进行中的操作。/mytickets 查看本单位工单，在工单卡片上点按钮办理；/checkin 登录值守。"
)
STAFF_FREE_TEXT_OFFICE = "当前没有进行中的操作。/new 待派单工单，/pending 待审批申请，/overdue 超期工单。"
KB_THANKS = "感谢您的反馈，很高兴能帮到您！"
KB_SORRY = "抱歉没能帮到您。您可以提交诉求，由工作人员为您办理。"

# --- filing a request ----------------------------------------------------------------
FILE_ASK_CONTENT = (
    "请描述您要反映的问题：发生了什么、持续多久、希望怎样解决。可以附一张照片。\n（随时输入 /cancel 取消）"
)
FILE_ASK_PHOTO_TEXT = "照片已收到。请再用文字描述一下问题。"
FILE_CONTENT_EMPTY = "诉求内容不能为空，请用文字描述您的问题。"
FILE_ASK_PLACE = "问题发生在哪里？请输入详细地址（如：某某路某号某小区），或点下方按钮发送位置。"
FILE_PLACE_LOCATION = "位置：{lat:.5f}, {lon:.5f}"
FILE_ASK_PHONE = "请留下联系电话，方便承办单位与您联系。可以点下方按钮发送手机号，也可以直接输入。"
FILE_PHONE_NOT_OWN = "请发送您本人的手机号，或直接输入号码。"
FILE_SUMMARY = (
    "请核对您的诉求：\n"
    "类型：{type}\n分类：{category}\n地点：{place}\n电话：{phone}\n照片：{photos}\n"
    "内容：{content}\n\n确认无误请点“确认提交”，也可以修改类型或分类。"
)
FILE_NO_CATEGORY = ttexts.NEW_TICKET_NO_CATEGORY
FILE_PHOTOS = "{count} 张"
FILE_NO_PHOTOS = "无"
FILE_CHOOSE_TYPE = "请选择诉求类型："
FILE_CHOOSE_CATEGORY = "请选择诉求分类："
FILE_DONE = (
    "您的诉求已受理，工单号：{number}\n"
    "办结时限：{due}\n"
    "可随时发送 /status {number} 查询进度。"
)
FILE_NOT_STARTED = "这一步已经结束了。如需提交诉求，请点“我要反映”。"

# --- status and my tickets ---------------------------------------------------------------
STATUS_USAGE = "请在 /status 后面加上工单号，例如：/status 2026112300001"
STATUS_ASK_NUMBER = "请输入要查询的工单号："
STATUS_OWN = (
    "工单号：{number}\n状态：{status}\n类型：{type}　分类：{category}\n承办单位：{unit}\n"
    "受理时间：{received}\n办结时限：{due}\n地点：{place}\n内容：{content}"
)
STATUS_ASK_PHONE = "该工单不是用您的账号提交的。为保护隐私，请输入工单登记电话的后四位："
STATUS_PHONE_WRONG = "电话后四位不正确，还可以再试 {left} 次。"
STATUS_PHONE_LOCKED = "验证次数过多，请联系12345热线人工查询。"
STATUS_PUBLIC = ("工单号：{number}\n状态：{status}\n类型：{type}　分类：{category}\n"
                 "承办单位：{unit}\n受理时间：{received}\n办结时限：{due}")
STATUS_NO_UNIT = "待派单"
MINE_EMPTY = "您还没有提交过诉求。点“我要反映”可以提交。"
MINE_HEADER = "您的诉求（最近 {count} 件）："
MINE_LINE = "· {number}　{status}　时限 {due}\n  {summary}"
MINE_REPLY = "  答复（{result}）：{reply}　详情 /status {number}"

# --- callback (回访) -----------------------------------------------------------------------
CB_INTRO = ttexts.N_CALLBACK_REQUEST
CB_Q_CONTACTED = "1. 承办单位是否先与您联系过？"
CB_Q_ANSWERED = "2. 承办单位是否答复了您的诉求？"
CB_Q_SOLVED = "3. 您的问题是否已经解决？"
CB_Q_SATISFACTION = "4. 您对办理结果是否满意？"
CB_DONE_CLOSED = "感谢您的评价！工单 {number} 已办结。"
CB_DONE_REWORK = "感谢您的反馈！我们已将工单 {number} 退回承办单位重新办理，请您留意后续联系。"
CB_ALREADY = "该回访已完成，感谢您的配合。"
CB_SENT = "已向市民发送工单 {number} 的回访问题，结果会自动记录。"
CB_NO_TELEGRAM = "工单 {number} 的诉求人未使用机器人，请电话回访。"
CB_NOT_READY = "工单 {number} 当前状态为“{status}”，只有已回复的工单才能回访。"
CB_USAGE = "请在 /callback 后面加上工单号，例如：/callback 2026112300001"

# --- handlers ----------------------------------------------------------------------------------
BIND_OK = "绑定成功！您是{unit}的{name}。\n/checkin 登录值守，/mytickets 查看本单位工单。"
BIND_OK_OFFICE = "绑定成功！您是热线办的{name}。\n/new 待派单工单，/pending 待审批申请。"
CHECKIN_DONE = (
    "{unit}今日已登录值守（{date}）。\n今日任务：\n· 待接单 {new} 件\n· 办理中 {in_progress} 件\n· 即将到期"
    " {due_soon} 件\n· 已超期 {overdue} 件"
)
CHECKIN_HINT = "发送 /mytickets 查看工单详情。"
MYTICKETS_EMPTY = "本单位目前没有待办工单。"
MYTICKETS_HEADER = ("本单位待办工单共 {total} 件（已超期 {overdue} · 即将到期 {due_soon} · 新工单 {new} · "
                    "办理中 {in_progress}），第 {page}/{pages} 页，点工单号查看并办理：")
MYTICKETS_LINE = (
    "{index}. 【{section}】{number}　{urgency}·{category}\n   地点：{place}　时限：{due}\n   {summary}"
)
MYTICKETS_BUTTON = "{index}. {number}（{section}）"
SECTION_NEW = "新工单"
SECTION_DUE_SOON = "即将到期"
SECTION_OVERDUE = "已超期"
SECTION_IN_PROGRESS = "办理中"
CARD = (
    "工单 {number}（{status}）\n{urgency}·{type}·{category}\n"
    "诉求人：{name} {phone}\n地点：{place}\n内容：{content}\n"
    "先行联系时限：{first_contact_due}\n办结时限：{due}"
)
CARD_PHOTOS = "附照片 {count} 张"
CARD_CALLS = "双呼通话 {count} 次{last}\n先行联系：{proof}"
CARD_LAST_CALL = "（最近 {at}，{outcome}）"
CARD_NO_NAME = "（未留姓名）"
DONE_ACCEPT = "已接单：{number}。请在 {due} 前先行联系诉求人。"
DONE_REPORT_IN = "已报到：工单 {number}（{at}，{timely}）。请配合吹哨单位联合处置。"
REPORT_IN_ON_TIME = "按时报到"
REPORT_IN_LATE = "超时报到"
ASK_CONTACT_RESULT = "工单 {number}：本次联系诉求人的结果？"
DONE_CONTACT_REACHED = "已记录先行联系：{number}（已联系上）。"
DONE_CONTACT_UNREACHED = "已记录一次未接通：{number}（有效尝试 {attempts} 次）。"
ASK_RETURN_REASON = "申请退回工单 {number}。请说明退单理由："
ASK_RETURN_UNIT = "请填写您认为应由哪个单位承办："
DONE_RETURN = "退单申请已提交（工单 {number}），请等待热线办审核。审核期间请继续关注。"
ASK_EXTENSION_REASON = "申请延期工单 {number}。请说明延期理由："
ASK_EXTENSION_DAYS = "需要延期几个工作日？请点按钮或输入天数："
EXTENSION_DAYS_BAD = "请输入 1 到 {limit} 之间的整数。"
DONE_EXTENSION = "延期申请已提交（工单 {number}，{days} 个工作日），请等待热线办审核。"
ASK_RESULT = "回复办结工单 {number}。请选择办理结果："
# The reply, one element at a time ({step}/{steps}); a whole labelled form pasted at once is taken too.
ASK_REPLY_FIELD = "（{step}/{steps}）请输入{label}：{hint}"
REPLY_HINT = {
    "contact_person": "本次与诉求人联系的工作人员姓名",
    "facts": "核实到的情况",
    "judgement": "处理意见或办理结果",
    "citizen_opinion": "诉求人对处理的意见",
    "answered_by": "答复诉求人的工作人员",
    "answered_at": "如“15:30”（今天）或“2026-11-23 15:30”；刚刚答复可输入“现在”",
    "site_findings": "现场查看到的情况",
    "text": "写给诉求人的答复，说明办理经过和结果，至少 {limit} 字",
}
REPLY_STARTED = "办理结果：{result}。接下来逐项填写办结回复，随时输入 /cancel 放弃。"
REPLY_NOW_WORDS = ("现在", "刚刚", "刚才")
REPLY_BAD_TIME = "答复时间“{value}”无法识别，请写成“15:30”（今天）或“2026-11-23 15:30”。"
REPLY_FUTURE_TIME = "答复时间“{value}”晚于现在（{now}），请填写已经答复诉求人的时间。"
REPLY_TEXT_SHORT = "回复正文只有 {length} 字，至少需要 {limit} 字，请写明办理经过和结果。"
REPLY_UNKNOWN_LABEL = "无法识别的项目：{labels}。可以填写的项目有：{known}。"
REPLY_EMPTY_FIELD = "{label}不能为空，请输入{label}。"
REPLY_SUMMARY = (
    "请核对办结回复（工单 {number}）：\n办理结果：{result}\n{lines}\n\n确认无误请点“确认提交”，"
    "需要修改请点“重新填写”。"
)
REPLY_SUMMARY_LINE = "{label}：{value}"
BTN_REPLY_CONFIRM = "✅ 确认提交"
BTN_REPLY_REDO = "重新填写"
DONE_REPLY = "办结回复已提交（工单 {number}，{result}），等待热线办审核回访。"
WRONG_UNIT = "工单 {number} 不属于您所在的单位，不能操作。"

# --- office ---------------------------------------------------------------------------------------
DUTY_HEADER = "今日（{date}）值守登录情况：已登录 {logged}/{total}"
DUTY_LINE_OK = "✅ {unit}　{time}"
DUTY_LINE_MISSING = "❌ {unit}　未登录"
OVERDUE_EMPTY = "目前没有超期工单。"
# The office's queues, a page at a time ({index}: the place in the whole list).
OVERDUE_HEADER = "超期工单共 {total} 件（超期最久的在前），第 {page}/{pages} 页："
OVERDUE_LINE = "{index}. {number}　{unit}　超期 {days} 天　{status}"
NEW_HEADER = "待派单工单共 {total} 件（紧急优先，其次受理最早的），第 {page}/{pages} 页，点工单号派单："
NEW_LINE = "{index}. {number}（{urgency}·{category}）受理 {received}\n   {summary}"
PENDING_HEADER = (
    "待审批的退单和延期申请共 {total} 件（紧急优先，其次时限最近的），第 {page}/{pages} 页，点工单号审批："
)
PENDING_LINE = "{index}. 【{request}】{number}　{unit}　时限 {due}"
PENDING_KIND_RETURN = "退单"
PENDING_KIND_EXTENSION = "延期"
QUEUE_BUTTON = "{index}. {number}"
ASK_REWORK_REASON = "退回重办工单 {number}。请填写退回的理由（将告知承办单位）："
PENDING_EMPTY = "目前没有待审批的退单或延期申请。"
PENDING_RETURN = "【退单申请】工单 {number}\n承办单位：{unit}\n理由：{reason}\n建议承办单位：{suggested}"
PENDING_EXTENSION = (
    "【延期申请】工单 {number}\n承办单位：{unit}\n申请延期：{days} 个工作日\n理由：{reason}\n当前时限：{due}"
)
ASK_NEW_UNIT = "同意退单。请选择改派的承办单位："
ASK_REFUSE_REASON = "请填写不同意的理由（将告知承办单位）："
DONE_DECIDE = "已处理：工单 {number}，{action}。"
NEW_EMPTY = "目前没有待派单的工单。"
# Below tickets.texts.N_NEW_TICKET, above the unit buttons.
NEW_TICKET_SUGGESTED = "建议派往："
CHOOSE_UNIT = "请选择承办单位："
DONE_DISPATCH = "工单 {number} 已派往{unit}。"

REQUEST_TYPE_ORDER = ("complaint", "consultation", "help", "suggestion", "praise", "report")

# Other labels a handler may type for a reply element (the first label is tickets.texts.REPLY_ELEMENT's).
REPLY_LABEL_ALIASES: dict[str, tuple[str, ...]] = {
    "contact_person": ("先行联系人",),
    "site_findings": ("现场情况",),
    "facts": ("核实情况", "事实"),
    "judgement": ("处理结果", "意见"),
    "citizen_opinion": ("市民意见", "群众意见"),
    "answered_at": ("答复时间",),
    "text": ("回复内容", "答复内容", "答复", "正文"),
}
DAYS_SUFFIX = "天"
