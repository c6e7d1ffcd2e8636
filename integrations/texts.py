"""Every Chinese sentence the integration layer returns to API clients and operators."""

from __future__ import annotations

ERR_BODY_TOO_LARGE = "请求内容超过 {limit} 的上限，请精简后再提交。"
ERR_BAD_JSON = "请求内容不是有效的 JSON，请检查格式（需使用 UTF-8 编码）。"
ERR_JSON_NOT_OBJECT = "请求内容须为 JSON 对象。"
ERR_JSON_TOO_DEEP = "请求内容嵌套超过 {limit} 层，请检查格式。"
ERR_NOT_JSON = "请求内容须为 JSON（Content-Type: application/json），收到的是 {given}。"
ERR_BODY_TIMEOUT = "请求内容发送超时，请重试。"
ERR_INVALID_FIELDS = "请求参数有误：{fields}。"
ERR_KEY_MISSING = "缺少 API 密钥，请在请求头 Authorization: Bearer <密钥> 中提供。"
ERR_KEY_INVALID = "API 密钥无效或已停用。"
ERR_SCOPE = "该 API 密钥没有“{scope}”权限。"
ERR_RATE_LIMITED = "请求过于频繁，请在 {seconds} 秒后重试。"
ERR_ROUTE_NOT_FOUND = "接口不存在，请核对请求地址。"
ERR_METHOD_NOT_ALLOWED = "该接口不支持 {method} 请求。"
ERR_INTERNAL = "服务器内部错误，请稍后重试；如持续出现请联系热线办技术人员。"
ERR_UNKNOWN_ACTION = "不支持的工单操作“{action}”。可用操作：{allowed}。"
WHERE_PATH = "请求地址"
WHERE_QUERY = "查询参数 {name}"
ERR_BAD_QUERY = "查询参数“{name}”有误：{reason}"
REASON_INTEGER = "须为整数"
REASON_BETWEEN = "须在 {low} 到 {high} 之间"
REASON_BOOLEAN = "须为 true 或 false"
REASON_DATE = "须为 YYYY-MM-DD 日期"
REASON_DATE_RANGE = "须在 {first} 到 {last} 之间"
REASON_WEEK = "须为 1970 到 2999 年间存在的 ISO 周，如 2026-W48"
ERR_NOT_READY = "数据库暂时无法连接。"
ERR_KB_UNAVAILABLE = "知识库暂未启用。"
ERR_OFFICE_ONLY = "只有热线办（office）的密钥可以查看和处理知识库缺口。"
ERR_OFFICE_ONLY_ROUTING = "只有热线办（office）的密钥可以查看派单建议的命中情况。"
ERR_INTAKE_BUSY = "当前提交的诉求较多，系统繁忙，请稍后重新提交。"
ERR_INTAKE_CLOSING = "服务正在重启，暂不受理新的诉求，请稍后重新提交。"

# Upstream platform hook.
ERR_SIGNATURE_MISSING = "缺少签名信息（X-Hotline-Timestamp、X-Hotline-Nonce、X-Hotline-Signature）。"
ERR_SIGNATURE_BAD = "签名校验失败。"
ERR_SIGNATURE_STALE = "请求时间戳超出 {seconds} 秒的有效期，请校准时钟后重新签名发送。"
ERR_REPLAYED = "该请求（nonce）已处理过，拒绝重放。"
ERR_UPSTREAM_DISABLED = "未配置上级平台密钥，暂不接收上级平台推送。"
ERR_UNKNOWN_EVENT = "不支持的事件类型“{event_type}”。支持的类型：{allowed}。"
ERR_UPSTREAM_TICKET_NOT_FOUND = "未找到上级平台工单号 {number} 对应的工单。"
ERR_UPSTREAM_DUPLICATE_NUMBER = "上级平台工单号 {number} 已有对应工单 {ticket}，请勿重复派单。"

# Telephony.
ERR_CDR_DISABLED = "未配置双呼平台密钥，暂不接收通话记录推送。"
ERR_CALL_CONFLICT = "通话 {call_id} 已登记，且内容与本次提交不一致。"

