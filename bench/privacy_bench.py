"""Cost of masking (tickets.privacy): per access-log line, per ticket text, per log record
through the process-wide record factory, and what the masker finds in a generated corpus.

    .venv/bin/python bench/privacy_bench.py [--n 20000] [--seed 1]

Prints CPU time per call (the machine is shared: CPU time shows what the code costs), and
for a generated corpus of texts with phones in random spellings mixed with ticket numbers,
dates and amounts: how many phones were masked and how many non-phones were touched.
"""

from __future__ import annotations

import argparse
import logging
import random
import time

from tickets.privacy import install_log_masking, mask_place, mask_text

ACCESS = (
    '127.0.0.1 [06/Dec/2026:11:40:01 +0000] "GET /api/v1/tickets/2026120600001?state=received HTTP/1.1" '
    '200 1234 "-" "python-requests/2.32"'
)
TICKET = (
    "我家住在幸福小区3栋2单元1201室，楼下饭店油烟和噪音扰民已经三个月了，2026年11月23日晚上10点还在营业，"
    "多次找物业没有结果，罚款1,500元也没用，请尽快处理，电话13812345678。"
    * 2
)


def spell(rng: random.Random, digits: str) -> str:
    """One phone in one of the ways people write it."""
    a, b, c = digits[:3], digits[3:7], digits[7:]
    choices = [digits, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86{digits}", f"86{digits}", f"+86 {a} {b} {c}",
               digits.translate(str.maketrans("0123456789", "０１２３４５６７８９")), f"0086{digits}",
               f"{a}.{b}.{c}"]
    return rng.choice(choices)


def cpu_per_call(fn: object, arg: str, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        fn(arg)  # type: ignore[operator]
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(
        f"mask_text, access-log line ({len(ACCESS)} chars): {cpu_per_call(mask_text, ACCESS, args.n):.1f}"
        " µs CPU"
    )
    print(
        f"mask_text, ticket text ({len(TICKET)} chars): {cpu_per_call(mask_text, TICKET, args.n):.1f} µs CPU"
    )
    print(
        "mask_place, 幸福小区3栋2单元1201室:"
        f" {cpu_per_call(mask_place, '幸福小区3栋2单元1201室', args.n):.1f} µs CPU"
    )

    logger = logging.getLogger("bench.privacy")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    logger.setLevel(logging.INFO)

    def log_once(line: str) -> None:
        logger.info("%s", line)

    plain = cpu_per_call(log_once, ACCESS, args.n)
    install_log_masking()
    masked = cpu_per_call(log_once, ACCESS, args.n)
    print(f"one access-log record: {plain:.1f} µs plain, {masked:.1f} µs masked (+{masked - plain:.1f})")

    phones = found = touched = 0
    for _ in range(args.n // 10):
        digits = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        noise = [f"工单{rng.randrange(2026010100001, 2026123199999)}", f"{rng.randrange(2020, 2030)}-"
                 f"{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", f"{rng.randrange(1, 10**6):,}元",
                 f"{rng.randrange(1, 10**5)}.{rng.randrange(100):02d}元"]
        for item in noise:
            touched += mask_text(item) != item
        text = f"请联系{spell(rng, digits)}，谢谢"
        phones += 1
        found += mask_text(text) == f"请联系{digits[:3]}****{digits[-4:]}，谢谢"
    print(
        f"generated corpus: {found}/{phones} phones masked, {touched}/{4 * phones} ticket numbers, dates and "
        "amounts touched"
    )


if __name__ == "__main__":
    main()
