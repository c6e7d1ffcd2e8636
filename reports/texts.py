"""Every Chinese text of the reports that an office worker reads, kept apart from the logic."""

from __future__ import annotations

from tickets.enums import UnitKind

TOTAL_ROW = "合计"
NOT_APPLICABLE_CELL = "—"
UNIT_HEADER = "单位"
SCORE_HEADER = "得分"
GRADE_HEADER = "等级"

ERR_UNKNOWN_SCHEME = "没有名为“{name}”的评分方案。可用的方案：{known}；也可以给出自建方案的 YAML 文件路径。"
ERR_COUNTS_EMPTY = "统计表是空的：请提供表头行和至少一行单位数据。"
ERR_COUNTS_ENCODING = "统计表不是 UTF-8 编码，请另存为 UTF-8 格式的 CSV 后重试。"
ERR_COUNTS_HEADER = "统计表的表头不符合方案要求。收到：{got}；应为：{expected}（可选列：{optional}）。"
ERR_COUNTS_WIDTH = "统计表第 {line} 行有 {got} 列，表头有 {expected} 列，请核对。"
ERR_COUNTS_NO_UNIT = "统计表第 {line} 行没有填写单位名称。"
ERR_COUNTS_DUPLICATE = "统计表第 {line} 行的单位“{unit}”重复出现，请合并为一行。"
ERR_COUNTS_NUMBER = "统计表第 {line} 行“{column}”列应为非负整数，收到“{value}”。"
ERR_COUNTS_CHECK = "“{unit}”的数据不一致：{message}。"

MONTH_LABEL = "{y}年{m}月"
WEEK_LABEL = "{y}年第{w}周（{a:%m月%d日}—{b:%m月%d日}）"
# In the bulletin title, which brackets the period itself: no brackets inside brackets.
WEEK_TITLE_LABEL = "{y}年第{w}周，{a:%m月%d日}—{b:%m月%d日}"
QUARTER_LABEL = "{y}年第{q}季度"
RANGE_LABEL = "{a:%Y年%m月%d日}—{b:%Y年%m月%d日}"
ERR_PERIOD = (
    "无法识别统计周期“{text}”。请写成 2026-10（月）、2026-W47（周）、2026-Q3（季度）或"
    " 2026-10-01..2026-10-15。"
)
ERR_SCHEME_SOURCE = "方案中“{column}”列的数据库来源用到了未知的统计项：{names}。"

NO_CATEGORY = "未分类"
WHY_BEST = "得分 {score}，办理工单 {volume} 件"
WHY_RANKED = "得分 {score}，受理 {volume} 件"
WHY_POOR = "得分 {score}，低于 {threshold} 分"
TICKET_REASON = {
    "open_over_limit": "超过30天未办结",
    "overdue_open": "超期未办结",
    "replied_late": "超期办结",
    "not_contacted": "承办单位未联系当事人",
    "reply_too_brief": "回复过于简单",
    "buck_passing": "职责范围内工单推诿",
    "reply_mismatch": "回复与诉求不一致",
    "unsatisfied": "回访不满意",
    "rework": "退回重办",
}

NOT_DISPATCHED = "尚未派单"
NO_PLACE = "未填写"
ANONYMOUS = "匿名市民"
CITIZEN_MASKED = "{name}（{phone}）"
HOTSPOT_DRAFT = """## 民情专报（草稿）：{category}类诉求集中反映

**基本情况**：{first:%m月%d日}至{last:%m月%d日}，热线共收到{citizens}位不同市民反映同类诉求{tickets}件，主要内容为：{summary}

**涉及地点**：{places}

**涉及单位**：{units}

**相关工单**：{numbers}

**建议**：请相关单位负责人牵头研判成因，统筹处置，并于5个工作日内将处置措施和进展报街道城运中心。
"""

