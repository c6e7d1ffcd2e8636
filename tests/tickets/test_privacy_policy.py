"""Phone validation and masking; policy loading with an office override file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from tickets.enums import Channel, RequestType, Role
from tickets.errors import ValidationFailed
from tickets.models import Ticket
from tickets.policy import PeriodUnit, load_policy
from tickets.privacy import (
    mask_name,
    mask_phone,
    mask_text,
    may_see_contact,
    normalize_phone,
    phone_suffix_matches,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("021-62345678", "021-62345678"),
        ("(010) 62345678", "010-62345678"),
        ("0755 8765 4321", "0755-87654321"),
        ("021-62345678-123", "021-62345678-123"),
        ("010-6234567转88", "010-6234567-88"),
    ],
)
def test_valid_chinese_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12345", "1380013800", "23800138000", "021-0234567", "abc", "", "138001380001"]
)
def test_invalid_numbers_get_a_clear_chinese_error(raw: str) -> None:
    with pytest.raises(ValidationFailed, match="格式不正确"):
        normalize_phone(raw)


def test_masking() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("021-62345678") == "021-****5678"
    assert mask_phone("021-62345678-123") == "021-****5678-123"
    assert mask_phone(None) == ""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_text("我是13912345678，房号1201") == "我是139****5678，房号1201"


def test_shipped_policy_defaults() -> None:
    policy = load_policy()
    assert policy.deadlines.completion.general.amount == 5
    assert policy.deadlines.completion.general.unit is PeriodUnit.WORKING_DAYS
    assert policy.deadlines.warning.unit is PeriodUnit.CALENDAR_DAYS and policy.deadlines.warning.amount == 25
    assert policy.deadlines.limit.amount == 30
    assert policy.checks.duty_login_deadline == time(16, 0)
    assert policy.checks.statistics_days_of_month == [1, 11, 21]
    assert policy.deadlines.urgent_offhours_feedback.unit is PeriodUnit.HOURS


def test_office_override_merges_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("deadlines:\n  completion:\n    general: {amount: 10, unit: working_days}\n"
                    "checks:\n  duty_login_deadline: '15:30'\n", encoding="utf-8")
    policy = load_policy(path)
    assert policy.deadlines.completion.general.amount == 10
    assert policy.deadlines.completion.urgent.amount == 1
    assert policy.checks.duty_login_deadline == time(15, 30)
    path.write_text("deadlines:\n  warning: {amount: 25, unit: fortnights}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unit"):
        load_policy(path)


def test_who_may_see_the_citizens_contact() -> None:
    ticket = Ticket(
        number="2026112300001",
        channel=Channel.WEB,
        request_type=RequestType.HELP,
        content="路灯不亮",
        main_unit_id=2,
        citizen_id=7,
    )
    assert may_see_contact(ticket, role=Role.OFFICE)
    assert may_see_contact(ticket, role=Role.HANDLER, unit_id=2)
    assert may_see_contact(ticket, role=Role.HANDLER, unit_id=3, co_unit_ids=[3])  # 协办 unit
    assert not may_see_contact(ticket, role=Role.HANDLER, unit_id=4, co_unit_ids=[3])
    assert not may_see_contact(ticket, role=Role.HANDLER, unit_id=None)
    assert may_see_contact(ticket, role=Role.CITIZEN, citizen_id=7)
    assert not may_see_contact(ticket, role=Role.CITIZEN, citizen_id=8)
    assert not may_see_contact(ticket, role=Role.SYSTEM)


def test_phone_suffix_check() -> None:
    assert phone_suffix_matches("13800138000", "8000")
    assert phone_suffix_matches("13800138000", " ８０００ ")
    assert phone_suffix_matches("021-62345678", "5678")
    assert not phone_suffix_matches("13800138000", "0000")
    assert not phone_suffix_matches(None, "8000")
    assert not phone_suffix_matches("123", "123")
