"""The texts modules hold every sentence people read: a name given twice silently replaces
the first sentence (an SMS-code message once replaced the staff invite code's)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_text_name_is_assigned_twice() -> None:
    repeated = {}
    paths = [p for p in sorted(ROOT.glob("*/**/texts.py")) + sorted(ROOT.glob("*/**/letter_texts.py"))
             if ".venv" not in p.parts]
    assert {"tickets/texts.py", "bot/texts.py", "web/h5/texts.py"} <= {str(p.relative_to(ROOT)) for p in paths}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = Counter(t.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                        if isinstance(t, ast.Name))
        if twice := sorted(n for n, c in names.items() if c > 1):
            repeated[str(path.relative_to(ROOT))] = twice
    assert repeated == {}
