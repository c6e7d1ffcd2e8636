"""Validation and masking of citizens' personal data (DOMAIN §8)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from tickets.enums import Role
from tickets.errors import ValidationFailed
from tickets.models import Ticket
from tickets.texts import ERR_BAD_PHONE

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalize_phone(raw: str) -> str:
    """A Chinese mobile (13800138000) or landline (021-12345678, ext. allowed), or ValidationFailed.

    Full-width digits and +86 / 0086 prefixes are accepted because people type them.
    """
    text = raw.strip().translate(_FULLWIDTH_DIGITS)
    if len(parts := re.split(r"(?:转|ext\.?|x)", text, maxsplit=1, flags=re.IGNORECASE)) == 2:
        main, ext = parts
    else:
        main, ext = text, ""
    groups = [g for g in re.split(r"[\s\-]+", main.strip()) if g]
    if not ext and len(groups) == 3 and groups[0].startswith("0") and len(groups[1]) in (7, 8):
        # 021-12345678-123: the third group is an extension.
        ext = groups.pop()
    compact = _SEPARATORS.sub("", "".join(groups))
    ext = _SEPARATORS.sub("", ext)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix) :]
            break
    else:
        if compact.startswith("86") and len(compact) == 13:
            compact = compact[2:]
    if _MOBILE.match(compact) and not ext:
        return compact
    if compact.isdigit() and compact.startswith("0") and (not ext or ext.isdigit()) and len(ext) <= 6:
        # 010 and 02x are the three-digit area codes; all others have four digits.
        area_len = 3 if compact[1] in "12" else 4
        area, number = compact[:area_len], compact[area_len:]
        if len(number) in (7, 8) and number[0] not in "01":
            return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise ValidationFailed(ERR_BAD_PHONE.format(phone=raw[:30]))


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")


def is_mobile(phone: str) -> bool:
    """A normalised mainland mobile number (one that can get an SMS)."""
    return bool(_MOBILE.match(phone))


def mask_company(name: str) -> str:
    """深圳市某某科技有限公司 → 深圳**********: the first two characters stay."""
    return name[:2] + "*" * max(len(name) - 2, 1) if name else ""


def mask_credit_code(code: str) -> str:
    """91440300MA5XXXXX1X → 91************XX1X: the kind and the check characters stay."""
    return code[:2] + "*" * (len(code) - 6) + code[-4:] if len(code) > 6 else "*" * len(code)


def mask_phone(phone: str | None) -> str:
    """138****5678; 021-****5678 for landlines."""
    if not phone:
        return ""
    if _MOBILE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    if "-" in phone:
        area, number, *ext = phone.split("-")
        return f"{area}-****{number[-4:]}" + (f"-{ext[0]}" if ext else "")
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; the surname stays so a unit knows how to address people."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


# --- phones in free text ------------------------------------------------------------------

_D = "0-9\uff10-\uff19"  # ASCII and full-width digits
# What people put between the groups of a number: spaces, dashes, dots, brackets, and the
# same in a URL's query string (+, %20, %2D) as access-log lines carry them.
_SEP = r"(?:[ \t\u3000\-\uff0d\u2010-\u2014.\uff0e()\uff08\uff09+\uff0b]|%20|%2[bBdD]|%2[89])"
_LEAD = r"(?:[+\uff0b(\uff08]|%2[bB]|%28)"
# A run of digit groups joined by separators. Groups and separators share no character, so
# the pattern is linear; which groups form a phone is decided in Python (_mask_run).
_RUN = re.compile(rf"{_LEAD}{{0,3}}[{_D}]+(?:{_SEP}{{1,3}}[{_D}]+)*")
# The digit groups of a run; separators are matched first so that %20 is not a group "20".
_TOKEN = re.compile(rf"{_SEP}|{_LEAD}|(?P<digits>[{_D}]+)")
_NOT_DIGIT = re.compile(rf"[^{_D}]+")
_INTERNATIONAL = re.compile(r"[+\uff0b]|%2[bB]")
_LEAD_AT_END = re.compile(rf"{_LEAD}+$")
# A local number without area code is a phone only when the words before it say so.
_PHONE_WORD = re.compile(r"(?:电话|手机|座机|固话|号码|联系方式|tel|phone)[\s:：是为]{0,3}$", re.IGNORECASE)
_MAX_GROUPS = 6  # +86 (0755) 1234 5678 is four; a phone never needs more than six
_MAX_DIGITS = 15


def _landline(digits: str) -> str | None:
    """0 + area code (010 and 02x have three digits, all others four) + 7 or 8 digits."""
    if len(digits) < 10 or digits[0] != "0" or digits[1] == "0":
        return None
    area = 3 if digits[1] in "12" else 4
    number = digits[area:]
    return f"{digits[:area]}-****{number[-4:]}" if len(number) in (7, 8) else None


def _masked_phone(digits: str, *, international: bool, country_group: bool) -> str | None:
    """The masked form when `digits` (ASCII) are a Chinese phone, else None."""
    rest, country = digits, False
    if digits.startswith("0086"):
        rest, country = digits[4:], True
    elif digits.startswith("86") and (international or country_group or len(digits) == 13):
        # 86 is the country code when written as such (+86, a group of its own) or in front
        # of a mobile (8613812345678); a bare 86 before a landline is too ambiguous.
        rest, country = digits[2:], international or country_group
    if _MOBILE.match(rest):
        return f"{rest[:3]}****{rest[-4:]}"
    if country and rest[:1] not in ("", "0"):
        rest = "0" + rest  # +86 21 6234 5678: the area code loses its 0 after the country code
    return _landline(rest)


def _in_decimal(text: str, start: int, end: int) -> bool:
    """Digits with a decimal point on either side are an amount or a measure (tables pasted
    into complaints: 18112345462.26, 29.04744473), never a phone."""
    before = text[max(0, start - 2):start]
    after = text[end:end + 2]
    return (len(before) == 2 and before[1] == "." and before[0].isdigit()) or (
        len(after) == 2 and after[0] == "." and after[1].isdigit())


def _mask_run(text: str, run: re.Match[str]) -> list[tuple[int, int, str]]:
    """Phones inside one run of digit groups: from each group, the longest sequence of
    following groups that is a phone. Only whole groups count, so a phone is never found
    inside a longer number (a ticket number, an order number)."""
    groups = [t for t in _TOKEN.finditer(text, run.start(), run.end()) if t.group("digits")]
    plain = [g.group().translate(_FULLWIDTH_DIGITS) for g in groups]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(groups):
        # A phone starts with 1 (mobile), 0 (area code or 0086) or 86; any other first digit
        # only for a local number that the words before it call a phone.
        local = plain[i][0] not in "018" and bool(
            _PHONE_WORD.search(text, max(0, groups[i].start() - 12), groups[i].start()))
        if plain[i][0] not in "018" and not local:
            i += 1
            continue
        lead = text[run.start() if i == 0 else groups[i - 1].end():groups[i].start()]
        international = bool(_INTERNATIONAL.search(lead))
        masked, last = None, i
        for j in range(min(len(groups), i + _MAX_GROUPS) - 1, i - 1, -1):
            digits = "".join(plain[i:j + 1])
            if len(digits) > _MAX_DIGITS:
                continue
            if len(digits) < 7:
                break
            if local:
                masked = f"****{digits[-4:]}" if len(digits) <= 8 else None
            else:
                masked = _masked_phone(digits, international=international,
                                       country_group=plain[i] == "86" and j > i)
            if masked is not None:
                last = j
                break
        if masked is None or _in_decimal(text, groups[i].start(), groups[last].end()):
            i += 1
            continue
        start = groups[i].start()
        if (opening := _LEAD_AT_END.search(lead)) is not None:
            start -= len(opening.group())
        found.append((start, groups[last].end(), masked))
        i = last + 1
    return found


def mask_text(text: str, *, names: Sequence[str | None] = ()) -> str:
    """Every phone number citizens write into free text, masked: mobiles as 138****5678,
    landlines as 021-****5678 (an extension stays), however they are spaced, dashed,
    bracketed, prefixed (+86, 86, 0086) or typed (full-width digits). Ticket numbers, dates
    and amounts are left alone. For logs, reports, group messages, exports and every
    response a stranger to the ticket may read.

    `names`: the ticket's citizen names, masked too where the text quotes them (people
    write "我是王小明…")."""
    if not text:
        return text or ""
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, mask_name(name))
    pieces: list[str] = []
    done = 0
    for run in _RUN.finditer(text):
        if len(_NOT_DIGIT.sub("", run.group())) < 7:
            continue  # too few digits for the shortest phone (a local number said to be one)
        for start, end, masked in _mask_run(text, run):
            pieces.append(text[done:start])
            pieces.append(masked)
            done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


# Entrance and room numbers (2单元1201室, 3-2-1201): who lives behind which door. The
# street, the compound and the building stay: they say where a matter is (a broken lift in
# 3号楼 concerns everyone living there), not whose home it is.
_DOOR = re.compile(rf"[{_D}]+(?=\s*(?:单元|室|户|房))")
_DOOR_NUMBERS = re.compile(rf"[{_D}]+(?:[-\uff0d][{_D}]+)+")
_ANY_DIGIT = re.compile(rf"[{_D}]")


def mask_place(place: str | None) -> str:
    """A place as a stranger to the ticket sees it: phones masked, and the entrance and room
    numbers replaced by asterisks (幸福小区3栋2单元1201室 → 幸福小区3栋*单元****室)."""
    text = mask_text(place or "")
    text = _DOOR.sub(lambda m: "*" * len(m.group()), text)
    return _DOOR_NUMBERS.sub(lambda m: _ANY_DIGIT.sub("*", m.group()), text)


# A resident identity card number (18 characters, the last may be X) and e-mail addresses:
# neither may reach a published page.
_ID_CARD = re.compile(rf"(?<![{_D}])[{_D}]{{17}}[{_D}Xx](?![{_D}])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


_MASKED_PHONE = re.compile(
    r"[+＋]?[0-9０-９()（）\- ]*\*{4}[0-9０-９]{4}(?:\s*(?:转|ext\.?|x)\s*[0-9０-９]{1,6})?"
)


def redact_for_publication(
    text: str | None, *, names: Sequence[str | None] = (), hidden: str = "＊＊"
) -> str:
    """Text fit for a public page (市长信箱 letters published with the writer's consent): the
    writer's names removed entirely (a public page keeps no surname either),
    phones, identity card numbers and e-mail addresses replaced, entrance and room numbers starred."""
    text = text or ""
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, hidden)
    text = _ID_CARD.sub(hidden, text)
    text = _EMAIL.sub(hidden, text)
    # Even a masked phone (138****5678) says too much on a public page: the whole number goes.
    text = _MASKED_PHONE.sub(hidden, mask_text(text))
    text = _DOOR.sub(lambda m: "*" * len(m.group()), text)
    return _DOOR_NUMBERS.sub(lambda m: _ANY_DIGIT.sub("*", m.group()), text)


# --- logs --------------------------------------------------------------------------------------

_TRACEBACKS = logging.Formatter()


def _masked_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a record that cannot be formatted is for logging itself to report
        return record
    record.msg, record.args = mask_text(message), None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters reuse exc_text when it is set: the traceback is masked once, here.
        record.exc_text = mask_text(_TRACEBACKS.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    return record


class _MaskingRecordFactory:
    """Wraps the process's record factory: every record of every logger (access log, error
    tracebacks, the database driver, third-party libraries) is masked when it is made, so no
    handler or formatter can ever write a phone number out."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return _masked_record(self.inner(*args, **kwargs))


