"""The 12345 platform hears of hotline cases' progress by a signed callback; group
robots of an area hear of its escalations."""

import dataclasses
import hashlib
import hmac
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import HttpSink, bearer

pytestmark = pytest.mark.integration

ADMIN = bearer("admin1", "admin", "510302")
GRID = "510302001001001"


@pytest.fixture
def notify_overrides(http_sink: HttpSink) -> dict[str, Any]:
    return {
        "hotline_callback_url": f"{http_sink.url}/12345/callback",
        "outbound_hosts": ["127.0.0.1", "robot.example.org"],
    }


#: The development hotline secret, written out here so that the signature is checked
#: independently of the code that makes it.
DEV_HOTLINE_SECRET = b"gridcase-dev-hotline-secret"


def verified(request: Any) -> bool:
    """The 12345 signature: ``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``."""
    fields = dict(part.split("=", 1) for part in request.headers["x-gridcase-signature"].split(","))
    expected = hmac.new(
        DEV_HOTLINE_SECRET, fields["t"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def delivered(items: list[dict[str, Any]]) -> bool:
    return all(i["status"] == "delivered" for i in items)


def tried(items: list[dict[str, Any]]) -> bool:
    return all(i["attempts"] >= 1 and i["status"] == "pending" for i in items)


async def test_a_hotline_case_calls_back_signed_once_per_ticket_with_its_status(
    client: Any,
    publish: Any,
    deliveries: Any,
    clock: Any,
    reporters_known: Any,
    http_sink: HttpSink,
) -> None:
    case_id, merged_id = envelope.new_id(), envelope.new_id()
    await publish(
        payloads.CaseMerged(
            case_id=merged_id,
            tracking_no="GC-20261121-HOTDUP",
            channel="hotline",
            external_ref="T-2002",
            duplicate_of=case_id,
            duplicate_of_tracking_no="GC-20261121-HOTONE",
            reason="same address",
            merged_at=clock.now(),
        ),
        subject=str(merged_id),
        source="intake",
    )
    await reporters_known(case_id, 1)  # intake's events arrive through another group
    await publish(
        payloads.CaseAccepted(
            case_id=case_id,
            tracking_no="GC-20261121-HOTONE",
            category_code=None,
            priority="normal",
            channel="hotline",
            external_ref="T-2001",
            actor_id="gm111a",
            actor_role="grid_member",
            at=clock.now(),
            grid_code=GRID,
            assignee_id="gm111a",
        ),
        subject=str(case_id),
        source="dispatch",
    )

    items = await deliveries(case_id, lambda d: len(d) == 2 and delivered(d), "webhook")

    tickets = {i["recipient_id"]: i for i in items}
    assert set(tickets) == {"hotline:T-2001", "hotline:T-2002"}
    assert tickets["hotline:T-2002"]["params"]["ticket_no"] == "T-2002"
    own = tickets["hotline:T-2001"]
    assert own["params"] == {
        "ticket_no": "T-2001",
        "status": "accepted",
        "time": clock.now().isoformat(),
        "note": None,
    }
    callbacks = [r for r in http_sink.requests if r.path == "/12345/callback"]
    assert sorted(r.json()["ticket_no"] for r in callbacks) == ["T-2001", "T-2002"]
    assert all(verified(r) for r in callbacks)
    assert len({r.headers["idempotency-key"] for r in callbacks}) == 2
    tampered = dataclasses.replace(
        callbacks[0], body=callbacks[0].body.replace(b"accepted", b"resolved")
    )
    assert not verified(tampered)


async def test_escalations_reach_the_robot_of_the_nearest_area_that_has_one(
    client: Any, staff: Any, publish: Any, deliveries: Any, clock: Any
) -> None:
    put = await client.put(
        "/v1/robots/510302001001",
        json={"channel": "wecom", "url": "https://robot.example.org/send?key=s3cret"},
        headers=ADMIN,
    )
    assert put.status_code == 200
    assert "s3cret" not in put.text
    listing = await client.get("/v1/robots", headers=ADMIN)
    assert [r["code"] for r in listing.json()] == ["510302001001"]
    assert "s3cret" not in listing.text
    await staff("gl111", "13800000001", role="grid_leader", area_code=GRID)
    case_id = envelope.new_id()
    await publish(
        payloads.CaseEscalated(
            case_id=case_id,
            tracking_no="GC-20261121-ROBOT1",
            clock="sign_for",
            generation=1,
            started_at=clock.now(),
            due_at=clock.now(),
            priority="normal",
            grid_code=GRID,
            fired_at=clock.now(),
            late_seconds=0,
            level=1,
            urge=0,
            target_role="grid_leader",
            target_staff_ids=["gl111"],
            reason="the sign_for deadline passed",
        ),
        subject=str(case_id),
        source="escalation",
    )

    [robot] = await deliveries(case_id, tried, "wecom")

    assert robot["recipient_id"] == "robot:510302001001"
    await deliveries(case_id, lambda d: d[0]["status"] == "delivered", "sms")


async def test_robots_are_for_admins_and_need_a_url(client: Any) -> None:
    member = bearer("gm111a", "grid_member", GRID)
    body = {"channel": "wecom", "url": "https://robot.example.org/send?key=k"}
    assert (await client.put("/v1/robots/510302", json=body, headers=member)).status_code == 403
    bad = await client.put(
        "/v1/robots/510302", json={"channel": "pager", "url": "nope"}, headers=ADMIN
    )
    assert bad.status_code == 422
    assert {e["loc"][-1] for e in bad.json()["detail"]} == {"channel", "url"}


@pytest.mark.parametrize("code", ["CG", "0301", "CG/01", "Dept_7.b"])
async def test_a_robot_is_set_for_a_department_code_as_the_district_writes_it(
    client: Any, code: str
) -> None:
    body = {"channel": "wecom", "url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=k"}

    put = await client.put(f"/v1/robots/{code}", json=body, headers=ADMIN)

    assert put.status_code == 200
    assert put.json()["code"] == code


@pytest.mark.parametrize("code", ["C%20G", "CG%2C1", "-CG", "CG/.x", "C" * 33])
async def test_a_robot_code_that_would_break_a_url_or_a_csv_is_422(client: Any, code: str) -> None:
    body = {"channel": "wecom", "url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=k"}

    assert (await client.put(f"/v1/robots/{code}", json=body, headers=ADMIN)).status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/send?key=k",
        "http://localhost:8002/v1/cases",
        "https://robot.example.org.evil.invalid/send?key=k",
    ],
)
async def test_a_robot_url_must_point_at_an_allowed_host(client: Any, url: str) -> None:
    answer = await client.put(
        "/v1/robots/510302", json={"channel": "wecom", "url": url}, headers=ADMIN
    )

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("robot URL refused: host ")
    assert answer.json()["detail"].endswith(" is not in NOTIFY_OUTBOUND_HOSTS")
    assert (await client.get("/v1/robots", headers=ADMIN)).json() == []
