"""Every Chinese sentence of the office's and units' console (热线效能监管工作台)."""

from __future__ import annotations

CONSOLE_TITLE = "热线效能监管工作台"
LOGIN_TITLE = "登录"
ERR_BAD_CREDENTIALS = "账号或密码不正确。"
ERR_BAD_CREDENTIALS_LEFT = "账号或密码不正确。再错 {left} 次，账号将被暂时锁定。"
ERR_LOCKED = "密码连续输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请热线办重置密码。"
ERR_ACCOUNT_INACTIVE = "该账号已停用，请联系热线办。"
ERR_LOGIN_REQUIRED = "请填写登录账号。"
ERR_LOGIN_TAKEN = "登录账号“{login}”已被他人使用，请换一个。"
ERR_PASSWORD_SHORT = "密码至少需要 {min} 个字符。"
ERR_PASSWORD_LONG = "密码过长（不超过 256 个字符）。"
ERR_PASSWORD_MIX = "密码须同时包含字母和数字。"
ERR_PASSWORD_HAS_LOGIN = "密码不能包含登录账号。"
ERR_PASSWORDS_DIFFER = "两次输入的密码不一致。"
MSG_EXPIRED = "登录已超时，请重新登录。如刚才有未提交的操作，请登录后重新办理。"
MSG_SIGNED_OUT = "您已安全退出。"
MSG_SIGN_IN_FIRST = "请先登录。"
PASSWD_DONE = "已为 {name}（{unit}）设置工作台密码，登录账号：{login}。该员工其他浏览器上的登录已失效。"
PASSWD_PROMPT = "新密码"
PASSWD_CONFIRM = "再次输入新密码"

ROLE_LABEL = {"office": "热线办", "handler": "承办单位"}

# Form fields, as the service's and the page's messages name them.
FIELD = {
    "note": "备注",
    "answer": "答复内容",
    "reason": "理由",
    "findings": "现场查看情况",
    "suggested_unit": "建议承办单位",
    "unit_id": "承办单位",
    "new_unit_id": "改派单位",
    "co_unit_ids": "协办单位",
    "days": "延期天数",
    "result": "办理结果",
    "text": "回复正文",
    "contact_person": "联系人",
    "facts": "调查核实情况",
    "judgement": "处理意见及依据",
    "citizen_opinion": "诉求人意见",
    "answered_by": "答复人",
    "answered_at": "答复时间",
    "site_findings": "现场查看情况",
    "reached": "是否联系上",
    "contacted": "是否先行联系",
    "answered": "是否答复",
    "solved": "是否解决",
    "satisfaction": "满意度",
    "approve": "审批意见",
    "unit_ids": "点名报到单位",
    "day": "现场会日期",
    "place": "现场会地点",
    "attendees": "参会人员",
    "decisions": "议定事项",
    "staff_id": "专员",
    "policy_area": "政策领域",
}
ERR_FIELD_REQUIRED = "请填写“{field}”。"
ERR_FIELD_NUMBER = "“{field}”须为数字。"
ERR_FIELD_CHOICE = "“{field}”的选项不正确，请重新选择。"
ERR_FIELD_TIME = "“{field}”的时间格式不正确。"
ERR_STALE_FORM = (
    "工单在您打开页面后已有变化（可能是重复提交或他人已处理），本次操作未执行。请查看最新情况后再操作。"
)
ERR_UNKNOWN_ACTION = "不支持这项操作。"
ERR_OFFICE_ONLY = "这个页面只对热线办开放。"