# --- bulletins ------------------------------------------------------------------------------
DEFAULT_OFFICE = "12345热线"
MONTHLY = "月报"
WEEKLY = "周报"
BULLETIN_TITLE = "{office}12345热线工作{kind}（{period}）"
MADE_AT = "编制时间：{made:%Y年%m月%d日 %H:%M}；数据截至：{as_of:%Y年%m月%d日 %H:%M}（北京时间）"
UP = "上升"
DOWN = "下降"
ETC = "等"
NONE = "无"
REQUEST_TYPE = {
    "complaint": "投诉",
    "consultation": "咨询",
    "help": "求助",
    "suggestion": "建议",
    "praise": "表扬",
    "report": "举报",
}
RATE_LABEL = {
    "completion_rate": "办结率",
    "on_time_rate": "按期办结率",
    "overdue_rate": "超期办结率",
    "rework_rate": "返工率",
    "first_contact_rate": "先行联系率",
    "satisfaction_rate": "满意率",
    "dissatisfaction_rate": "不满意率",
    "resolution_rate": "解决率",
    "valid_callback_rate": "有效回访率",
}
BASIC_VOLUME = (
    "{period}，热线共受理诉求{received}件，其中平台直接答复{direct}件，直接答复率{direct_rate}；"
    "派单办理{dispatched}件；不属于本辖区、退回来源单位{sent_back}件；{recalled}尚待派单{waiting}件。"
)
BASIC_RECALLED = "来源平台撤回{n}件；"
BASIC_HANDLING = (
    "派单工单中，应办理{due}件，已办理{done}件，办结率{completion}；按期办结{on_time}件，按期办结率{on_time_rate}；"
    "超期办结{late}件，超期未办结{overdue_open}件；退回重办{rework}件，返工率{rework_rate}；先行联系率{first_contact}。"
)
BASIC_FIRST_CONTACT_WAYS = (
    "（双呼平台{since}上线，此后受理的工单以通话记录为准；按先行联系记录计{button}，按双呼通话记录计{call}）"
)
BASIC_CALLBACK = (
    "回访{tried}件，有效回访{reached}件，有效回访率{valid}；参与满意度测评{evaluations}件（存电件{archived}件不计入），"
    "满意率{satisfaction}；不满意{unsatisfied}件，不满意率{dissatisfaction}。"
)
BASIC_CHANGE = "上期受理{previous}件，本期环比{word}{change}。"
BASIC_TYPES = "按诉求类型分：{types}。"
BASIC_ROUTING = (
    "派单建议：本期派单{n}件，系统首选建议单位被采用（或经退单改派后确认正确）的占{top1}，"
    "正确单位在前三项建议中的占{top3}。"
)
BASIC_CATEGORIES = "诉求内容主要集中在：{parts}。上述{k}类诉求占本期受理总量的{share}。"
NO_UNITS = "本期没有派单办理的工单，不开展评优评差。"
RANKING_INTRO = (
    "本期共有{n}家承办单位参与评价，按照《{scheme}》计分（受理量不足{min_volume}件的单位不参与评优）。"
    "{insufficient}{best}；{poor}；另有{tickets}件诉求办理“较差”（见表三）。"
)
RANKING_INSUFFICIENT = "{units}{k}个单位受理量不足{n}件，样本不足，列入附表但不排名。"
RANKING_BEST = "{units}等{k}个单位被评为“{label}”承办单位（见表一）"
RANKING_NO_BEST = "本期没有单位达到“{label}”评选条件"
RANKING_POOR = "{units}等{m}个单位为“较差”承办单位（见表二）"
RANKING_NO_POOR = "没有“较差”承办单位"


def best_label(n: int) -> str:
    return {3: "三佳", 5: "五佳", 10: "十佳"}.get(n, f"前{n}名")


TABLE_BEST = "表一：“{label}”承办单位"
TABLE_POOR = "表二：“较差”承办单位"
TABLE_POOR_TICKETS = "表三：“较差”诉求件"
TABLE_ALL_UNITS = "附表：各承办单位得分"
SECTION_BASIC = "一、基本情况"
SECTION_RANKING = "二、“评优评差”情况"
SECTION_HOTSPOTS = "三、热点与重复诉求"
SECTION_TYPICAL = "四、群众好评典型件"
SECTION_LINKAGE = "五、吹哨报到与人大代表联动"
SECTION_REQUIREMENTS = "六、工作要求"
NO_HOTSPOTS = "本期未发现一周内{n}件以上不同市民反映的同类诉求。"
HOTSPOTS_INTRO = "本期发现{k}处热点，已生成民情专报草稿，请审核后报送："
HOTSPOT_LINE = "{category}：{summary}（{citizens}位市民、{tickets}件，涉及{units}）"
NO_REPEATS = "本期没有同一市民就同一事项反映{n}次以上未解决的诉求。"
REPEATS_INTRO = "以下同一市民就同一事项反映{n}次以上仍未解决，列入督办："
REPEAT_LINE = "{citizen}，{category}：{summary}（{tickets}次，承办单位：{units}）"
NO_TYPICAL = "本期暂无符合条件的好评典型件。"
TYPICAL_RESULT = "实际解决，市民满意"
TYPICAL_LINE = "{unit}办理的{category}类诉求（{number}）：{summary}——{result}。"
NO_ROWS = "（无）"
INSUFFICIENT = "样本不足"
NOTE_NOT_APPLICABLE = (
    "注：“—”表示该项本期没有可计算的数据（如无应办结工单、无人参与评价），不适用、不计分，"
    "其余计分项按权重折算为满分后计入得分；加分、扣分项不折算。"
)
NOTE_INSUFFICIENT = "注：“样本不足”的单位本期受理量不足{n}件，列出得分供参考，不参与排名和评优评差。"
REQ_TARGETS = (
    "各承办单位单月满意率、办结率、及时办结率（按时反馈率）分别不低于{satisfaction}、{completion}、{on_time}。"
)
REQ_MISSED = "本期未达标的单位：{units}{more}。请对照整改，提高办件效率，兼顾群众满意度。"
REQ_WARNING = (
    "热线办每隔十天统计办件天数，对超过{warning}天的诉求件发送《工作提示函》；各单位要严格把控办件时限，"
    "杜绝超过{limit}天未办结。"
)
REQ_DUTY = "热线办于每个工作日{deadline}统计各单位登录值守情况，届时未登录的视为未登录，并发送提示函。"
REQ_DUTY_MISSED = "本期未按时登录值守的单位：{units}{more}。请落实A、B角值守，确保每个工作日按时登录。"
REQ_HOTSPOTS = "涉及民情专报和督办件的单位，请在{days}个工作日内书面答复原因分析和整改措施。"
PROGRESS_MONTHLY = "生成月报"
PROGRESS_WEEKLY = "生成周报"
CHART_MEAN = "日均 {mean:.1f} 件"
CHART_TICKETS = "件数"
CHART_OTHER = "其他"
CHART_THRESHOLD = "较差线 {threshold} 分"
CHART_BEST = "评优单位（表一）"
CHART_POOR = "较差单位（表二）"
CHART_BELOW_LINE = "低于较差线，未列入表二"
CHART_OTHERS = "其他单位"
CHART_NOT_RANKED = "另有{n}个单位样本不足，未参与排名"
CHART_SCORE = "得分"
CHART_TREND_TITLE = "每日受理量（{period}）"
CHART_CATEGORY_TITLE = "诉求分类（{period}）"
CHART_RANKING_TITLE = "承办单位得分排名（{scheme}）"

