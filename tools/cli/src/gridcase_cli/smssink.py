"""Development helpers: a local SMS gateway that prints what it receives."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from gridcase_events.envelope import new_id
from gridcase_events.kit import signing
from gridcase_events.kit.clock import SystemClock
from gridcase_events.kit.pii import mask_phone


def create_sms_sink_app(
    *, secret: str | None = None, on_message: Callable[[dict[str, Any]], None] | None = None
) -> FastAPI:
    """An SMS gateway for `gridcase dev up`: checks the signature, deduplicates on the
    idempotency key as a real provider does, and shows each message once."""
    app = FastAPI(title="gridcase development SMS gateway")
    seen: dict[str, dict[str, Any]] = {}
    clock = SystemClock()

    @app.post("/sms/send")
    async def send(request: Request) -> dict[str, str]:
        body = await request.body()
        if secret:
            try:
                signing.verify(
                    request.headers.get(signing.HEADER), body, secrets=[secret], now=clock.now()
                )
            except signing.SignatureError as exc:
                raise HTTPException(status_code=401, detail=str(exc)) from exc
        data = json.loads(body)
        key = request.headers.get("x-idempotency-key") or str(new_id())
        if key not in seen:
            message = {
                "message_id": str(new_id()),
                "phone_masked": mask_phone(str(data.get("phone", ""))),
                "template_id": data.get("template_id"),
                "content": data.get("content"),
                "received_at": clock.now().isoformat(),
            }
            seen[key] = message
            if on_message is not None:
                on_message(message)
        return {"message_id": seen[key]["message_id"]}

    @app.get("/sms/messages")
    async def messages() -> list[dict[str, Any]]:
        return list(seen.values())

    return app