def install_log_masking() -> None:
    """Mask phones in every log record of this process (idempotent)."""
    if not isinstance(logging.getLogRecordFactory(), _MaskingRecordFactory):
        logging.setLogRecordFactory(_MaskingRecordFactory(logging.getLogRecordFactory()))


def may_see_contact(ticket: Ticket, *, role: Role, unit_id: int | None = None, citizen_id: int | None = None,
                    co_unit_ids: Sequence[int] = ()) -> bool:
    """DOMAIN §8: the citizen's name and phone are for the office, the handlers of the units
    the ticket is assigned to (主办 and 协办) and the citizen who filed it; all others see masks."""
    match role:
        case Role.OFFICE:
            return True
        case Role.HANDLER:
            return unit_id is not None and (unit_id == ticket.main_unit_id or unit_id in co_unit_ids)
        case Role.CITIZEN:
            return citizen_id is not None and ticket.citizen_id == citizen_id
        case _:
            return False


def phone_suffix_matches(phone: str | None, given: str, *, digits: int = 4) -> bool:
    """Whether `given` is the last `digits` digits of `phone` (how a stranger proves a ticket is theirs)."""
    known = re.sub(r"\D", "", phone or "")
    typed = re.sub(r"\s", "", given or "").translate(_FULLWIDTH_DIGITS)
    return len(known) >= digits and typed == known[-digits:]