# Column headings of the bulletin tables (Markdown and XLSX alike).
COL_RANK = "名次"
COL_NO = "序号"
COL_UNIT = "承办单位"
COL_VOLUME = "受理量"
COL_COMPLETION = "办结率"
COL_ON_TIME = "按期办结率"
COL_SATISFACTION = "满意率"
COL_SCORE = "得分"
COL_NUMBER = "工单号"
COL_CONTENT = "诉求问题"
COL_TIME = "诉求时间"
COL_REASON = "原因"
COL_WHY = "说明"
COL_ITEM = "项目"
COL_VALUE = "数值"
COL_CATEGORY = "诉求分类"
COL_COUNT = "件数"
COL_SHARE = "占比"
COL_DAY = "日期"
COL_CITIZENS = "不同市民数"
COL_PERIOD = "时间范围"
COL_UNITS = "涉及单位"
COL_CITIZEN = "市民"
COL_TIMES = "次数"
SHEET_BASIC = "基本情况"
SHEET_ROUTING = "派单建议"
TABLE_ROUTING = "派单建议命中情况（按周、按单位）"
COL_ROUTING_WHAT = "周 / 单位"
COL_ROUTING_N = "派单件数"
COL_ROUTING_TOP1 = "首选命中率"
COL_ROUTING_TOP3 = "前三命中率"
SHEET_UNITS = "单位得分"
SHEET_BEST = "评优单位"
SHEET_POOR = "较差单位"
SHEET_POOR_TICKETS = "较差诉求件"
SHEET_HOTSPOTS = "热点问题"
SHEET_REPEATS = "重复诉求"
SHEET_CATEGORIES = "诉求分类"
SHEET_DAYS = "每日受理量"
SHEET_DUTY = "值守与提示函"
TABLE_DUTY = "附表：登录值守与提示函"
COL_WORKDAYS = "应值守天数"
COL_ON_TIME_LOGINS = "按时登录天数"
COL_MISSED = "未按时登录天数"
COL_LOGIN_LETTERS = "未登录提示函"
COL_WARNING_LETTERS = "工作提示函"
FOOTER = "第 &P 页，共 &N 页"

