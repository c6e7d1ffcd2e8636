"""统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a
31-character alphabet (digits and capitals without I, O, Z, S, V), the last one a check
character computed from the first 17 with the weights 3^i mod 31.

  position 1      registration authority (1 机构编制, 5 民政, 9 工商, Y 其他 …)
  position 2      kind of organisation within that authority
  positions 3–8   administrative division (GB/T 2260), digits
  positions 9–17  organisation code (GB 11714)
  position 18     check character (this module)

Written here rather than taken from a package: it is twenty lines, and the refusal must
say in Chinese what is wrong (which character, what the check character should be).
"""

from __future__ import annotations

import unicodedata

from tickets import texts
from tickets.errors import ValidationFailed

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
# W_i = 3^(i-1) mod 31 for i = 1..17 (GB 32100-2015, 5.2).
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (already valid characters)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(raw: str) -> str:
    """Full-width characters, spaces and dashes people type in are folded away; lower case
    letters are raised (codes are printed in capitals)."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_").upper()


def validate_credit_code(raw: str) -> str:
    """The code, normalised, or ValidationFailed with the reason in Chinese."""
    code = normalize(raw)
    if len(code) != LENGTH:
        raise ValidationFailed(texts.ERR_CREDIT_CODE_LENGTH.format(length=len(code)))
    for position, ch in enumerate(code, start=1):
        if ch not in VALUE:
            raise ValidationFailed(texts.ERR_CREDIT_CODE_CHARACTER.format(position=position, char=ch))
    if not code[2:8].isdigit():
        raise ValidationFailed(texts.ERR_CREDIT_CODE_DIVISION)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationFailed(texts.ERR_CREDIT_CODE_CHECK.format(given=code[17]))
    return code


def is_valid_credit_code(raw: str) -> bool:
    try:
        validate_credit_code(raw)
    except ValidationFailed:
        return False
    return True
