"""Citizens' photos of a ticket: checked, cleaned, stored outside the database, shown only
to the people who handle the ticket.

- Checked: at most `max_photos` per ticket, each at most `max_bytes`, and really a JPEG, PNG
  or WebP picture (decoded by Pillow — the name and the declared type are not trusted).
- Cleaned: the picture is decoded and written again from its pixels alone (turned upright
  first), so EXIF with the GPS position, the camera make and model, XMP and comments are
  gone from the stored file.
- Stored: under `<media dir>/<aa>/<sha256>.<ext>`, named by the hash of the cleaned bytes
  (the same photo twice is one file); the table keeps the hash, type and size.
- Shown: to the office and to the handlers of the ticket's main and co-handling units
  (DOMAIN §8); everyone else gets Forbidden.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.context import Actor, Rules
from tickets.enums import Role
from tickets.errors import Forbidden, NotFound, ValidationFailed
from tickets.models import Ticket, TicketPhoto
from tickets.privacy import may_see_contact
from tickets.queries import co_unit_ids, get_ticket
from tickets.rows import saved_id

# Pillow format → (content type, file extension) of what we keep.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MB = 1024 * 1024


@dataclass(frozen=True)
class PhotoPolicy:
    max_photos: int = 3
    max_bytes: int = 10 * MB
    # A small file may still decode to a huge bitmap ("decompression bomb").
    max_pixels: int = 40_000_000


@dataclass(frozen=True)
class Upload:
    """A file as the citizen sent it: its name (for messages only) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    sha256: str
    content_type: str
    ext: str
    width: int
    height: int


def _name(upload: Upload) -> str:
    return (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:40] or "照片"


def clean_photo(upload: Upload, policy: PhotoPolicy = PhotoPolicy()) -> CleanPhoto:
    """The upload re-encoded from its pixels alone, or ValidationFailed saying why not."""
    name = _name(upload)
    if len(upload.data) > policy.max_bytes:
        raise ValidationFailed(texts.ERR_PHOTO_TOO_LARGE.format(name=name, limit=policy.max_bytes // MB))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload.data))
            if image.format not in FORMATS:
                raise ValidationFailed(texts.ERR_PHOTO_TYPE.format(name=name))
            if image.width * image.height > policy.max_pixels:
                raise ValidationFailed(texts.ERR_PHOTO_PIXELS.format(name=name))
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:
        if isinstance(error, ValidationFailed):
            raise
        raise ValidationFailed(texts.ERR_PHOTO_TYPE.format(name=name)) from error
    content_type, ext = FORMATS[image.format]
    mode = upright.mode
    if image.format == "JPEG" and mode not in ("RGB", "L"):
        mode = "RGB"
    elif mode not in ("RGB", "RGBA", "L", "LA", "P"):
        mode = "RGBA" if "A" in mode else "RGB"
    pixels = upright.convert(mode)
    # A new image from the pixels only: no info dict, so no EXIF, XMP, ICC, comments or text chunks.
    bare = Image.new(pixels.mode, pixels.size)
    if pixels.mode == "P":
        palette = pixels.getpalette()
        if palette is not None:
            bare.putpalette(palette)
    bare.paste(pixels)
    out = io.BytesIO()
    if image.format == "JPEG":
        bare.save(out, format="JPEG", quality=88, optimize=True)
    elif image.format == "PNG":
        bare.save(out, format="PNG", optimize=True)
    else:
        bare.save(out, format="WEBP", quality=85)
    data = out.getvalue()
    return CleanPhoto(data=data, sha256=hashlib.sha256(data).hexdigest(), content_type=content_type, ext=ext,
                      width=bare.width, height=bare.height)


def check_uploads(uploads: Sequence[Upload], policy: PhotoPolicy = PhotoPolicy()) -> list[CleanPhoto]:
    """All uploads cleaned, or ValidationFailed for the first bad one — before anything is written."""
    uploads = [u for u in uploads if u.data]
    if len(uploads) > policy.max_photos:
        raise ValidationFailed(texts.ERR_PHOTO_TOO_MANY.format(limit=policy.max_photos))
    return [clean_photo(u, policy) for u in uploads]


@dataclass(frozen=True)
class PhotoStore:
    """Files named by content hash under `root` (HOTLINE_MEDIA_DIR)."""

    root: Path

    def path(self, sha256: str, ext: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{ext}"

    def save(self, photo: CleanPhoto) -> Path:
        """Write once (atomically: a reader never sees half a file); the same content is one file."""
        target = self.path(photo.sha256, photo.ext)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(photo.data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


async def attach_photos(session: AsyncSession, *, rules: Rules, ticket: Ticket, photos: Sequence[CleanPhoto],
                        store: PhotoStore, policy: PhotoPolicy = PhotoPolicy()) -> list[TicketPhoto]:
    """Store cleaned photos for `ticket` (files first: a row never names a missing file; a
    file without a row after a rollback is harmless and is reused by the same content)."""
    existing = list((await session.exec(select(TicketPhoto).where(TicketPhoto.ticket_id == ticket.id))).all())
    fresh = {p.sha256: p for p in photos if p.sha256 not in {e.sha256 for e in existing}}
    if len(existing) + len(fresh) > policy.max_photos:
        raise ValidationFailed(texts.ERR_PHOTO_TOO_MANY.format(limit=policy.max_photos))
    rows = []
    for photo in fresh.values():
        store.save(photo)
        row = TicketPhoto(
            ticket_id=saved_id(ticket),
            sha256=photo.sha256,
            content_type=photo.content_type,
            size=len(photo.data),
            width=photo.width,
            height=photo.height,
            created_at=rules.now(),
        )
        session.add(row)
        rows.append(row)
    await session.flush()
    return rows


async def ticket_photos(session: AsyncSession, *, ticket_id: int) -> list[TicketPhoto]:
    query = select(TicketPhoto).where(TicketPhoto.ticket_id == ticket_id).order_by(col(TicketPhoto.id))
    return list((await session.exec(query)).all())


async def may_view_photos(session: AsyncSession, *, actor: Actor, ticket: Ticket) -> bool:
    """The office and the handlers of the ticket's main and co-handling units (not the public)."""
    if actor.role not in (Role.OFFICE, Role.HANDLER):
        return False
    co = await co_unit_ids(session, ticket=ticket) if actor.role is Role.HANDLER else []
    return may_see_contact(ticket, role=actor.role, unit_id=actor.unit_id, co_unit_ids=co)


async def open_photo(session: AsyncSession, *, actor: Actor, number: str, sha256: str,
                     store: PhotoStore) -> tuple[TicketPhoto, Path]:
    """The photo `sha256` of ticket `number` and its file, for someone allowed to see it."""
    ticket = await get_ticket(session, number=number)
    if not await may_view_photos(session, actor=actor, ticket=ticket):
        raise Forbidden(texts.ERR_PHOTO_FORBIDDEN)
    row = (await session.exec(select(TicketPhoto).where(
        TicketPhoto.ticket_id == ticket.id, TicketPhoto.sha256 == sha256))).first()
    if row is None:
        raise NotFound(texts.ERR_PHOTO_NOT_FOUND)
    ext = next(e for t, e in FORMATS.values() if t == row.content_type)
    path = store.path(row.sha256, ext)
    if not path.is_file():
        raise NotFound(texts.ERR_PHOTO_NOT_FOUND)
    return row, path
