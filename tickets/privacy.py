"""Validation and masking of citizens' personal data (DOMAIN §8)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tickets.enums import Role
from tickets.errors import ValidationFailed
from tickets.models import Ticket
from tickets.texts import ERR_BAD_PHONE

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


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


def mask_text(text: str) -> str:
    """Mask mobile numbers that citizens wrote into free text (logs, reports, group chats)."""
    return _PHONE_IN_TEXT.sub(r"\1****\2", text)


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