# Open311 (their error format carries a description only).
O311_SERVICE_NOT_FOUND = "未找到服务类型“{code}”。"
O311_REQUEST_NOT_FOUND = "未找到诉求 {id}。"
O311_TOKEN_NOT_FOUND = "未找到凭证 {token}。"
O311_LOCATION_REQUIRED = "请提供位置：lat 与 long，或 address_string，或 address_id。"
O311_DESCRIPTION_REQUIRED = "请填写诉求描述（description）。"
O311_BAD_DATE = "日期“{value}”不是有效的 ISO 8601 时间。"
O311_BAD_STATUS = "status 只能是 open 或 closed。"
O311_FIELD_TOO_LONG = "{field} 超过 {limit} 字的上限。"
O311_BAD_PHONE = "phone 不是有效的电话号码，请填写11位手机号或带区号的固定电话。"
O311_BAD_FIELD_NAME = "字段名只能由字母、数字和 _ . - [ ] 组成。"
O311_BAD_FORM = "表单内容无法解析，请检查格式。"
O311_NOT_TEXT = "JSON 提交时各字段须为文本（与表单提交相同）。"
O311_BAD_CONTENT_TYPE = "请以表单（application/x-www-form-urlencoded 或 multipart/form-data）或 JSON 提交。"
O311_BAD_DATE_RANGE = "日期“{value}”超出可查询的范围（{first} 至 {last}）。"
O311_NOTICE = "您的诉求已受理，工单号 {number}，承办单位将按时限办理。"

# Notifier messages (group chats and SMS show masked text only).
WECOM_TITLE = "12345热线通知"

# Open311 services: code → (name, group, description, keywords). The name is our ticket category.
OPEN311_SERVICES: dict[str, tuple[str, str, str, str]] = {
    "property": ("物业管理", "城市管理", "小区物业服务、电梯、公共设施维修等", "物业,电梯,小区"),
    "parking": ("停车管理", "交通运输", "违章停车、占用消防通道、停车收费等", "停车,车位"),
    "city_management": (
        "城市管理",
        "城市管理",
        "占道经营、垃圾清运、路灯、井盖等市容问题",
        "市容,垃圾,路灯,井盖",
    ),
    "environment": ("环境保护", "城市管理", "噪声、油烟、污水、废气等污染", "噪声,油烟,污染"),
    "housing": ("住房与城乡建设", "城市管理", "房屋安全、施工扰民、老旧小区改造等", "房屋,施工,装修"),
    "transport": ("交通运输", "交通运输", "公交、出租车、道路设施等", "公交,出租车,道路"),
    "power": ("供电", "公用事业", "停电、电压不稳、电费等", "停电,电费"),
    "water": ("供水", "公用事业", "停水、水压低、水质等", "停水,水质"),
    "gas": ("燃气", "公用事业", "燃气供应、燃气安全等", "燃气,煤气"),
    "heating": ("供暖", "公用事业", "暖气不热、供暖收费等", "暖气,供暖"),
    "hrss": ("人力资源和社会保障", "公共服务", "社保、医保、工资拖欠、劳动纠纷等", "社保,工资,劳动"),
    "health": ("医疗卫生健康", "公共服务", "医疗服务、卫生健康等", "医院,卫生"),
    "education": ("教育", "公共服务", "入学、学校管理、校外培训等", "学校,入学"),
    "market": ("市场管理", "市场与消费", "市场秩序、食品安全、价格等", "市场,食品,价格"),
    "consumer": ("消费维权", "市场与消费", "消费纠纷、预付卡退费等", "消费,退费"),
    "agri_water": ("农林水利", "公共服务", "农业、林业、水利设施等", "农业,水利"),
    "public_service": ("公共服务", "公共服务", "其他公共服务事项", "公共服务"),
}
OPEN311_ATTR_REQUEST_TYPE = "诉求类型"
OPEN311_ATTR_REQUEST_TYPE_HELP = "不填时按“求助”受理"

# Outbox health (start-up, /readyz, `main.py outbox list`).
CHANNEL_NAME = {"telegram": "Telegram", "wecom": "企业微信", "sms": "短信", "upstream": "上级平台回传"}
CHANNEL_SENDER = {"telegram": "Telegram 机器人令牌", "wecom": "企业微信机器人地址", "sms": "短信网关",
                  "upstream": "上级平台回传地址"}
QUEUED_WITHOUT_SENDER = "有 {queued} 条{channel}消息在排队，但未配置{sender}（{setting}），这些消息不会发出。"
OUTBOX_SUMMARY_HEADER = ("通道", "待发送", "已发送", "失败", "")
OUTBOX_NO_SENDER = "未配置发送通道"
OUTBOX_EMPTY = "发件箱是空的。"
OUTBOX_SUMMARY_HINT = "查看具体消息：outbox list --status pending|sent|dead [--channel …]"
OUTBOX_NO_MESSAGES = "没有符合条件的消息。"

# A request body field that failed validation: "where（reason）", joined by "；".
FIELD_REASONS = {
    "missing": "缺少此项",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "string_pattern_mismatch": "格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "string_type": "须为文本",
    "datetime_parsing": "须为 ISO 8601 时间",
    "datetime_type": "须为 ISO 8601 时间",
    "extra_forbidden": "不支持此项",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "timezone_aware": "须带时区",
}
FIELD_REASON_DEFAULT = "格式不正确"
FIELD_WHOLE_REQUEST = "请求"
FIELD_PROBLEM = "{where}（{reason}）"