# What the page says after an action went through.
DONE = {
    "dispatch": "已派单。",
    "brief_contact": "已记录先行简告。",
    "direct_answer": "已直接答复。",
    "send_back": "已退回来源单位。",
    "accept": "已接单。",
    "first_contact": "已记录先行联系。",
    "site_visit": "已记录现场查看。",
    "request_return": "退单申请已提交，等待热线办审批。",
    "decide_return": "已处理退单申请。",
    "request_extension": "延期申请已提交，等待热线办审批。",
    "decide_extension": "已处理延期申请。",
    "reply": "办结回复已提交，等待热线办审核回访。",
    "callback": "已记录回访结果。",
    "rework": "已退回重办。",
    "supervise": "已列为督办件。",
    "urge": "已催办。",
    "archive": "已存电。",
    "recall": "已撤回。",
    "recheck": "已发起复核。",
    "whistle": "已吹哨，已通知点名单位报到。",
    "report_in": "已报到。",
    "whistle_meeting": "已记录现场会。",
}
ACTION_TITLE = {
    "dispatch": "派单", "brief_contact": "先行简告", "direct_answer": "直接答复", "send_back": "退回来源单位",
    "accept": "接单", "first_contact": "先行联系", "site_visit": "现场查看", "request_return": "申请退单",
    "decide_return": "审批退单申请", "request_extension": "申请延期", "decide_extension": "审批延期申请",
    "reply": "办结回复", "callback": "回访", "rework": "退回重办", "supervise": "督办", "urge": "催办",
    "archive": "存电", "recall": "撤回", "recheck": "复核",
    "whistle": "吹哨", "report_in": "报到", "whistle_meeting": "吹哨现场会",
}
NAV = {"home": "总览", "queue": "派单", "approvals": "待审批", "tickets": "工单", "mine": "我的工单",
       "duty": "值班签到", "letters": "提示函", "rankings": "考核排名", "kb": "知识库",
       "mailbox": "信箱公开", "specialists": "政企通专员"}
NAV_LABEL = "主导航"
SIGN_OUT = "退出"
VIEW_LABEL = {"open": "办理中", "today": "今日受理", "due_today": "今日到期", "overdue": "已超期",
              "over_warning": "超过{days}天未办结", "all": "全部"}
DUE_OVERDUE = "已超期"
CALLS_TITLE = "双呼通话记录"
CALLS_NONE = "双呼平台尚未推送本工单的通话记录。"
CALL_NOT_CITIZEN = "非诉求人号码"
DUE_TODAY = "今日到期"
CHART_DAILY = "近30天每日受理量"
CHART_RECEIVED = "受理量"
CHART_CATEGORIES = "近30天诉求分类（前10）"
CHART_SCORES = "承办单位考核得分"
CHART_SCORE = "得分"
CHART_POOR_LINE = "较差线"
UNCATEGORISED = "未分类"
PHOTOS_HEADING = "市民上传的照片（{count} 张）"
PHOTO_ALT = "市民上传的第 {index} 张照片，点击查看原图"
QUEUE_DONE = "已派出 {count} 件工单。"
ERR_QUEUE_NOTHING = "请先勾选要派出的工单。"
ERR_BAD_DATE = "日期格式不正确，请按 年-月-日 填写。"
ERR_LETTER_NOT_FOUND = "未找到这份函件。"
ERR_SCHEME = "考核方案只能选择：{names}。"
ERR_PERIOD = "期间格式不正确：请填写如 2026-11（月）、2026-W48（周）或 2026-Q4（季度）。"
BULLETIN_FILE = "月度通报-{period}.{ext}"
KB_DONE = {"new": "已新增条目，市民提问时立即生效。", "saved": "已保存，市民提问时立即生效。"}
ERR_KB_REQUIRED = "请填写标准问题和答复内容。"
ERR_KB_KEY = "请填写条目编号（字母、数字或短横线）。"
ERR_KB_KEY_TAKEN = "编号 {key} 已有条目，请换一个编号，或到该条目页面修改。"
ERR_KB_FILE = "请选择 CSV、XLSX 或 YAML 文件。"
KB_UNKNOWN_UNITS_HINT = ("{count} 个单位名称不在本系统的单位名单中（共 {rows} 行）。本系统的单位：{units}。"
                         "请在文件中改成名单中的名称；如果这些条目只用于回答市民，也可以勾选"
                         "“单位不在名单中也导入”，单位名称照原样保存（不参与派单时的单位推荐）。")
KB_UNKNOWN_UNITS_KEPT = ("{count} 个单位名称不在本系统的单位名单中，已照原样保存（共 {rows} 条条目，"
                         "不参与派单时的单位推荐）：{units}。")

# 信箱公开: replied 市长信箱 letters, published or withdrawn by the office (tickets.mailbox).
MAILBOX_TITLE = "市长信箱答复公开"
MAILBOX_INTRO = ("这里列出已答复的市长信箱来信。来信人同意公开、且已回访结案的信件，可隐去个人信息后公开到"
                 "市民端“公开答复”页面；公开和撤回都记入工单流程。")
