"""Every sentence of the classification package that an office worker reads (CLI, errors)."""

from __future__ import annotations

# --- errors -------------------------------------------------------------------
ERR_EMPTY_TEXT = "诉求内容为空，无法分类，请填写诉求内容。"
ERR_NO_TRAINING_ROWS = "训练数据中没有可用的行（文本和标签都不能为空）。"
ERR_ONE_LABEL = "训练数据只有一个标签“{label}”，至少需要两个不同的标签才能训练。"
ERR_UNKNOWN_LABELS = "评估数据中有模型不认识的标签：{labels}。模型认识的标签：{known}。"
ERR_MISSING_COLUMNS = "文件 {path} 缺少列：{missing}。现有的列：{present}。"
ERR_FILE_NOT_FOUND = "找不到文件：{path}。"
ERR_FILE_FORMAT = "不支持的文件格式“{suffix}”，请使用 CSV 或 XLSX 文件。"
ERR_FILE_UNREADABLE = "无法读取文件 {path}：{reason}。"
ERR_BAD_WHERE = "筛选条件“{where}”格式不正确，应为“列名=值”，例如 split=test。"
ERR_MODEL_NOT_FOUND = "找不到模型文件：{path}。请先运行 classify train 训练模型。"
ERR_MODEL_NOT_A_MODEL = "文件 {path} 不是分类模型文件。"
ERR_MODEL_OLD_FORMAT = (
    "模型文件 {path} 的格式版本为 {found}，当前程序需要版本 {expected}。请用 classify train 重新训练模型。"
)
ERR_MODEL_LIBRARY = (
    "模型文件 {path} 由 scikit-learn {found} 训练，当前安装的是 {installed}，无法安全加载。"
    "请用 classify train 重新训练模型。"
)
ERR_NO_ROWS_AFTER_FILTER = "按条件“{where}”筛选后没有任何数据行。"

# --- CLI output ---------------------------------------------------------------
CLI_TRAIN_PROGRESS = "训练分类模型"
CLI_TRAINED = "已训练模型：{n} 条数据，{k} 个标签，用时 {seconds:.1f} 秒，已保存到 {path}。"
CLI_PREDICT_LINE = "{rank}. {label}  {confidence:.1%}"
CLI_PREDICT_HEADER = "建议派往（按可能性排序）："
CLI_RULES_TYPE = "类型：{type}（{cues}）"
CLI_RULES_URGENCY = "紧急程度：{level}（{cues}）"
CLI_RULES_ROUTE = "分类：{routes}"
CLI_RULES_ROUTE_ITEM = "{label} {confidence:.0%}"
CLI_NO_CUES = "无明显提示词"
CLI_NO_ROUTE = "无匹配，请人工选择"

# --- the unit router's retraining (retrain.py) -----------------------------------
KEYWORD_RULES = "关键词规则"
MODEL_SOURCE = "数据库中的派单模型 {version}"
ERR_NO_SUCH_MODEL = "没有版本为 {version} 的派单模型。用 classify models list 查看已有的模型。"
ERR_NOTHING_TO_ROLL_BACK = "当前没有在用的派单模型，无需回退（正在使用关键词规则）。"
RETRAIN_ALREADY = "{week} 的派单模型已训练过，本次不再训练。"
RETRAIN_TOO_FEW = ("派单模型未训练：训练期内只有 {n} 条派单记录，至少需要 {need} 条（且至少两个单位）。"
                   "继续使用现有的派单建议。")
RETRAIN_PROMOTED = (
    "派单模型 {version} 已启用：用 {n} 条派单记录训练，在最近 {held} 条派单上首选命中率 {c1:.1%}、"
    "前三命中率 {c3:.1%}，优于在用的{current}（{u1:.1%} / {u3:.1%}）。"
)
RETRAIN_REFUSED = (
    "派单模型 {version} 未启用：在最近 {held} 条派单上首选命中率 {c1:.1%}、前三命中率 {c3:.1%}，"
    "不优于在用的{current}（{u1:.1%} / {u3:.1%}）。继续使用{current}。"
)
RETRAIN_REFUSED_FEW_HELD = (
    "派单模型 {version} 未启用：最近只有 {held} 条派单可供比较，至少需要 {need} 条。"
    "（新模型 {c1:.1%} / {c3:.1%}，在用的{current} {u1:.1%} / {u3:.1%}）继续使用{current}。"
)
MODEL_PROMOTED_BY_HAND = "派单模型 {version} 已由人工启用。"
MODEL_ROLLED_BACK = "派单模型 {version} 已停用，回退到{back_to}。"
CLI_RETRAIN_PROGRESS = "训练派单模型"
CLI_NO_MODELS = "还没有派单模型（正在使用关键词规则）。"
CLI_MODELS_HEADER = (
    "版本  状态    训练时间          训练期                 训练/比较条数  首选/前三命中率  scikit-learn"
)
CLI_MODELS_LINE = (
    "{version:<5} {status:<6} {created}  {start} ~ {end}  {n}/{held}  {top1:.1%} / {top3:.1%}  {sklearn}"
)
MODEL_STATUS = {"promoted": "在用", "refused": "未启用", "retired": "已停用"}
CLI_PROMOTED = "派单模型 {version} 已启用。"
CLI_ROLLED_BACK = "已回退到 {back_to}。"
CLI_QUALITY_HEADER = "派单建议命中情况 {start} 至 {end}：共 {n} 单，首选命中 {top1:.1%}，前三命中 {top3:.1%}"
CLI_QUALITY_LINE = "  {what}  {n} 单  首选 {top1:.1%}  前三 {top3:.1%}"
