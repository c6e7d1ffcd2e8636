"""Every sentence of the knowledge base that a citizen or office worker reads."""

from __future__ import annotations

ASK_SOLVED = "以上回答解决您的问题了吗？"
SOLVED_BUTTON = "解决了"
NOT_SOLVED_BUTTON = "没解决"
SUGGEST_HEADER = "没有完全理解您的问题，猜您想问："
# The one no-answer sentence: the bot and the H5 chat import it; both offer 提交诉求 under it.
NO_ANSWER = "抱歉，暂时没有找到合适的答案。您可以提交诉求，我们会转交相关部门尽快办理。"
EMPTY_QUESTION = "您好，请用一句话描述您想咨询或反映的问题，例如“社保卡丢了怎么补办”。"
PERSON_REQUESTED = "好的，您可以转人工客服，或者直接提交诉求，我们会尽快为您办理。"
OFFER_PERSON_BUTTON = "转人工"
NEW_TICKET_BUTTON = "提交诉求"
SMALL_TALK = {
    "greeting": (
        "您好！这里是12345政务服务便民热线，请问有什么可以帮您？可以直接输入您想咨询的问题，或者提交诉求。"
    ),
    "thanks": "不客气，很高兴能帮到您！还有其他问题随时找我。",
    "goodbye": "再见，祝您生活愉快！有需要随时找12345。",
}
OUT_OF_SCOPE = ("抱歉，这个问题不属于12345政务服务便民热线的受理范围。12345受理政务服务咨询、"
                "求助、投诉、举报和建议，例如社保、公积金、户籍、市容环境、水电燃气等方面的问题。")
THANKS_FOR_FEEDBACK = "感谢您的反馈！"
SORRY_NOT_SOLVED = "抱歉没能帮到您。您可以转人工客服，或者直接提交诉求。"
LOCAL_RULES = "具体以当地规定为准。"

# kb CLI output (read by office staff).
CLI_IMPORTED = "已导入 {created} 条新条目，更新 {updated} 条，未变 {unchanged} 条。"
CLI_EXPORTED = "已导出 {count} 条条目到 {path}。"
CLI_QUESTION = "问：{question}"
CLI_ANSWER = "答：{answer}"
CLI_UNIT = "承办单位：{unit}"
CLI_BAND = {"answer": "直接回答", "suggest": "猜你想问", "none": "无答案（转人工/提交诉求）"}

# Errors shown to office staff.
ENTRY_NOT_FOUND = "知识库中没有编号为 {key} 的条目。"
FIELD_TOO_LONG = "条目 {key} 的 {field} 超过 {limit} 个字符，请缩短后再导入。"
NO_UNIT = "（未指定单位）"
CLI_NO_UPDATES = "没有知识库更新记录。"
CLI_NO_FEEDBACK = "还没有市民反馈。"
DUPLICATE_KEY = "编号 {key} 出现了不止一次，请保留一条后再导入。"
CLI_ENCODING = "正在计算条目向量：{done}/{total}"
CLI_ENCODING_BAR = "计算新条目的向量"
CLI_ENCODED = ("已计算 {texts} 段新文本的向量（问题、相似问法、模拟的市民问法和答案开头；"
               "知识库共 {entries} 条在用条目），用时 {seconds} 秒。正在运行的服务会在十几秒内用新条目回答。")
CLI_PROBLEMS = "文件中有 {count} 处问题（共 {rows} 行无法导入）："
CLI_NOTHING_WRITTEN = "没有写入任何条目。改正后重新导入，或加 --skip-invalid 只导入无问题的行。"
LIST_SEPARATOR = "、"
UNIT_ROWS = "{unit}（{rows} 行）"
CLI_NOTHING_VALID = "文件中没有一行可以导入，没有写入任何条目。"
CLI_SKIPPED = "已跳过 {rows} 行有问题的数据。"
# One problem of an imported file: where it is and why (office staff fix the file).
PROBLEM = "{source} 第 {row} 行「{column}」列：{reason}"
PROBLEM_IN_SHEET = "{source} 第 {row} 行 {letter} 列「{column}」：{reason}"
PROBLEM_ROWS = "{source} 第 {rows} 行「{column}」列：{reason}（共 {count} 行）"
PROBLEM_ROWS_IN_SHEET = "{source} 第 {rows} 行 {letter} 列「{column}」：{reason}（共 {count} 行）"
ROW_RANGE = "{first}–{last}"
ROW_LIST_SEPARATOR = "、"
ROW_LIST_MORE = "、……"
SHEET_SOURCE = "{file}「{sheet}」表"
# A column named in our words when the file has no header for it (YAML keys are English).
COLUMN_LABELS = {
    "id": "编号", "question": "问题", "answer": "答案", "alternatives": "相似问法", "keywords": "关键词",
    "unit": "责任单位", "category": "分类", "active": "启用",
}
PROBLEM_EMPTY = "为空"
PROBLEM_TOO_LONG = "超过 {limit} 个字符（现有 {length} 个）"
PROBLEM_DUPLICATE_ID = "编号 {key} 重复（{same}）"
PROBLEM_DUPLICATE_QUESTION = "问题重复（{same}）"
SAME_ROW = "与第 {row} 行相同"
SAME_ROW_ELSEWHERE = "与 {source} 第 {row} 行相同"
PROBLEM_UNKNOWN_UNIT = "单位“{unit}”不在本系统的单位名单中"
PROBLEM_UNIT_GUESS = "，是否应为“{unit}”？"
# After the list when units are unknown: what the office can do about it.
UNKNOWN_UNITS_HINT = ("文件中有 {count} 个单位名称不在本系统的单位名单中（共 {rows} 行）。"
                      "本系统的单位：{units}。"
                      "请把这些单位改成名单中的名称后重新导入；如果这些条目只用于回答市民，"
                      "也可以加 --keep-unknown-units，单位名称照原样保存（这些条目不参与派单时的单位推荐）。")
UNKNOWN_UNITS_KEPT = ("{count} 个单位名称不在本系统的单位名单中，已照原样保存（共 {rows} 条条目，"
                      "照常回答市民，不参与派单时的单位推荐）：{units}")

# Weekly gap list (office).
GAP_BAD_WEEK = "周次格式应为 2026-W48 这样的形式，收到的是“{week}”。"
GAP_NO_WEEK = "没有这一周：{week}。"
GAP_NEEDS_ANSWER = "新条目需要填写答案。"
GAP_ENTRY_EXISTS = "编号为 {key} 的条目已经存在。"
GAP_NOT_FOUND = "这一周没有编号为 {cluster} 的问题簇。"
CLI_NO_GAPS = "这一周没有未解决的问题。"
CLI_GAP_LINE = "[{id}] {size} 次（没解决 {not_solved} 次）  可能的单位：{units}"
CLI_GAP_CREATED = "已把问题簇 {cluster} 建成新条目 {key}。"