# --- 吹哨报到 and the deputies' linkage (reports.linkage) -----------------------------------
WHISTLE_BLOWER = {
    UnitKind.STREET: "街道",
    UnitKind.DEPARTMENT: "部门",
    UnitKind.OFFICE: "热线办",
    UnitKind.ENTERPRISE: "国企",
    UnitKind.UTILITY: "公用事业单位",
    UnitKind.COMMUNITY: "社区",
}
WHISTLE_TOTAL = "合计"
WHISTLE_PARAGRAPH = (
    "{period}，共吹哨{total}次，其中{parts}。点名报到{summoned}个单位次，按时报到{on_time}个，"
    "按时报到率{on_time_rate}。"
)
WHISTLE_PART = "{who}{n}次，解决率{rate}"
NO_WHISTLES = "{period}没有吹哨。"
DEPUTY_PARAGRAPH = (
    "{period}，转办人大代表接收的群众反映问题{n}件，承办单位按时办结率{on_time}，群众满意率{satisfaction}。"
)
NO_DEPUTY_TICKETS = "{period}没有人大代表转办的问题。"
DEPUTY_LIST_PARAGRAPH = (
    "本月向人代联委推送投诉集中、办理难度大的问题{n}件（清单见附表：人大代表联系点问题清单）。"
)
DEPUTY_LIST_NONE = "本月没有符合条件的投诉集中、办理难度大的问题。"
DEPUTY_RULE_REPEAT = "同一事项反映{n}次以上仍未解决"
DEPUTY_RULE_SUPERVISED = "督办件月末仍未解决"
DEPUTY_RULE_UNSATISFIED = "本月回访不满意"
DEPUTY_RULE_WHISTLED = "吹哨件月末仍未解决"
DEPUTY_REASON_REPEAT = "反复投诉（{n}次）"
DEPUTY_REASON_SUPERVISED = "督办未解决"
DEPUTY_REASON_UNSATISFIED = "回访不满意"
DEPUTY_REASON_WHISTLED = "吹哨未解决"
DEPUTY_LIST_TITLE = "{office}人大代表联系点问题清单（{period}）"
DEPUTY_LIST_RULES = "列入规则（满足其一）：{rules}。诉求人姓名、电话已隐去。"
TABLE_WHISTLES = "附表：吹哨报到情况"
TABLE_DEPUTY_TICKETS = "附表：人大代表转办件办理情况"
TABLE_DEPUTY_LIST = "附表：人大代表联系点问题清单"
SHEET_WHISTLES = "吹哨报到"
SHEET_DEPUTY_TICKETS = "代表转办件"
SHEET_DEPUTY_LIST = "代表问题清单"
COL_BLOWER = "吹哨主体"
COL_WHISTLES = "吹哨次数"
COL_SUMMONED = "点名报到单位次"
COL_REPORTED_IN = "已报到"
COL_REPORTED_ON_TIME = "按时报到"
COL_REPORT_IN_RATE = "按时报到率"
COL_SOLVED_ASKED = "已回访件"
COL_SOLVED = "已解决"
COL_SOLUTION = "解决率"
COL_REFERRED = "转办件数"
COL_DUE = "应办理"
COL_ON_TIME_COUNT = "按期办结"
COL_EVALUATIONS = "参与测评"
COL_SATISFIED_COUNT = "满意及基本满意"
COL_RECEIVED_DAY = "受理日期"
COL_LIST_REASONS = "列入原因"
COL_STATUS = "当前状态"
COL_DEPUTY = "转办代表"

# --- 涉企诉求 (政企通) and 市(区)长信箱 in the bulletin (reports.enterprise) -------------------
SECTION_ENTERPRISE = "涉企诉求（政企通）"
SECTION_MAILBOX = "市(区)长信箱办理情况"
ENTERPRISE_PARAGRAPH = ("{period}，共受理涉企诉求{received}件，其中{routed}件由政企通政策专员“一对一”服务；"
                        "派单办理{dispatched}件，应办理{due}件，已办理{done}件，按期办结率{on_time}，"
                        "工单办理满意率{satisfaction}，解决率{resolution}。")
NO_ENTERPRISE = "{period}，未受理涉企诉求。"
MAILBOX_PARAGRAPH = ("{period}，市(区)长信箱共受理群众来信{received}件，应办{due}件，已办{done}件，"
                     "按期办结率{on_time}，返工数{rework}件，返工率{rework_rate}，群众满意数{satisfied}件，"
                     "群众满意率{satisfaction}，综合指标值{score}，等级评价{grade}类。")
MAILBOX_B_UNITS = "{units}因信件办理综合指标值低于A类标准评为B类。"
NO_MAILBOX = "{period}，市(区)长信箱未受理来信。"
SHEET_ENTERPRISE = "涉企诉求"
SHEET_MAILBOX = "市长信箱"
TABLE_MAILBOX = "{period}市(区)长信箱办理综合评价表"
COL_RECEIVED_LETTERS = "受理信件数"
COL_LETTERS_DUE = "应办理数"
COL_DONE = "办理数"
COL_LETTERS_ON_TIME = "按期办理数"
COL_REWORK = "返工数"
COL_REWORK_RATE = "返工率"
COL_SATISFIED = "满意数"
COL_MASS_SATISFACTION = "群众满意率"
COL_INDEX = "综合指标值"
COL_GRADE = "等级评价"
ENTERPRISE_ROWS = (
    "涉企诉求",
    "政策专员一对一服务",
    "派单办理",
    "应办理",
    "已办理",
    "按期办结率",
    "满意率",
    "解决率",
)
NO_LETTERS = "该期间市(区)长信箱没有来信。"
