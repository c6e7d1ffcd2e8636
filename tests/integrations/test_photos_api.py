"""Citizens' photos over the API: the office and the handlers of the ticket's unit get the
EXIF-free file; another unit's handler and a system key get 403 and no bytes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from PIL import Image
from pytest_aiohttp import AiohttpClient
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.tickets.test_photos import phone_photo
from tickets import intake, photos, service
from tickets.context import Actor, Rules
from tickets.enums import Channel, RequestType, Role
from tickets.photos import PhotoStore, Upload
from tickets.schemas import TicketCreate


async def test_photos_for_office_and_assigned_unit_only(
    aiohttp_client: AiohttpClient,
    make_app: Any,
    session: AsyncSession,
    rules: Rules,
    org: Org,
    keys: Keys,
    tmp_path: Path,
) -> None:
    store = PhotoStore(tmp_path / "media")
    ticket = await intake.create_ticket(
        session,
        rules=rules,
        actor=Actor(role=Role.CITIZEN, name="市民"),
        data=TicketCreate(
            channel=Channel.WEB,
            request_type=RequestType.COMPLAINT,
            content="井盖丢了，很危险。",
            contact_phone="13800138000",
        ),
    )
    (clean,) = photos.check_uploads([Upload("a.jpg", phone_photo())])
    await photos.attach_photos(session, rules=rules, ticket=ticket, photos=[clean], store=store)
    await service.dispatch(
        session, rules=rules, actor=org.office, number=ticket.number, unit_id=org.unit_ids[0]
    )
    await session.commit()

    client: TestClient[Any, Any] = await aiohttp_client(make_app(media_dir=tmp_path / "media"))
    api = Api(client)
    base = f"/api/v1/tickets/{ticket.number}/photos"
    for key in (keys.office, keys.handler0):
        status, body = await api.get(base, key=key)
        assert status == 200
        assert body["photos"] == [
            {
                "sha256": clean.sha256,
                "content_type": "image/jpeg",
                "size": len(clean.data),
                "width": 20,
                "height": 40,
                "url": f"{base}/{clean.sha256}",
            }
        ]
        response = await client.get(f"{base}/{clean.sha256}", headers={"Authorization": f"Bearer {key}"})
        data = await response.read()
        assert response.status == 200 and response.content_type == "image/jpeg"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert data == clean.data and dict(Image.open(io.BytesIO(data)).getexif()) == {}
    for key in (keys.handler1, keys.reader, keys.creator):
        status, body = await api.get(base, key=key)
        assert status == 403 and body["error"]["message"] == "只有热线办和承办单位可以查看诉求人上传的照片。"
        response = await client.get(f"{base}/{clean.sha256}", headers={"Authorization": f"Bearer {key}"})
        assert response.status == 403 and b"\xff\xd8" not in await response.read()
    response = await client.get(f"{base}/{'0' * 64}", headers={"Authorization": f"Bearer {keys.office}"})
    assert response.status == 404
    response = await client.get(f"{base}/{clean.sha256}")
    assert response.status == 401
