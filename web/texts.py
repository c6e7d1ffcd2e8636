"""Every Chinese sentence the web pages share (each area keeps its own in its texts module)."""

from __future__ import annotations

SITE_TITLE = "12345 热线"
ERR_CSRF = "页面已过期或来源无法验证，操作未执行。请刷新页面后重试。"
ERR_NOT_FOUND = "找不到这个页面，请核对地址。"
ERR_FORBIDDEN = "您没有权限查看或操作这项内容。"
ERR_METHOD = "不支持这种请求方式。"
ERR_TOO_LARGE = "提交的内容过大（上限 {limit}），请精简后再试。"
ERR_INTERNAL = "系统出现错误，操作未完成。请稍后重试；如持续出现请联系热线办技术人员。"
ERR_BAD_REQUEST = "请求有误，请返回上一页重试。"
ERROR_TITLE = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "请求方式不支持", 409: "操作未执行",
               413: "内容过大", 422: "填写有误", 500: "系统错误"}
ERROR_TITLE_DEFAULT = "操作未完成"
BACK = "返回上一页"
HOME = "回到首页"
