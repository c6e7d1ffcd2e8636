"""Knowledge base (聊天办): self-service answers to citizens' common questions.

Public API (import from the modules; this package imports nothing so that
`knowledge_base.classify` stays light):

- `normalize.normalize(text)`: canonical text (half-width, simplified, lower case,
  no punctuation/emoji/markup, repeated characters and Chinese numerals folded).
- `segment.load()` at start-up, then `segment.tokenize(text)`.
- `matcher.Entry`, `matcher.KnowledgeBase`, `matcher.build_knowledge_base(...)`.
- `conversation.answer(kb, text, context=None) -> AnswerResult` (`Band`,
  `NextAction`, `ConversationContext`, `reply_text`, `feedback_reply`).
- `config.load_config()` -> `MatcherConfig` (weights and thresholds, matcher.yaml).
- `files.read_entries` / `files.write_entries` (CSV, XLSX, YAML), `files.default_records()`.
- `service.*`: async storage functions (session first, keyword-only).
- `evaluation.evaluate(kb, queries)`: the `kb eval` figures.
"""