MAILBOX_COUNT = "{count} 封"
MAILBOX_SHOW = {"": "全部", "ready": "可公开", "published": "已公开", "blocked": "不能公开"}
MAILBOX_SHOW_LABEL = "显示"
MAILBOX_FILTER = "筛选"
MAILBOX_COLUMNS = ("工单编号", "信件标题", "承办单位", "答复时间", "来信人意愿", "公开情况", "操作")
MAILBOX_CONSENT = {True: "同意公开", False: "不同意公开"}
MAILBOX_STATE_PUBLISHED = "已公开（{at}）"
MAILBOX_STATE_READY = "可公开"
MAILBOX_STATE_BLOCKED = "不能公开"
MAILBOX_OPEN = "预览与公开"
MAILBOX_EMPTY = "还没有已答复的市长信箱来信。单位答复后，信件会出现在这里。"
MAILBOX_EMPTY_FILTER = "没有符合条件的信件。"
MAILBOX_BACK = "← 返回信箱公开列表"
MAILBOX_HEADING = "来信 {number}"
MAILBOX_FACTS = {"title": "原标题", "unit": "承办单位", "status": "工单状态", "consent": "来信人意愿",
                 "published": "公开时间"}
MAILBOX_TICKET_LINK = "查看工单原件和办理过程"
MAILBOX_PREVIEW = "公开后市民看到的内容"
MAILBOX_PREVIEW_BLOCKED = "公开效果预览（这封信现在不能公开）"
MAILBOX_FACTS_HEADING = "信件信息"
MAILBOX_LIVE = "市民端正在显示的内容"
MAILBOX_PREVIEW_HINT = ("以下就是公开页面的原文：来信人的姓名、电话、身份证号和电子邮箱已删去，"
                        "门牌号、房号以＊号代替。请逐字核对，仍有可识别个人的内容时请不要公开。")
MAILBOX_LETTER = "来信内容"
MAILBOX_REPLY = "答复内容（{unit}）"
MAILBOX_REPLY_NO_UNIT = "答复内容"
MAILBOX_PUBLISH = "公开这封信及答复"
MAILBOX_PUBLISH_CONFIRM = "确定将这封信及答复公开到市民端吗？"
MAILBOX_UNPUBLISH = "撤回公开"
MAILBOX_UNPUBLISH_REASON = "撤回原因（记入工单流程）"
MAILBOX_UNPUBLISH_CONFIRM = "确定撤回吗？撤回后市民端将不再显示这封信。"
MAILBOX_DONE = {"publish": "已公开，市民端“公开答复”页面现在可以看到这封信。",
                "unpublish": "已撤回公开，市民端不再显示这封信。"}

# 政企通专员: the register of policy specialists (tickets.enterprise, as `specialist add|list|remove`).
SPECIALISTS_TITLE = "政企通专员库"
SPECIALISTS_INTRO = ("企业在政企通提出政策咨询时，按政策领域分配给下列专员一对一服务；同一领域有几名专员时，"
                     "分给在办件最少的一位。")
SPECIALISTS_COUNT = "{count} 名"
SPECIALISTS_UNIT_FILTER = "承办单位"
SPECIALISTS_ALL_UNITS = "全部单位"
SPECIALISTS_SHOW_INACTIVE = "同时显示已停用的专员"
SPECIALISTS_FILTER = "筛选"
SPECIALISTS_COLUMNS = ("承办单位", "政策领域", "专员", "在办企业诉求", "状态", "操作")
SPECIALIST_ACTIVE = "在岗"
SPECIALIST_STOPPED = "已停用"
SPECIALISTS_EMPTY = "专员库中还没有政策专员。请在下方登记第一位。"
SPECIALISTS_EMPTY_FILTER = "该单位还没有登记政策专员。"
SPECIALIST_ADD = "登记政策专员"
SPECIALIST_STAFF = "专员"
SPECIALIST_STAFF_HINT = "从各承办单位在岗的联络员（A角、B角）中选择。"
SPECIALIST_CHOOSE = "请选择"
SPECIALIST_AREA = "政策领域"
SPECIALIST_AREA_HINT = "如“稳岗补贴”“税收优惠”，企业按这个名称选择咨询领域；已有领域可从下拉提示中选。"
SPECIALIST_SAVE = "登记"
SPECIALIST_SLOT = "{slot}角"
SPECIALIST_NO_CANDIDATES = "目前没有可登记的联络员：请先为承办单位设置 A角、B角。"
ERR_SPECIALIST_STAFF = "请选择要登记的专员。"
SPECIALIST_REMOVE = "停用"
SPECIALIST_REMOVE_TITLE = "停用政策专员"
SPECIALIST_REMOVE_ASK = "确定停用{unit}的{name}在“{area}”领域的政策专员资格吗？"
SPECIALIST_REMOVE_EFFECT = "停用后不再给该专员分配新的企业诉求；目前在办的 {open} 件仍由该专员办结。"
SPECIALIST_REMOVE_EFFECT_NONE = "停用后不再给该专员分配新的企业诉求；该专员目前没有在办的企业诉求。"
SPECIALIST_REMOVE_KEPT = "登记记录会保留，以后可以重新登记。"
SPECIALIST_REMOVE_CONFIRM = "确认停用"
SPECIALIST_REMOVE_CANCEL = "取消"
ERR_SPECIALIST_MISSING = "未找到这名政策专员。"
SPECIALIST_ALREADY_STOPPED = "这名专员已经停用。"
SPECIALISTS_DONE = {"added": "已登记政策专员，该领域新的企业诉求会分配给这位专员。",
                    "removed": "已停用，不再分配新的企业诉求。"}

