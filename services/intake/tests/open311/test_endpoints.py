"""Open311 GeoReport v2 against the real broker and database: the documents are checked
against the specification's field lists, in JSON and in XML."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from gridcase_events import payloads, topics
from gridcase_events.testing import eventually, read_topic

API_KEY = "open311-key-current"

pytestmark = pytest.mark.integration

# The field lists of the GeoReport v2 specification (wiki.open311.org/GeoReport_v2),
# in its order.
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
DEFINITION_FIELDS = ["service_code", "attributes"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
ERROR_FIELDS = ["code", "description"]


def xml_items(response: Any, root: str, item: str) -> list[ET.Element]:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    document = ET.fromstring(response.content)  # noqa: S314 - our own answer
    assert document.tag == root
    assert all(child.tag == item for child in document)
    return list(document)


def xml_fields(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def json_items(response: Any) -> list[dict[str, Any]]:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body, list)
    return body


def assert_error(response: Any, status: int, fmt: str, phrase: str) -> None:
    assert response.status_code == status
    if fmt == "json":
        errors = json_items(response)
        assert errors
        assert all(list(e) == ERROR_FIELDS for e in errors)
        assert all(e["code"] == status for e in errors)
        descriptions = [e["description"] for e in errors]
    else:
        elements = xml_items(response, "errors", "error")
        assert elements
        assert all(xml_fields(e) == ERROR_FIELDS for e in elements)
        assert all(e.findtext("code") == str(status) for e in elements)
        descriptions = [e.findtext("description") or "" for e in elements]
    assert any(phrase in d for d in descriptions), descriptions
    assert "detail" not in response.text


async def _count(db: Any, sql: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


# ------------------------------------------------------------------------- services


async def test_service_list_is_the_category_catalogue_in_json(client: Any, catalogue: Any) -> None:
    services = json_items(await client.get("/open311/v2/services.json"))

    assert [list(s) for s in services] == [SERVICE_FIELDS] * 3
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {c[0] for c in catalogue}
    parking = by_code["order/illegal-parking"]
    assert parking["service_name"] == "违章停车"
    assert parking["group"] == "order"
    assert parking["type"] == "realtime"
    assert parking["metadata"] is True
    assert "城管局" in parking["description"]
    assert "parking" in parking["keywords"].split(", ")
    assert by_code["environment/garbage-overflow"]["group"] == "environment"


async def test_service_list_in_xml_has_the_specification_elements(
    client: Any, catalogue: Any
) -> None:
    services = xml_items(await client.get("/open311/v2/services.xml"), "services", "service")

    assert [xml_fields(s) for s in services] == [SERVICE_FIELDS] * 3
    water = next(s for s in services if s.findtext("service_code") == "utility/water-outage")
    assert water.findtext("service_name") == "停水"
    assert water.findtext("metadata") == "true"
    assert water.findtext("group") == "utility"


async def test_a_category_renamed_later_shows_its_new_name(
    client: Any, catalogue: Any, publish: Any
) -> None:
    await publish(
        payloads.CategoryUpserted(
            code="order/illegal-parking",
            name="乱停乱放",
            handler="department",
            department_code="urban",
            priority="normal",
        ),
        subject="category:order/illegal-parking",
        source="dispatch",
        time=datetime(2026, 11, 2, tzinfo=UTC),
    )

    async def renamed() -> bool:
        services = (await client.get("/open311/v2/services.json")).json()
        return any(s["service_name"] == "乱停乱放" for s in services)

    assert await eventually(renamed)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_service_definition_has_the_specification_fields(
    client: Any, catalogue: Any, fmt: str
) -> None:
    response = await client.get(f"/open311/v2/services/order/illegal-parking.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        definition = response.json()
        assert list(definition) == DEFINITION_FIELDS
        assert definition["service_code"] == "order/illegal-parking"
        attributes = definition["attributes"]
        assert [list(a) for a in attributes] == [ATTRIBUTE_FIELDS] * len(attributes)
        assert attributes[0]["variable"] is False
        assert "城管局" in attributes[0]["description"]
    else:
        document = ET.fromstring(response.content)  # noqa: S314
        assert document.tag == "service_definition"
        assert xml_fields(document) == DEFINITION_FIELDS
        container = document.find("attributes")
        assert container is not None
        attributes = list(container)
        assert attributes
        assert all(a.tag == "attribute" for a in attributes)
        assert [xml_fields(a) for a in attributes] == [ATTRIBUTE_FIELDS] * len(attributes)
        assert attributes[0].findtext("variable") == "false"


async def test_a_service_code_as_a_district_writes_it_has_its_definition(
    client: Any, catalogue: Any, publish: Any
) -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    await publish(
        payloads.DepartmentUpserted(code="CG", name="城管执法局"),
        subject="department:CG",
        source="dispatch",
        time=at,
    )
    await publish(
        payloads.CategoryUpserted(
            code="Urban/Stall.Occupation",
            name="占道经营",
            handler="department",
            department_code="CG",
            priority="normal",
        ),
        subject="category:Urban/Stall.Occupation",
        source="dispatch",
        time=at,
    )

    async def defined() -> Any:
        response = await client.get("/open311/v2/services/Urban/Stall.Occupation.json")
        return response if response.status_code == 200 else None

    response = await eventually(defined)
    assert response.json()["service_code"] == "Urban/Stall.Occupation"
    assert "城管执法局" in response.json()["attributes"][0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_service_definition_is_a_404_error_document(
    client: Any, catalogue: Any, fmt: str
) -> None:
    response = await client.get(f"/open311/v2/services/nothing/like-this.{fmt}")
    assert_error(response, 404, fmt, "nothing/like-this")


async def test_unknown_format_and_resource_are_404_error_documents(
    client: Any, catalogue: Any
) -> None:
    assert_error(await client.get("/open311/v2/services.html"), 404, "json", "format")
    assert_error(await client.get("/open311/v2/tokens/1.xml"), 404, "xml", "no such resource")
    assert_error(await client.get("/open311/v1/services.json"), 404, "json", "no such resource")
    response = await client.delete("/open311/v2/requests.json")
    assert_error(response, 405, "json", "not allowed")
    assert response.headers["allow"] == "GET, POST"


# --------------------------------------------------------------------- POST requests


async def test_posted_request_creates_a_case_and_announces_it(
    submit: Any, catalogue: Any, kafka_bootstrap: str, namespace: str, db: Any
) -> None:
    response = await submit(
        account_id="acct-7",
        email="zhang.san@example.com",
        first_name="三",
        last_name="张",
        phone="13912345678",
        media_url="https://photos.example.com/1.jpg",
        device_id="device-1",
    )

    assert response.status_code == 201
    created = json_items(response)
    assert len(created) == 1
    assert list(created[0]) == CREATED_FIELDS
    tracking_no = created[0]["service_request_id"]
    assert tracking_no.startswith("GC-20261121-")
    assert created[0]["account_id"] == "acct-7"
    assert "grid" in created[0]["service_notice"]

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    events = [json.loads(r.value) for r in records]
    assert [e["type"] for e in events] == ["case.reported"]
    data = events[0]["data"]
    assert data["channel"] == "open311"
    assert data["tracking_no"] == tracking_no
    assert data["category_hint"] == "environment/garbage-overflow"
    assert data["location"] == {"lat": 29.355, "lon": 104.7725}
    assert data["attachments"] == ["https://photos.example.com/1.jpg"]
    assert data["reporter"]["phone_masked"] == "139****5678"
    assert data["reporter"]["name_masked"] == "张*"
    raw = b"".join(r.value for r in records)
    for secret in (b"13912345678", b"zhang.san@example.com", b"device-1"):
        assert secret not in raw
    async with db.connect() as conn:
        stored = (
            (await conn.execute(text("SELECT * FROM intake.open311_requests"))).mappings().one()
        )
    assert stored["email_masked"] == "z***@example.com"
    assert "zhang.san@example.com" not in json.dumps({k: str(v) for k, v in stored.items()})
    assert "device-1" not in json.dumps({k: str(v) for k, v in stored.items()})


async def test_posted_request_answers_in_xml(submit: Any, catalogue: Any) -> None:
    response = await submit("xml", address_string="示范区东城街道桂花路1号", lat="", long="")

    assert response.status_code == 201
    created = xml_items(response, "service_requests", "request")
    assert [xml_fields(r) for r in created] == [CREATED_FIELDS]
    assert (created[0].findtext("service_request_id") or "").startswith("GC-")
    assert created[0].find("account_id") is not None
    assert created[0].findtext("account_id") == ""  # <account_id/>


async def test_multipart_form_is_accepted_too(client: Any, catalogue: Any) -> None:
    response = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": "open311-key-previous", "service_code": "order/illegal-parking"},
        files={"address_id": (None, "ADDR-42")},
    )

    assert response.status_code == 201, response.text
    tracking_no = response.json()[0]["service_request_id"]
    shown = (await client.get(f"/open311/v2/requests/{tracking_no}.json")).json()[0]
    assert shown["address_id"] == "ADDR-42"
    assert shown["service_name"] == "违章停车"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("api_key", "phrase"),
    [(None, "api_key was not provided"), ("guess", "Invalid api_key")],
)
async def test_missing_or_wrong_api_key_is_403_and_stores_nothing(
    shared_submit: Any,
    shared_catalogue: Any,
    shared_db: Any,
    fmt: str,
    api_key: str | None,
    phrase: str,
) -> None:
    response = await shared_submit(fmt, api_key=api_key)

    assert_error(response, 403, fmt, phrase)
    assert await _count(shared_db, "SELECT count(*) FROM intake.cases") == 0
    assert await _count(shared_db, "SELECT count(*) FROM intake.outbox") == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("fields", "status", "phrase"),
    [
        ({"service_code": None}, 400, "service_code was not provided"),
        ({"service_code": ""}, 400, "service_code was not provided"),
        ({"lat": None, "long": None}, 400, "a location is required"),
        ({"long": None}, 400, "lat and long must be sent together"),
        ({"lat": "91"}, 400, "lat"),
        ({"lat": "31.2", "long": "121.5"}, 400, "outside the district"),
        ({"long": "104.9"}, 400, "long: 104.9 is outside the district"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "not a url"}, 400, "media_url"),
        ({"description": "bell \x07 here"}, 400, "control characters"),
        ({"service_code": "nothing/like-this"}, 404, "nothing/like-this"),
    ],
)
async def test_invalid_request_is_refused_in_the_error_format_and_stores_nothing(
    shared_submit: Any,
    shared_catalogue: Any,
    shared_db: Any,
    fmt: str,
    fields: dict[str, Any],
    status: int,
    phrase: str,
) -> None:
    response = await shared_submit(fmt, **fields)

    assert_error(response, status, fmt, phrase)
    assert await _count(shared_db, "SELECT count(*) FROM intake.cases") == 0
    assert await _count(shared_db, "SELECT count(*) FROM intake.open311_requests") == 0
    assert await _count(shared_db, "SELECT count(*) FROM intake.outbox") == 0


async def test_malformed_multipart_is_400_in_the_error_format(client: Any, catalogue: Any) -> None:
    response = await client.post(
        "/open311/v2/requests.xml",
        content=b"--nope\r\nthis is not a part",
        headers={"Content-Type": "multipart/form-data; boundary=elsewhere"},
    )
    assert_error(response, 400, "xml", "multipart form is malformed")


async def test_json_body_is_415_in_the_error_format(client: Any, catalogue: Any) -> None:
    response = await client.post(
        "/open311/v2/requests.xml",
        json={"api_key": "open311-key-current", "service_code": "order/illegal-parking"},
    )
    assert_error(response, 415, "xml", "x-www-form-urlencoded")


async def test_body_over_the_limit_is_413_in_the_error_format(submit: Any, catalogue: Any) -> None:
    response = await submit(description="很" * 30_000)
    assert_error(response, 413, "json", "bytes")


# ---------------------------------------------------------------------- GET requests


async def test_requests_list_has_the_specification_fields_in_both_formats(
    client: Any, submit: Any, catalogue: Any
) -> None:
    created = (await submit(address_id="ADDR-1", media_url="https://p.example.com/a.jpg")).json()
    tracking_no = created[0]["service_request_id"]

    listed = json_items(await client.get("/open311/v2/requests.json"))
    assert [list(r) for r in listed] == [REQUEST_FIELDS]
    request = listed[0]
    assert request["service_request_id"] == tracking_no
    assert request["status"] == "open"
    assert request["service_code"] == "environment/garbage-overflow"
    assert request["service_name"] == "垃圾满溢"
    assert request["description"] == "桂花路1号1栋楼下垃圾桶满溢"
    assert request["requested_datetime"] == "2026-11-21T09:30:00Z"
    assert request["updated_datetime"] == "2026-11-21T09:30:00Z"
    assert request["address_id"] == "ADDR-1"
    assert (request["lat"], request["long"]) == (29.355, 104.7725)
    assert request["media_url"] == "https://p.example.com/a.jpg"

    elements = xml_items(
        await client.get("/open311/v2/requests.xml"), "service_requests", "request"
    )
    assert [xml_fields(e) for e in elements] == [REQUEST_FIELDS]
    assert elements[0].findtext("service_request_id") == tracking_no
    assert elements[0].findtext("status") == "open"
    assert elements[0].findtext("long") == "104.7725"

    one = await client.get(f"/open311/v2/requests/{tracking_no}.xml")
    assert [xml_fields(e) for e in xml_items(one, "service_requests", "request")] == [
        REQUEST_FIELDS
    ]


async def test_requests_show_no_personal_data(client: Any, submit: Any, catalogue: Any) -> None:
    created = (
        await submit(
            email="li.si@example.com",
            phone="13812345678",
            first_name="四",
            last_name="李",
            device_id="device-9",
            account_id="acct-9",
        )
    ).json()
    tracking_no = created[0]["service_request_id"]

    for path in ("/open311/v2/requests.json", f"/open311/v2/requests/{tracking_no}.xml"):
        body = (await client.get(path)).text
        for personal in ("li.si", "5678", "李", "device-9", "acct-9"):
            assert personal not in body, (path, personal)


async def test_a_hotline_case_is_listed_without_what_its_caller_said(
    client: Any, catalogue: Any, push: Any, ticket: Any
) -> None:
    created = (await push(ticket(ticket_no="OPEN311-HOTLINE-1"))).json()

    [request] = (await client.get(f"/open311/v2/requests/{created['tracking_no']}.json")).json()

    assert request["service_code"] == "environment/garbage-overflow"
    assert request["service_name"] == "垃圾满溢"
    assert request["status"] == "open"
    for field in ("description", "address", "lat", "long", "media_url"):
        assert request[field] is None, field


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_request_is_a_404_error_document(
    client: Any, catalogue: Any, fmt: str
) -> None:
    response = await client.get(f"/open311/v2/requests/GC-20261121-ZZZZZZ.{fmt}")
    assert_error(response, 404, fmt, "GC-20261121-ZZZZZZ")


async def test_requests_default_to_the_last_90_days_and_filter_by_date(
    client: Any, submit: Any, catalogue: Any, clock: Any
) -> None:
    now = clock.now()
    clock.set(now - timedelta(days=100))
    old = (await submit(description="一百天前")).json()[0]["service_request_id"]
    clock.set(now - timedelta(days=10))
    recent = (await submit(description="十天前")).json()[0]["service_request_id"]
    clock.set(now)
    latest = (await submit(description="今天")).json()[0]["service_request_id"]

    def ids(response: Any) -> list[str]:
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert ids(await client.get("/open311/v2/requests.json")) == [latest, recent]
    window = {
        "start_date": (now - timedelta(days=120)).isoformat(),
        "end_date": (now - timedelta(days=50)).isoformat().replace("+00:00", "Z"),
    }
    assert ids(await client.get("/open311/v2/requests.json", params=window)) == [old]
    only_start = {"start_date": "2026-08-10T00:00:00+08:00"}  # 90 days from then
    assert ids(await client.get("/open311/v2/requests.json", params=only_start)) == [old]
    # The same with the offset's "+" left unencoded (it arrives as a space).
    unencoded = "/open311/v2/requests.json?start_date=2026-08-10T00:00:00+08:00"
    assert ids(await client.get(unencoded)) == [old]
    only_end = {"end_date": (now - timedelta(days=5)).isoformat()}
    assert ids(await client.get("/open311/v2/requests.json", params=only_end)) == [recent]
    # The ids override every other argument, dates included.
    both = {"service_request_id": f"{old},{latest}", "status": "closed"}
    assert sorted(ids(await client.get("/open311/v2/requests.json", params=both))) == sorted(
        [old, latest]
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "phrase"),
    [
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "90 days",
        ),
        ({"start_date": "2026-11-01T00:00:00Z", "end_date": "2026-10-01T00:00:00Z"}, "before"),
        ({"start_date": "yesterday"}, "W3C"),
        ({"end_date": "2026-11-01T00:00:00"}, "time zone"),
        ({"status": "open,pending"}, "pending"),
        ({"page": "0"}, "page must be"),
        ({"page": "9" * 30}, "page must be"),
        ({"page_size": "1001"}, "at most 1000"),
        ({"page_size": "ten"}, "page_size must be"),
        ({"page": "²"}, "page must be"),
        ({"page_size": "١٠"}, "page_size must be"),
        ({"start_date": "9999-12-31T00:00:00Z"}, "out of range"),
        ({"end_date": "0001-01-01T00:00:00Z"}, "out of range"),
        ({"end_date": "0001-01-01T00:00:00+05:00"}, "out of range"),
    ],
)
async def test_bad_request_filters_are_400_error_documents(
    shared_client: Any, shared_catalogue: Any, fmt: str, params: dict[str, str], phrase: str
) -> None:
    response = await shared_client.get(f"/open311/v2/requests.{fmt}", params=params)
    assert_error(response, 400, fmt, phrase)


async def _case_id(db: Any, tracking_no: str) -> UUID:
    async with db.connect() as conn:
        found = await conn.execute(
            text("SELECT id FROM intake.cases WHERE tracking_no = :t"), {"t": tracking_no}
        )
        return UUID(str(found.scalar_one()))


def _ref(case_id: UUID, tracking_no: str, version: int, **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": tracking_no,
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "open311",
        "case_version": version,
        **extra,
    }


def _action(case_id: UUID, tracking_no: str, version: int, at: datetime) -> dict[str, Any]:
    return _ref(
        case_id,
        tracking_no,
        version,
        actor_id="gm111a",
        actor_role="grid_member",
        at=at,
        grid_code="510302001001001",
        assignee_id="gm111a",
    )


async def test_status_agency_and_deadline_follow_dispatch_and_escalation(
    client: Any, submit: Any, catalogue: Any, publish: Any, db: Any
) -> None:
    tracking_no = (await submit()).json()[0]["service_request_id"]
    case_id = await _case_id(db, tracking_no)
    t0 = datetime(2026, 11, 21, 9, 31, tzinfo=UTC)
    path = f"/open311/v2/requests/{tracking_no}.json"

    async def shown(check: Any) -> dict[str, Any]:
        async def fetch() -> dict[str, Any] | None:
            request: dict[str, Any] = (await client.get(path)).json()[0]
            return request if check(request) else None

        result: dict[str, Any] = await eventually(fetch)
        return result

    await publish(
        payloads.CaseAssigned(
            **_ref(case_id, tracking_no, 2),
            assignee_id="gm111a",
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code="510302001001001",
            summary="垃圾满溢",
            assigned_at=t0,
        ),
        subject=str(case_id),
        source="dispatch",
        time=t0,
    )
    assigned = await shown(lambda r: r["agency_responsible"] is not None)
    assert assigned["agency_responsible"] == "桂花社区第一网格"
    assert assigned["status"] == "open"
    assert assigned["expected_datetime"] is None

    due = t0 + timedelta(days=7)
    clock_ref = {
        "case_id": case_id,
        "tracking_no": tracking_no,
        "clock": "resolution",
        "started_at": t0,
        "changed_at": t0,
        "priority": "normal",
    }
    await publish(
        payloads.SlaClockStarted(**clock_ref, generation=1, due_at=due),
        subject=str(case_id),
        source="escalation",
    )
    dated = await shown(lambda r: r["expected_datetime"] is not None)
    assert dated["expected_datetime"] == "2026-11-28T09:31:00Z"

    # An extension moves the deadline; a stale announcement arriving later does not undo it.
    extended = t0 + timedelta(days=10)
    await publish(
        payloads.SlaClockStarted(
            **{**clock_ref, "changed_at": t0 + timedelta(days=1)},
            generation=1,
            reason="extended",
            due_at=extended,
        ),
        subject=str(case_id),
        source="escalation",
    )
    await shown(lambda r: r["expected_datetime"] == "2026-12-01T09:31:00Z")
    await publish(
        payloads.SlaClockStarted(**clock_ref, generation=1, due_at=due),
        subject=str(case_id),
        source="escalation",
    )
    await publish(
        payloads.SlaClockStarted(**{**clock_ref, "clock": "sign_for"}, generation=2, due_at=t0),
        subject=str(case_id),
        source="escalation",
    )

    resolved_at = t0 + timedelta(days=2)
    await publish(
        payloads.CaseResolved(
            **_action(case_id, tracking_no, 4, resolved_at), note="已清运，垃圾桶已复位"
        ),
        subject=str(case_id),
        source="dispatch",
        time=resolved_at,
    )
    # An older event (accepted, version 3) arriving after the resolution changes nothing.
    await publish(
        payloads.CaseAccepted(**_action(case_id, tracking_no, 3, t0 + timedelta(minutes=5))),
        subject=str(case_id),
        source="dispatch",
        time=t0 + timedelta(minutes=5),
    )
    resolved = await shown(lambda r: "已清运" in (r["status_notes"] or ""))
    assert resolved["status"] == "open"  # awaiting verification
    assert resolved["status_notes"].startswith("Resolved")

    closed_at = t0 + timedelta(days=3)
    await publish(
        payloads.CaseClosed(
            **{
                **_action(case_id, tracking_no, 5, closed_at),
                "actor_id": "gl111",
                "actor_role": "grid_leader",
            }
        ),
        subject=str(case_id),
        source="dispatch",
        time=closed_at,
    )
    closed = await shown(lambda r: r["status"] == "closed")
    assert closed["status_notes"] == "Closed: 已清运，垃圾桶已复位"
    assert closed["updated_datetime"] == "2026-11-24T09:31:00Z"
    assert closed["expected_datetime"] == "2026-12-01T09:31:00Z"
    assert closed["agency_responsible"] == "桂花社区第一网格"

    listed = await client.get("/open311/v2/requests.json", params={"status": "closed"})
    assert [r["service_request_id"] for r in listed.json()] == [tracking_no]
    assert (await client.get("/open311/v2/requests.json", params={"status": "open"})).json() == []

    # Reopened (a dissatisfied callback): open again, with a fresh resolution deadline.
    reopened_at = t0 + timedelta(days=4)
    await publish(
        payloads.CaseReopened(
            **_action(case_id, tracking_no, 6, reopened_at), reason="回访不满意", reopenings=1
        ),
        subject=str(case_id),
        source="dispatch",
        time=reopened_at,
    )
    await publish(
        payloads.SlaClockStarted(
            **{**clock_ref, "started_at": reopened_at, "changed_at": reopened_at},
            generation=2,
            due_at=reopened_at + timedelta(days=7),
        ),
        subject=str(case_id),
        source="escalation",
    )
    reopened = await shown(
        lambda r: r["status"] == "open" and r["expected_datetime"] == "2026-12-02T09:31:00Z"
    )
    assert reopened["status_notes"] == "Reopened: 回访不满意"


async def test_a_department_case_names_the_department(
    client: Any, submit: Any, catalogue: Any, publish: Any, db: Any
) -> None:
    tracking_no = (await submit(service_code="order/illegal-parking")).json()[0][
        "service_request_id"
    ]
    case_id = await _case_id(db, tracking_no)
    await publish(
        payloads.CaseRouted(
            **{**_ref(case_id, tracking_no, 2), "category_code": "order/illegal-parking"},
            target="department",
            method="category_department",
            department_code="urban",
            reason="category order/illegal-parking is handled by urban",
        ),
        subject=str(case_id),
        source="dispatch",
    )

    async def routed() -> dict[str, Any] | None:
        request: dict[str, Any] = (
            await client.get(f"/open311/v2/requests/{tracking_no}.json")
        ).json()[0]
        return request if request["agency_responsible"] else None

    request = await eventually(routed)
    assert request["agency_responsible"] == "城管局"
    assert request["status_notes"] == "Routed to 城管局."


async def test_requests_filter_by_service_code_and_status(
    client: Any, submit: Any, catalogue: Any
) -> None:
    garbage = (await submit()).json()[0]["service_request_id"]
    parking = (await submit(service_code="order/illegal-parking")).json()[0]["service_request_id"]
    water = (await submit(service_code="utility/water-outage")).json()[0]["service_request_id"]

    async def ids(**params: str) -> set[str]:
        response = await client.get("/open311/v2/requests.json", params=params)
        assert response.status_code == 200, response.text
        return {r["service_request_id"] for r in response.json()}

    assert await ids(service_code="order/illegal-parking") == {parking}
    assert await ids(service_code="order/illegal-parking,utility/water-outage") == {
        parking,
        water,
    }
    assert await ids(status="open") == {garbage, parking, water}
    assert await ids(status="open,closed") == {garbage, parking, water}
    assert await ids(status="closed") == set()


async def test_personal_data_never_reaches_the_logs(submit: Any, catalogue: Any) -> None:
    import io
    import logging

    import structlog

    # The service's own log lines, rendered as it renders them.
    root = logging.getLogger()
    formatter = next(
        h.formatter
        for h in root.handlers
        if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    personal = {
        "phone": "13812345678",
        "email": "wang.wu@example.com",
        "first_name": "小五",
        "last_name": "王",
        "device_id": "device-secret-7",
    }
    try:
        assert (await submit(**personal)).status_code == 201
        assert (await submit(**personal, service_code="nothing/like-this")).status_code == 404
        assert (await submit(**{**personal, "phone": "call 13812345678"})).status_code == 400
    finally:
        root.removeHandler(handler)

    logs = lines.getvalue()
    assert "open311 request created" in logs
    assert "open311 request refused" in logs
    for value in ("13812345678", "wang.wu", "小五", "device-secret-7"):
        assert value not in logs


# ------------------------------------------------------------------------ discovery

DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_service_discovery_names_the_georeport_v2_endpoint(
    client: Any, catalogue: Any, fmt: str
) -> None:
    response = await client.get(f"/open311/discovery.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        document = response.json()
        assert list(document) == DISCOVERY_FIELDS
        [endpoint] = document["endpoints"]
        assert list(endpoint) == ENDPOINT_FIELDS
        formats = endpoint["formats"]
        changeset = document["changeset"]
    else:
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "discovery"
        assert xml_fields(root) == DISCOVERY_FIELDS
        endpoints = root.find("endpoints")
        assert endpoints is not None
        [element] = list(endpoints)
        assert element.tag == "endpoint"
        assert xml_fields(element) == ENDPOINT_FIELDS
        endpoint = {child.tag: child.text for child in element}
        formats = [f.text for f in element.iter("format")]
        changeset = root.findtext("changeset")
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://service/open311/v2"
    assert endpoint["type"] == "test"  # GRIDCASE_ENV=development
    assert sorted(formats) == ["application/json", "text/xml"]
    assert changeset == "2026-11-01T00:00:00Z"  # when the catalogue last changed


async def test_requests_come_in_pages_when_asked(
    client: Any, submit: Any, catalogue: Any, clock: Any
) -> None:
    made = []
    for n in range(5):
        made.append((await submit(description=f"第{n}件")).json()[0]["service_request_id"])
        clock.advance(timedelta(minutes=1))
    newest_first = made[::-1]

    async def page(number: int) -> list[str]:
        response = await client.get(
            "/open311/v2/requests.json", params={"page": str(number), "page_size": "2"}
        )
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert [await page(1), await page(2), await page(3), await page(4)] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
        [],
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_declared_oversized_body_is_413_in_the_error_format(
    client: Any, catalogue: Any, db: Any, fmt: str
) -> None:
    body = b"api_key=" + API_KEY.encode() + b"&description=" + b"x" * (70 * 1024)

    response = await client.post(
        f"/open311/v2/requests.{fmt}",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_error(response, 413, fmt, "bytes")
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_chunked_oversized_body_is_413_in_the_error_format(
    client: Any, catalogue: Any, db: Any, fmt: str
) -> None:
    async def chunks() -> Any:
        yield b"api_key=" + API_KEY.encode() + b"&service_code=x&description="
        for _ in range(80):
            yield b"x" * 1024

    response = await client.post(
        f"/open311/v2/requests.{fmt}",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_error(response, 413, fmt, "bytes")
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_oversized_multipart_body_is_413_in_the_error_format(
    client: Any, catalogue: Any, fmt: str
) -> None:
    response = await client.post(
        f"/open311/v2/requests.{fmt}",
        data={"api_key": API_KEY, "service_code": "order/illegal-parking"},
        files={"media": ("big.jpg", b"\xff" * (70 * 1024), "image/jpeg")},
    )

    assert_error(response, 413, fmt, "bytes")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_repeat_with_the_same_idempotency_key_gets_the_first_answer(
    client: Any, catalogue: Any, db: Any, fmt: str
) -> None:
    form = {
        "api_key": API_KEY,
        "service_code": "environment/garbage-overflow",
        "lat": "29.355",
        "long": "104.7725",
        "description": "桂花路1号1栋楼下垃圾桶满溢",
    }
    key = {"Idempotency-Key": f"open311-retry-{fmt}"}

    first = await client.post(f"/open311/v2/requests.{fmt}", data=form, headers=key)
    again = await client.post(f"/open311/v2/requests.{fmt}", data=form, headers=key)
    other = await client.post(
        f"/open311/v2/requests.{fmt}", data={**form, "description": "另一件事"}, headers=key
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1
    assert await _count(db, "SELECT count(*) FROM intake.open311_requests") == 1
    assert_error(other, 422, fmt, "Idempotency-Key")


async def test_without_a_key_each_post_is_a_new_request(
    client: Any, submit: Any, catalogue: Any, db: Any
) -> None:
    first = await submit(description="第一件事")
    second = await submit(description="第一件事", lat="29.37", long="104.80")

    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 2


async def test_a_malformed_idempotency_key_is_400_in_the_error_format(
    client: Any, catalogue: Any
) -> None:
    response = await client.post(
        "/open311/v2/requests.xml",
        data={"api_key": API_KEY, "service_code": "order/illegal-parking", "address_string": "x"},
        headers={"Idempotency-Key": "k" * 300},
    )
    assert_error(response, 400, "xml", "Idempotency-Key")
