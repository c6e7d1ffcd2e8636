"""Hotspots on tipdm2020c attachment 3: ≥ N similar messages from different citizens in 7 days.

    .venv/bin/python bench/classify_hotspots.py [--data PATH] [--messages N] [--threshold T] [--show K]

Runs the service's own hotspot rule (reports.hotspots.hotspot_groups, what the bulletin
uses) with the policy's numbers (tickets/policy_default.yaml). The messages have no
category or place, so all are compared with each other: a harder case than the service's,
which compares only within one category and place. Prints every hotspot (size, window) and,
for the first K, the titles of its members so a person can judge whether they are really
one matter. Without a category or place every new text is compared with every group so far
(quadratic), so by default only the latest --messages messages are used.
"""

from __future__ import annotations

import argparse
import csv
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from knowledge_base.classify.similarity import HOTSPOT_THRESHOLD
from reports.hotspots import ClassifySimilarity, TicketText, hotspot_groups
from tickets.policy import load_policy

# ../shared/data beside the checkout, as the workplace lays it out.
DEFAULT = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "data"
    / "tipdm2020c"
    / "attachment3_messages_with_votes.csv"
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _parse_time(value: str) -> datetime:
    value = value.strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError(f"unparsed time {value!r}")


def load(path: Path) -> list[TicketText]:
    records: list[TicketText] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            title = row["留言主题"].strip()
            detail = " ".join(row["留言详情"].split())
            records.append(
                TicketText(
                    id=int(row["留言编号"]),
                    number=title,
                    category="",
                    content=f"{title}\n{detail}",
                    place="",
                    citizen_key=row["留言用户"],
                    received_at=_parse_time(row["留言时间"]),
                    unit=None,
                )
            )
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--messages", type=int, default=1000, help="the latest N messages (0: all)")
    parser.add_argument("--threshold", type=float, default=HOTSPOT_THRESHOLD)
    parser.add_argument("--show", type=int, default=8, help="print member titles of the first K hotspots")
    args = parser.parse_args()

    policy = load_policy()
    records = sorted(load(args.data), key=lambda r: r.received_at)[-args.messages :]
    need = policy.supervision.hotspot_min_tickets
    window = timedelta(days=policy.supervision.hotspot_window_days)
    first = min(r.received_at for r in records)
    print(
        f"{len(records)} messages, {len({r.citizen_key for r in records})} citizens, "
        f"{first:%Y-%m-%d} … {max(r.received_at for r in records):%Y-%m-%d}; "
        f"hotspot = ≥{need} citizens within {window.days} days, cosine ≥ {args.threshold}"
    )

    started = time.perf_counter()
    groups = hotspot_groups(records, window=window, need=need, not_before=first,
                            similarity=ClassifySimilarity(args.threshold))
    print(f"hotspot_groups: {time.perf_counter() - started:.1f} s, {len(groups)} hotspots\n")
    for n, members in enumerate(groups, start=1):
        print(
            f"#{n}: {len(members)} messages, {len({m.citizen_key for m in members})} citizens, "
            f"{members[0].received_at:%Y-%m-%d} … {members[-1].received_at:%Y-%m-%d}"
        )
        if n <= args.show:
            for m in members[:12]:
                print(f"    - {m.received_at:%m-%d} {m.citizen_key[-4:]} {m.number[:50]}")
            if len(members) > 12:
                print(f"    … and {len(members) - 12} more")


if __name__ == "__main__":
    main()
