"""What the CLI prints about jobs, in Chinese for the office."""

from __future__ import annotations

JOB_DESCRIPTION = {
    "duty_login_check": "每个工作日值守登录检查，未登录单位发送提示函",
    "handling_days_statistics": "每10天统计在办工单办理天数，超过时限的发送《工作提示函》",
    "deadline_reminders": "每隔几分钟提醒承办单位即将到期和已超期的工单",
    "supervision_weekly": "每周向承办单位推送督办工单清单",
    "verification_prune": "每天凌晨删除 7 天前的短信验证码记录（含手机号）",
    "whistle_report_in": "吹哨报到：超时未报到的单位提醒一次，提醒后仍未报到的通报热线办",
    "routing_retrain": "每周一用本辖区的派单记录重新训练派单模型，优于在用模型才启用",
}
OUTCOME = {
    "running": "运行中",
    "done": "完成",
    "partial": "部分完成",
    "skipped": "无需执行",
    "failed": "失败",
    "missed": "错过（超出补跑时限）",
    "abandoned": "中断（实例退出）",
}
LIST_HEADER = "任务名称                    下次运行           上次运行（应运行时间 / 结果）  说明"
NEVER = "—"
UNKNOWN_JOB = "没有名为 “{name}” 的任务。可用任务：{names}"
BAD_AT = "时间格式应为 \"YYYY-MM-DD HH:MM\"（上海时间），例如 \"2026-12-01 16:00\"。"
RAN = "任务 {name} 已按 {at}（上海时间）运行：{outcome}"
NOT_RUN = "任务 {name} 未运行：同一时间的任务已在运行。"
NO_LETTERS = "没有符合条件的函件。"
LETTER_HEADER = ("编号", "类型", "单位", "期次", "生成时间")
DOCX_WRITTEN = "已生成 Word 文件：{path}"
BAD_KIND = "函件类型应为：{kinds}"
