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
