"""Every Chinese text of the reports that an office worker reads, kept apart from the logic."""

from __future__ import annotations

TOTAL_ROW = "合计"
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
QUARTER_LABEL = "{y}年第{q}季度"
RANGE_LABEL = "{a:%Y年%m月%d日}—{b:%Y年%m月%d日}"
ERR_PERIOD = "无法识别统计周期“{text}”。请写成 2026-10（月）、2026-W47（周）、2026-Q3（季度）或 2026-10-01..2026-10-15。"
ERR_SCHEME_SOURCE = "方案中“{column}”列的数据库来源用到了未知的统计项：{names}。"

NO_CATEGORY = "未分类"
WHY_BEST = "得分 {score}，办理工单 {volume} 件"
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
