"""Long commands show progress on a terminal and stay quiet when piped (issue 13)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env: dict[str, str], *, terminal: bool) -> tuple[str, str]:
    """Run main.py with stderr on a pseudo-terminal (as a person sees it) or on a pipe."""
    if not terminal:
        done = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300, check=True)
        return done.stdout, done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "main.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    stdout = process.communicate(timeout=300)[0].decode()
    os.close(leader)
    assert process.returncode == 0, seen.decode(errors="replace")
    return stdout, seen.decode(errors="replace")


def test_demo_and_monthly_report_show_progress_only_on_a_terminal(tmp_path: Path) -> None:
    env = dict(os.environ, HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}", COLUMNS="100")
    out, err = _run(["demo", "--tickets", "12"], env, terminal=True)
    assert "演示数据已生成" in out
    assert "生成演示工单" in err and "12/12" in err
    month = subprocess.run(
        [
            sys.executable,
            "-c",
            "from datetime import date; d = date.today().replace(day=1);print(f'{d.year}-{d.month:02d}')",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    out, err = _run(
        ["report", "monthly", "--month", month, "--out", str(tmp_path / "tty")], env, terminal=True
    )
    assert "-trend.png" in out
    assert "生成月报" in err
    # Piped: the paths only, nothing drawn on stderr.
    out, err = _run(
        ["report", "monthly", "--month", month, "--out", str(tmp_path / "pipe")], env, terminal=False
    )
    assert err == "" and "生成月报" not in out


def test_classify_train_shows_its_stages_on_a_terminal(tmp_path: Path) -> None:
    args = ["classify", "train", "--data", str(ROOT / "tests/data/classify_routing.csv"), "--text-col",
            "title,detail", "--label-col", "label", "--out", str(tmp_path / "m.clf")]
    out, err = _run(args, dict(os.environ, COLUMNS="100"), terminal=True)
    assert out.startswith("已训练模型：") and "训练分类模型" in err and "3/3" in err
    out, err = _run(args, dict(os.environ), terminal=False)
    assert out.startswith("已训练模型：") and err == ""


def test_kb_import_draws_the_encoding_on_a_terminal_and_says_what_it_did(tmp_path: Path) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text("id,question,answer\n1,社保卡丢了怎么补办,先挂失再补办。\n2,公积金怎么提取,带身份证到窗口办理。\n",
                   encoding="utf-8")
    env = dict(os.environ, HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}", COLUMNS="100",
               HOTLINE_KB_VECTORS=str(tmp_path / "tty.npz"))
    out, err = _run(["kb", "import", str(faq)], env, terminal=True)
    assert "已导入 2 条新条目" in out and "计算新条目的向量" in err
    assert "段新文本的向量" in out and "知识库共 2 条在用条目），用时" in out
    faq.write_text(faq.read_text(encoding="utf-8") + "3,护照怎么办,到出入境窗口办理。\n", encoding="utf-8")
    out, err = _run(["kb", "import", str(faq)], dict(env, HOTLINE_KB_VECTORS=str(tmp_path / "pipe.npz")),
                    terminal=False)
    assert err == "" and "已导入 1 条新条目，更新 0 条，未变 2 条。" in out and "知识库共 3 条在用条目" in out
