"""Citizens' photos (tickets.photos): checked by content, cleaned of EXIF (read back from the
stored file), stored by hash outside the database, at most three per ticket, and shown only
to the office and the handlers of the ticket's units."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tickets import intake, photos, service, texts
from tickets.context import Actor, Rules
from tickets.enums import Channel, RequestType, Role
from tickets.errors import Forbidden, ValidationFailed
from tickets.models import Ticket, TicketPhoto
from tickets.photos import PhotoStore, Upload
from tickets.schemas import TicketCreate


def phone_photo(
    color: tuple[int, int, int] = (200, 30, 30),
    *,
    fmt: str = "JPEG",
    size: tuple[int, int] = (40, 20),
    orientation: int = 6,
) -> bytes:
    """A photo as a phone takes it: camera make and model, GPS position, rotated by a tag."""
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    exif[0x0110] = "Mi 11"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 1.2)}
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def test_stored_photo_has_no_exif_and_is_turned_upright(tmp_path: Path) -> None:
    original = phone_photo()
    assert b"Xiaomi" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    clean = photos.clean_photo(Upload("IMG_0001.jpg", original))
    path = PhotoStore(tmp_path).save(clean)
    assert path == tmp_path / clean.sha256[:2] / f"{clean.sha256}.jpg"
    stored = path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == clean.sha256
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert b"Xiaomi" not in stored and b"Mi 11" not in stored
    # The orientation tag was applied to the pixels before it went: 40×20 taken, 20×40 upright.
    assert image.size == (20, 40) and (clean.width, clean.height) == (20, 40)


def test_png_and_webp_are_kept_in_their_format_without_metadata() -> None:
    for fmt, ext in (("PNG", "png"), ("WEBP", "webp")):
        clean = photos.clean_photo(Upload(f"a.{ext}", phone_photo(fmt=fmt, orientation=1)))
        image = Image.open(io.BytesIO(clean.data))
        assert image.format == fmt and clean.ext == ext and dict(image.getexif()) == {}
        assert b"Xiaomi" not in clean.data


def test_an_exe_renamed_jpg_is_refused_by_content() -> None:
    fake = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000
    with pytest.raises(ValidationFailed) as error:
        photos.clean_photo(Upload("photo.jpg", fake))
    assert error.value.message == "文件“photo.jpg”不是 JPG、PNG 或 WebP 格式的照片，请重新选择。"


def test_a_truncated_jpeg_and_a_gif_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        photos.clean_photo(Upload("half.jpg", phone_photo()[:300]))
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(ValidationFailed) as error:
        photos.clean_photo(Upload("anim.gif", gif.getvalue()))
    assert "anim.gif" in error.value.message


def test_a_20_mb_photo_is_refused_before_decoding() -> None:
    big = phone_photo() + b"\x00" * (20 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as error:
        photos.clean_photo(Upload("big.jpg", big))
    assert error.value.message == "照片“big.jpg”超过 10 MB，请压缩后再上传。"


def test_a_decompression_bomb_is_refused() -> None:
    with pytest.raises(ValidationFailed) as error:
        photos.clean_photo(Upload("bomb.png", phone_photo(fmt="PNG", size=(8000, 8000), orientation=1)),
                           photos.PhotoPolicy(max_pixels=10_000_000))
    assert error.value.message == texts.ERR_PHOTO_PIXELS.format(name="bomb.png")


def test_at_most_three_photos() -> None:
    uploads = [Upload(f"{i}.jpg", phone_photo((i * 40, 0, 0))) for i in range(4)]
    with pytest.raises(ValidationFailed) as error:
        photos.check_uploads(uploads)
    assert error.value.message == "最多可以上传 3 张照片。"
    assert len(photos.check_uploads(uploads[:3])) == 3


async def _ticket(session: AsyncSession, rules: Rules) -> Ticket:
    ticket = await intake.create_ticket(
        session,
        rules=rules,
        actor=Actor(role=Role.CITIZEN, name="市民"),
        data=TicketCreate(
            channel=Channel.WEB,
            request_type=RequestType.COMPLAINT,
            content="路灯坏了，晚上很黑。",
            place="幸福路",
            contact_phone="13800138000",
        ),
    )
    return ticket


async def test_photos_are_served_to_office_and_assigned_units_only(
    session: AsyncSession, rules: Rules, org: Org, tmp_path: Path
) -> None:
    store = PhotoStore(tmp_path)
    ticket = await _ticket(session, rules)
    cleaned = photos.check_uploads([Upload("a.jpg", phone_photo()), Upload("b.jpg", phone_photo((0, 90, 0)))])
    await photos.attach_photos(session, rules=rules, ticket=ticket, photos=cleaned, store=store)
    await service.dispatch(
        session,
        rules=rules,
        actor=org.office,
        number=ticket.number,
        unit_id=org.unit_ids[0],
        co_unit_ids=[org.unit_ids[1]],
    )
    await session.commit()
    rows = (await session.exec(select(TicketPhoto))).all()
    assert sorted(r.sha256 for r in rows) == sorted(c.sha256 for c in cleaned)
    sha = cleaned[0].sha256

    for actor in (org.office, org.handler(0), org.handler(0, 1), org.handler(1)):
        row, path = await photos.open_photo(
            session, actor=actor, number=ticket.number, sha256=sha, store=store
        )
        assert path.read_bytes() == cleaned[0].data and row.content_type == "image/jpeg"
    for actor in (org.handler(2), Actor(role=Role.CITIZEN, id=1), Actor.system("upstream")):
        with pytest.raises(Forbidden):
            await photos.open_photo(session, actor=actor, number=ticket.number, sha256=sha, store=store)


async def test_a_fourth_photo_on_the_ticket_is_refused(
    session: AsyncSession, rules: Rules, tmp_path: Path
) -> None:
    store = PhotoStore(tmp_path)
    ticket = await _ticket(session, rules)
    three = photos.check_uploads([Upload(f"{i}.jpg", phone_photo((i * 50, 0, 0))) for i in range(3)])
    await photos.attach_photos(session, rules=rules, ticket=ticket, photos=three, store=store)
    # The same photo again is the same file: nothing new.
    assert (
        await photos.attach_photos(session, rules=rules, ticket=ticket, photos=three[:1], store=store) == []
    )
    with pytest.raises(ValidationFailed):
        await photos.attach_photos(session, rules=rules, ticket=ticket,
                                   photos=photos.check_uploads([Upload("x.jpg", phone_photo((9, 9, 9)))]),
                                   store=store)
