"""Previewing templates, and a template for every channel the default rules use."""

from typing import Any

import pytest

from gridcase_events.testing import bearer
from notify import templates

pytestmark = pytest.mark.integration

OPS = bearer("ops1", "ops", "510302")
PARAMS = {
    "tracking_no": "GC-20261121-PREVIEW",
    "summary": "垃圾满溢",
    "priority": "urgent",
    "post": "B",
}


async def test_every_event_and_channel_of_the_rules_has_a_template_in_both_languages(
    client: Any,
) -> None:
    rules = (await client.get("/v1/rules", headers=OPS)).json()
    pairs = {
        (rule["event_type"], channel)
        for rule in rules
        for entry in rule["recipients"]
        for channel in entry["channels"]
    }
    assert len(pairs) > 10
    for event_type, channel in sorted(pairs):
        for language in ("zh", "en"):
            name = templates.template_name(
                channel=channel, event_type=event_type, language=language
            )
            assert name.endswith(f"{event_type}.{language}.j2")


@pytest.mark.parametrize(
    ("channel", "language", "expected"),
    [
        (
            "sms",
            "zh",
            "【gridcase】您有新的紧急案件 GC-20261121-PREVIEW（B岗顶岗）：垃圾满溢。请及时签收办理。",
        ),
        (
            "inapp",
            "en",
            "New urgent case GC-20261121-PREVIEW (standing in for the A post)\n垃圾满溢. Please accept it.",
        ),
    ],
)
async def test_preview_renders_the_message(
    client: Any, channel: str, language: str, expected: str
) -> None:
    response = await client.post(
        "/v1/templates/preview",
        json={
            "event_type": "case.assigned",
            "channel": channel,
            "language": language,
            "params": PARAMS,
        },
        headers=OPS,
    )

    assert response.status_code == 200
    assert response.json()["text"] == expected
    assert response.json()["template"] == f"{channel}/case.assigned.{language}.j2"


async def test_preview_of_an_unknown_template_is_422(client: Any) -> None:
    response = await client.post(
        "/v1/templates/preview",
        json={"event_type": "case.vanished", "channel": "sms", "params": {}},
        headers=OPS,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "event_type"]


async def test_preview_with_a_missing_variable_is_422_naming_it(client: Any) -> None:
    params = {k: v for k, v in PARAMS.items() if k != "summary"}
    response = await client.post(
        "/v1/templates/preview",
        json={"event_type": "case.assigned", "channel": "sms", "params": params},
        headers=OPS,
    )
    assert response.status_code == 422
    assert "summary" in response.json()["detail"][0]["msg"]


async def test_preview_is_for_ops_and_admins(client: Any) -> None:
    response = await client.post(
        "/v1/templates/preview",
        json={"event_type": "case.assigned", "channel": "sms", "params": PARAMS},
        headers=bearer("gm111a", "grid_member", "510302001001001"),
    )
    assert response.status_code == 403
