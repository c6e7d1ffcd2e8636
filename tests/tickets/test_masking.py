"""Masking of citizens' phone numbers and places in free text (DOMAIN §8): every way a
Chinese number is written is found, and nothing that only looks like digits (ticket
numbers, dates, amounts) is touched."""

from __future__ import annotations

import logging

import pytest

from tickets.privacy import install_log_masking, mask_place, mask_text


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        # Mobiles: contiguous, spaced, dashed, dotted, with +86 / 86 / 0086, full-width.
        ("13812345678", "138****5678"),
        ("138 1234 5679", "138****5679"),
        ("138-1234-5670", "138****5670"),
        ("138.1234.5671", "138****5671"),
        ("1381 2345 672", "138****5672"),
        ("+8613812345671", "138****5671"),
        ("+86 138 1234 5673", "138****5673"),
        ("+86-138-1234-5674", "138****5674"),
        ("(+86)13812345675", "138****5675"),
        ("8613812345672", "138****5672"),
        ("86 13812345676", "138****5676"),
        ("008613812345677", "138****5677"),
        ("１３８１２３４５６７８", "138****5678"),
        ("１３８ １２３４ ５６７９", "138****5679"),
        ("＋８６ １３８－１２３４－５６７０", "138****5670"),
        ("138+1234+5678", "138****5678"),  # a query string's spaces
        ("138%201234%205678", "138****5678"),
        # Landlines with area codes, brackets, extensions (the extension may stay).
        ("021-62345678", "021-****5678"),
        ("02162345678", "021-****5678"),
        ("021 6234 5678", "021-****5678"),
        ("(0755)12345678", "0755-****5678"),
        ("（0755）1234 5678", "0755-****5678"),
        ("0755-1234567", "0755-****4567"),
        ("010-62345678-801", "010-****5678-801"),
        ("010-62345678转801", "010-****5678转801"),
        ("+86 21 6234 5678", "021-****5678"),
        ("+86-755-12345678", "0755-****5678"),
        ("０２１－６２３４５６７８", "021-****5678"),
        # A local number without area code, said to be a phone.
        ("电话：6234 5678", "电话：****5678"),
        ("联系电话62345678", "联系电话****5678"),
    ],
)
def test_every_spelling_of_a_phone_is_masked(written: str, masked: str) -> None:
    assert mask_text(written) == masked
    assert mask_text(f"请联系{written}，谢谢") == f"请联系{masked}，谢谢"


def test_phones_among_other_numbers() -> None:
    text = "2026-11-23 10:30 打13812345678或021-62345678，工单2026112300001，金额1,234.56元"
    assert (
        mask_text(text) == "2026-11-23 10:30 打138****5678或021-****5678，工单2026112300001，金额1,234.56元"
    )
    # Two phones in one run of digits and spaces are two phones.
    assert mask_text("13812345678 13987654321") == "138****5678 139****4321"
    assert mask_text("13812345678/13987654321") == "138****5678/139****4321"
    # A date before a phone does not hide it.
    assert mask_text("2026 11 23 138 1234 5678") == "2026 11 23 138****5678"


@pytest.mark.parametrize(
    "kept",
    [
        "工单号2026112300001",
        "2026112300001",
        "20261123",
        "2026-11-23",
        "2026年11月23日 14:30",
        "2026/11/23",
        "罚款1,500元",
        "金额12345678.90元",
        "共计 1234.5 元",
        "3栋2单元1201室",
        "幸福路88号",
        "400-820-8820",
        "拨打12345热线",
        "95598",
        "身高175cm，体重65kg",
        "订单号 1234567890123456",
        "第1380次",
        "23800138000",
        "62345678",  # eight digits with no word saying it is a phone: an amount, a code
        # Figures in tables pasted into real complaints (tipdm): a decimal point on either side.
        "累计18112345462.26元",
        "坐标29.07364567891",
        "单价18.07521234567元",
    ],
)
def test_numbers_that_are_not_phones_stay(kept: str) -> None:
    assert mask_text(kept) == kept


def test_place_masking() -> None:
    assert mask_place("幸福小区 电话13812345678") == "幸福小区 电话138****5678"
    assert mask_place("柳林洲街道幸福小区3栋2单元1201室") == "柳林洲街道幸福小区3栋*单元****室"
    assert mask_place("幸福路88号") == "幸福路88号"
    assert mask_place("幸福小区3号楼") == "幸福小区3号楼"
    assert mask_place("1201房") == "****房"
    assert mask_place("幸福小区12号楼3-1201") == "幸福小区12号楼*-****"
    assert mask_place("") == ""


def test_long_runs_of_digits_and_spaces_stay_fast() -> None:
    # A pasted table of numbers must not make masking quadratic.
    text = "1 " * 50_000 + "13812345678"
    assert mask_text(text).endswith("138****5678")


def test_every_log_record_of_the_process_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    logger = logging.getLogger("anything.at.all")
    with caplog.at_level(logging.INFO):
        logger.info("citizen %s called from %s", "张三", "138 1234 5678")
        logger.info("GET /api/v1/tickets?q=%s", "%2B86%20138%201234%205679")
        try:
            raise ValueError("duplicate phone 021-62345678")
        except ValueError:
            logger.exception("failed for 13912345678")
    text = caplog.text
    for digits in ("1234 5678", "13812345678", "62345678", "13912345678", "1234%205679"):
        assert digits not in text
    assert "138****5678" in text and "021-****5678" in text and "139****5678" in text
    assert "Traceback" in text  # the traceback is kept, masked
