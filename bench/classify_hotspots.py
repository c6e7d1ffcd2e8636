"""Hotspots on tipdm2020c attachment 3: ≥ N similar messages from different citizens in 7 days.

    .venv/bin/python bench/classify_hotspots.py [--data PATH] [--threshold T] [--show K]

Uses the policy's hotspot numbers (tickets/policy_default.yaml). Prints every hotspot
(size, window, keywords, mean similarity to its seed) and, for the first K, the titles
of their members so a person can judge whether they are really one matter. Also times
`SimilarityIndex`: vectorising a week of messages and comparing one new message with it.
"""

from __future__ import annotations

import argparse
import csv
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from knowledge_base import segment
from knowledge_base.classify.similarity import (
    HOTSPOT_THRESHOLD,
    SimilarityIndex,
    TextRecord,
    find_hotspots,
)
from tickets.policy import load_policy

# ../shared/data beside the checkout, as the workplace lays it out.
DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tipdm2020c" / "attachment3_messages_with_votes.csv"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _parse_time(value: str) -> datetime:
    value = value.strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError(f"unparsed time {value!r}")


def load(path: Path) -> tuple[list[TextRecord], dict[str, str]]:
    records: list[TextRecord] = []
    titles: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            title = row["留言主题"].strip()
            detail = " ".join(row["留言详情"].split())
            records.append(
                TextRecord(
                    id=row["留言编号"],
                    citizen_key=row["留言用户"],
                    time=_parse_time(row["留言时间"]),
                    text=f"{title}\n{detail}",
                )
            )
            titles[row["留言编号"]] = title
    return records, titles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--threshold", type=float, default=HOTSPOT_THRESHOLD)
    parser.add_argument("--show", type=int, default=8, help="print member titles of the first K hotspots")
    args = parser.parse_args()

    segment.load()
    policy = load_policy()
    records, titles = load(args.data)
    min_citizens = policy.supervision.hotspot_min_tickets
    window = timedelta(days=policy.supervision.hotspot_window_days)
    print(
        f"{len(records)} messages, {len({r.citizen_key for r in records})} citizens, "
        f"{min(r.time for r in records):%Y-%m-%d} … {max(r.time for r in records):%Y-%m-%d}; "
        f"hotspot = ≥{min_citizens} citizens within {window.days} days, cosine ≥ {args.threshold}"
    )

    started = time.perf_counter()
    hotspots = find_hotspots(records, min_citizens=min_citizens, window=window, threshold=args.threshold)
    print(f"find_hotspots: {time.perf_counter() - started:.1f} s, {len(hotspots)} hotspots\n")
    by_id = {r.id: r for r in records}
    for n, spot in enumerate(hotspots, start=1):
        print(
            f"#{n}: {len(spot.record_ids)} messages, {spot.citizens} citizens, "
            f"{spot.start:%Y-%m-%d} … {spot.end:%Y-%m-%d}, mean cos {spot.mean_score:.2f}, "
            f"keywords: {' '.join(spot.keywords)}"
        )
        if n <= args.show:
            print(f"    seed: {titles[str(spot.seed_id)]}")
            for rid in spot.record_ids[:12]:
                print(f"    - {by_id[rid].time:%m-%d} {by_id[rid].citizen_key[-4:]} {titles[str(rid)][:50]}")
            if len(spot.record_ids) > 12:
                print(f"    … and {len(spot.record_ids) - 12} more")

    # A week of messages: build once, then compare new ones. The data set is thin (about
    # 40 messages a week), so all 4,326 messages also stand in for a busy hotline week.
    records.sort(key=lambda r: r.time)
    stamps = np.array([r.time.timestamp() for r in records])
    ends = np.searchsorted(stamps, stamps + window.total_seconds(), side="right")
    first = int(np.argmax(ends - np.arange(len(records))))
    for label, batch in (("busiest real week", records[first : int(ends[first])]), ("all messages", records)):
        started = time.perf_counter()
        index = SimilarityIndex(batch)
        build = time.perf_counter() - started
        probe = records[-1]
        started = time.perf_counter()
        for _ in range(100):
            index.similar_to(probe.text)
        query = (time.perf_counter() - started) / 100
        print(
            f"SimilarityIndex, {label} ({len(batch)} messages): build {build:.2f} s, "
            f"one new message against all of them {query * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
