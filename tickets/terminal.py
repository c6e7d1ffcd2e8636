"""What the command-line tools print besides plain lines: tables whose columns line up with
Chinese text (a CJK character takes two terminal columns) and progress bars for long jobs.

Both use rich, which measures the width of each character. A progress bar is drawn only
on a terminal: piped output (and --json) stays clean for scripts and logs.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain table (no borders, no colours), columns aligned by display width."""
    table = Table(box=None, pad_edge=False, header_style="")
    for header in headers:
        table.add_column(header, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    # Wide enough never to wrap: a person scrolls, a script splits on whitespace.
    console = Console(file=io.StringIO(), width=10_000, color_system=None, legacy_windows=False)
    console.print(table)
    lines = [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]
    return "\n".join(line for line in lines if line)


class Advance(Protocol):
    def __call__(self, steps: int = 1, *, total: int | None = None) -> None: ...


@contextmanager
def progress(label: str, *, total: int | None = None, enabled: bool | None = None) -> Iterator[Advance]:
    """A progress bar on stderr while the block runs; `advance()` moves it on. Silent (and
    nearly free) when stderr is not a terminal or `enabled` is False (--json)."""
    show = sys.stderr.isatty() if enabled is None else enabled and sys.stderr.isatty()
    if not show:
        yield lambda steps=1, *, total=None: None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(label, total=total)

    def advance(steps: int = 1, *, total: int | None = None) -> None:
        if total is not None:
            bar.update(task, total=total)
        bar.advance(task, steps)

    with bar:
        yield advance