# The ticket page (ticket.html): its headings, facts, form labels and buttons.
TICKET_HEADING = "工单 {number}"
TICKET_BACK = "← 返回工单列表"
TICKET_SUPERVISED = "督办"
TICKET_CONTENT = "诉求内容"
TICKET_HANDLING = "办理与时限"
TICKET_ACTIONS = "可办理的操作"
TICKET_TIMELINE = "办理过程"
TICKET_REPLY = "办结回复"
# The facts (dt) of the ticket page, by key.
TICKET_FACT = {
    "type": "类型", "place": "地点", "channel": "来源", "contact": "诉求人", "phone": "联系电话",
    "main_unit": "主办单位", "co_units": "协办单位", "received": "受理时间", "dispatched": "派单时间",
    "first_contact_due": "先行联系时限", "due": "办结时限", "replied": "回复时间", "closed": "结案时间",
    "company": "企业名称", "credit_code": "统一社会信用代码", "policy_area": "政策领域",
    "specialist": "政策专员", "terms": "适用时限",
    "letter_title": "信件标题", "letter_consent": "来信人意愿", "letter_published": "公开情况",
}
TICKET_CONTACTED_AT = "（已于 {at} 联系）"
TICKET_EXTENDED = "（已延期 {days} 个工作日）"
TICKET_PENDING_RETURN = "退单申请：{reason}（建议改派：{unit}）"
TICKET_PENDING_EXTENSION = "延期申请：{days} 个工作日。理由：{reason}"
# 政企通: the enterprise behind an enterprise request (tickets.enterprise).
TICKET_ENTERPRISE = "政企通企业诉求"
TICKET_SPECIALIST_AT = "{name}（{at} 分配）"
TICKET_NO_SPECIALIST = "该领域暂无政策专员，由热线办派单"
TICKET_ENTERPRISE_TERMS = "政企通时限：先行联系 {first}，办结 {completion}（自派单起算）"
# 市长信箱: the letter behind a ticket (tickets.mailbox).
TICKET_LETTER = "市长信箱来信"
TICKET_NOT_PUBLISHED = "未公开"
TICKET_TO_MAILBOX = "到信箱公开预览或公开"
YES = "是"
NO = "否"
CHOOSE = "请选择"
SUGGESTED_UNITS = "推荐"
ALL_UNITS = "全部单位"
APPROVE = "同意"
REFUSE = "不同意"
# The action forms' labels: the service's names for the fields (FIELD), some with a hint.
FORM_LABEL = {
    **FIELD,
    "main_unit": "主办单位",
    "co_units": "协办单位（可多选，按住 Ctrl）",
    "dispatch_note": "派单说明",
    "reached": "是否联系上诉求人",
    "contact_note": "联系情况",
    "days": "延期天数（工作日）",
    "new_unit": "同意时改派给",
    "decision_note": "意见（不同意时必填）",
    "text": "回复正文（至少15字）",
    "callback_hint": "联系上时请填写以下各项：",
    "callback_note": "回访记录",
    "unit_ids": "点名报到单位（可多选，按住 Ctrl）",
    "whistle_reason": "吹哨事由",
    "meeting_place": "现场会地点",
    "attendees": "参会人员（每行一个，或用顿号分隔）",
    "note": "说明",
}
CALL_PROOF = {"brief_contact": "先行简告", "first_contact": "先行联系"}
CALL_COLUMNS = ("拨打时间", "拨打单位 · 人员", "被叫号码", "结果", "用于", "录音")
