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
