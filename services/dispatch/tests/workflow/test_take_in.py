"""A reported case is routed and assigned; driven by real events through Kafka."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import eventually, read_topic

pytestmark = pytest.mark.integration

GUIHUA_1 = {"lat": 29.355, "lon": 104.7725}  # 桂花社区一网格 510302001001001
GUIHUA_2 = {"lat": 29.355, "lon": 104.7775}  # 桂花社区二网格 (its A post is on leave)
SCHOOL = {"lat": 29.3635, "lon": 104.7865}  # the school's unit grid inside 学府社区二网格
OUTSIDE = {"lat": 30.0, "lon": 105.5}


async def test_point_in_a_grid_goes_to_the_a_post_member(
    demo_city: Any, report: Any, settled: Any, kafka_bootstrap: str, namespace: str
) -> None:
    case_id = await report(location=GUIHUA_1)
    case = await settled(case_id)

    assert case["status"] == "assigned"
    assert case["grid_code"] == "510302001001001"
    assert case["route_method"] == "point_in_polygon"
    assert case["assignee_id"] == "gm111a"
    assert case["assignee_post"] == "A"
    assert [t["action"] for t in case["timeline"]] == ["reported", "routed", "assigned"]

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.DISPATCH), min_count=2
    )
    events = [json.loads(r.value) for r in records if r.key == str(case_id).encode()]
    assert [e["type"] for e in events] == ["case.routed", "case.assigned"]
    assert {e["correlation_id"] for e in events} == {f"corr-{case_id}"}
    assert events[1]["causation_id"] == events[0]["id"]
    assert events[1]["data"]["post"] == "A"


async def test_absent_a_post_falls_back_to_the_b_post(
    demo_city: Any, report: Any, settled: Any
) -> None:
    case = await settled(await report(location=GUIHUA_2))

    assert case["assignee_id"] == "gm112b"
    assert case["assignee_post"] == "B"
    assert "gm112a is absent" in case["timeline"][-1]["detail"]["reason"]


async def test_both_posts_absent_goes_to_the_grid_leader(
    demo_city: Any, report: Any, settled: Any, import_directory: Any
) -> None:
    absences = (
        "staff_id,start,end\n"
        "gm121a,2026-11-20T00:00:00+08:00,2026-11-30T00:00:00+08:00\n"
        "gm121b,2026-11-21T08:00:00+08:00,2026-11-21T18:00:00+08:00\n"
    )
    assert (await import_directory("absences", absences.encode())).status_code == 200

    case = await settled(await report(location={"lat": 29.365, "lon": 104.7725}))

    assert case["grid_code"] == "510302001002001"
    assert case["assignee_id"] == "gl121"
    assert case["assignee_post"] == "leader"


async def test_a_point_inside_a_unit_grid_goes_to_the_unit_grid(
    demo_city: Any, report: Any, settled: Any
) -> None:
    case = await settled(await report(location=SCHOOL))

    assert case["grid_code"] == "510302002002003"
    assert case["assignee_id"] == "gm223a"


async def test_address_with_spelling_variants_is_placed_by_the_gazetteer(
    demo_city: Any, report: Any, settled: Any
) -> None:
    # The gazetteer says "桂花路1号1栋"; full-width digits, spaces and 号楼 for 栋.
    case = await settled(await report(address="示范区东城街道 桂花路１号１号楼"))

    assert case["route_method"] == "gazetteer"
    assert case["grid_code"] == "510302001001001"
    assert case["assignee_id"] == "gm111a"


async def test_an_address_with_a_region_prefix_and_trailing_words_finds_its_building(
    demo_city: Any, report: Any, settled: Any
) -> None:
    case = await settled(await report(address="四川省自贡市示范区东城街道桂花路1号1栋楼下"))

    assert case["route_method"] == "gazetteer"
    assert case["grid_code"] == "510302001001001"
    assert "matches gazetteer entry" in case["route_reason"]


async def test_an_address_naming_only_a_community_goes_to_its_station_master(
    demo_city: Any, report: Any, settled: Any, client: Any
) -> None:
    from gridcase_events.testing import bearer

    case = await settled(
        await report(address="学府社区北门附近路面塌陷", category_hint="facility/road-damage")
    )

    assert (case["target"], case["community_code"], case["grid_code"]) == (
        "community",
        "510302002002",
        None,
    )
    assert (case["assignee_id"], case["assignee_post"]) == ("sm22", "station")
    member = bearer("gm221a", "grid_member", "510302002002001")
    station = bearer("sm22", "station_master", "510302002002")
    assert (await client.get(f"/v1/cases/{case['id']}", headers=member)).status_code == 403
    moved = await client.post(
        f"/v1/cases/{case['id']}/transfer",
        json={"target": "grid", "grid_code": "510302002002001", "reason": "北门属一网格"},
        headers=station,
    )
    assert moved.status_code == 200
    assert (moved.json()["assignee_id"], moved.json()["community_code"]) == ("gm221a", None)
    assert (await client.get(f"/v1/cases/{case['id']}", headers=member)).status_code == 200


async def test_department_category_goes_to_the_least_loaded_on_duty_operator(
    demo_city: Any, report: Any, settled: Any
) -> None:
    first = await settled(await report(category_hint="utility/water-outage", location=GUIHUA_1))
    second = await settled(await report(category_hint="停水", location=GUIHUA_1))

    assert first["target"] == "department"
    assert first["department_code"] == "water"
    assert first["priority"] == "urgent"  # the category's default priority
    assert {first["assignee_id"], second["assignee_id"]} == {"water1", "water2"}


async def test_an_absence_over_or_not_yet_begun_does_not_skip_the_a_post(
    demo_city: Any, report: Any, settled: Any, import_directory: Any
) -> None:
    absences = (  # now is 09:00 on 21 November in the district
        "staff_id,start,end\n"
        "gm121a,2026-11-20T00:00:00+08:00,2026-11-21T09:00:00+08:00\n"
        "gm121a,2026-11-21T09:00:01+08:00,2026-11-22T00:00:00+08:00\n"
    )
    assert (await import_directory("absences", absences.encode())).status_code == 200

    case = await settled(await report(location={"lat": 29.365, "lon": 104.7725}))

    assert (case["assignee_id"], case["assignee_post"]) == ("gm121a", "A")


async def test_an_absent_department_operator_is_skipped(
    demo_city: Any, report: Any, settled: Any, import_directory: Any
) -> None:
    absences = "staff_id,start,end\nwater1,2026-11-21T08:00:00+08:00,2026-11-21T18:00:00+08:00\n"
    assert (await import_directory("absences", absences.encode())).status_code == 200

    first = await settled(await report(category_hint="utility/water-outage", location=GUIHUA_1))
    second = await settled(await report(category_hint="停水", location=GUIHUA_1))

    assert (first["assignee_id"], second["assignee_id"]) == ("water2", "water2")


@pytest.mark.parametrize(
    "hint",
    [
        "垃圾满溢",  # the category's exact name
        " 垃圾 满溢 ",  # its name with stray whitespace
        "Environment/Garbage-Overflow",  # its code in another case
        "  environment / garbage-overflow\t",  # its code with whitespace
        "ＥＮＶＩＲＯＮＭＥＮＴ/garbage-overflow",  # full-width letters
    ],
)
async def test_a_category_hint_matches_by_name_or_by_code_loosely(
    demo_city: Any, report: Any, settled: Any, hint: str
) -> None:
    case = await settled(await report(category_hint=hint, location=GUIHUA_1))

    assert case["category_code"] == "environment/garbage-overflow"
    assert case["status"] == "assigned"
    assert case["grid_code"] == "510302001001001"


async def test_a_hint_naming_a_department_category_routes_to_the_department(
    demo_city: Any, report: Any, settled: Any
) -> None:
    case = await settled(await report(category_hint=" UTILITY/Water-Outage ", location=GUIHUA_1))

    assert case["category_code"] == "utility/water-outage"
    assert case["target"] == "department"
    assert case["department_code"] == "water"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"category_hint": "something/unknown", "location": GUIHUA_1}, "unknown category"),
        ({"category_hint": "垃圾", "location": GUIHUA_1}, "unknown category"),  # a part of a name
        ({"category_hint": "   ", "location": GUIHUA_1}, "unknown category"),
        ({"category_hint": None, "location": GUIHUA_1}, "no category"),
        ({"location": OUTSIDE}, "lies in no grid"),
        ({"address": "火星基地1号"}, "not in the gazetteer"),
    ],
)
async def test_what_cannot_be_placed_goes_to_triage_unassigned(
    demo_city: Any, report: Any, settled: Any, fields: dict[str, Any], reason: str
) -> None:
    case = await settled(await report(**fields))

    assert case["status"] == "triage"
    assert case["target"] == "triage"
    assert case["assignee_id"] is None
    assert reason in case["route_reason"]


async def test_a_redelivered_report_is_taken_in_once(
    demo_city: Any, report: Any, settled: Any, producer: Any, namespace: str, kafka_bootstrap: str
) -> None:
    case_id = await report(location=GUIHUA_1)
    await settled(case_id)
    [original] = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    repeat = await (
        await producer.send(
            topics.qualify(namespace, topics.INTAKE), key=original.key, value=original.value
        )
    )

    # Offsets are committed only after the handler's transaction: once dispatch's group
    # has committed past the repeat, its effects (if any) are in the database.
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        partition = TopicPartition(repeat.topic, repeat.partition)

        async def committed_past_repeat() -> bool:
            offsets = await admin.list_consumer_group_offsets(
                f"{namespace}gridcase.dispatch-intake"
            )
            return partition in offsets and offsets[partition].offset > repeat.offset

        await eventually(committed_past_repeat)
    finally:
        await admin.close()
    case = await settled(case_id)

    assert [t["action"] for t in case["timeline"]] == ["reported", "routed", "assigned"]


async def _committed_past(kafka_bootstrap: str, group: str, sent: Any) -> None:
    """Waits until `group` has committed past the record `sent` (so its effects, if
    any, are in the database: offsets are committed after the handler's transaction)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        partition = TopicPartition(sent.topic, sent.partition)

        async def committed() -> bool:
            offsets = await admin.list_consumer_group_offsets(group)
            return partition in offsets and offsets[partition].offset > sent.offset

        await eventually(committed)
    finally:
        await admin.close()


async def test_a_case_reported_again_under_a_new_event_is_not_taken_in_twice(
    demo_city: Any, report: Any, settled: Any, producer: Any, namespace: str, kafka_bootstrap: str
) -> None:
    case_id = await report(location=GUIHUA_1)
    await settled(case_id)
    again = envelope.build(  # the same case, another event (not the inbox's to drop)
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-20261121-TEST00",
            channel="hotline",
            reported_at=datetime(2026, 11, 21, 1, 0, tzinfo=UTC),
            content="垃圾满溢（再报）",
            priority="normal",
            category_hint="environment/garbage-overflow",
            location=payloads.GeoPoint(**GUIHUA_2),
        ),
        subject=str(case_id),
        source="intake",
        tenant="510302",
        correlation_id=f"again-{case_id}",
        time=datetime(2026, 11, 21, 1, 1, tzinfo=UTC),
    )
    sent = await (
        await producer.send(
            topics.qualify(namespace, topics.INTAKE),
            key=str(case_id).encode(),
            value=again.to_bytes(),
        )
    )
    await _committed_past(kafka_bootstrap, f"{namespace}gridcase.dispatch-intake", sent)

    case = await settled(case_id)
    assert [t["action"] for t in case["timeline"]] == ["reported", "routed", "assigned"]
    assert (case["assignee_id"], case["version"]) == ("gm111a", 2)
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.DISPATCH), min_count=2
    )
    events = [json.loads(r.value) for r in records if r.key == str(case_id).encode()]
    assert [(e["type"], e["data"]["case_version"]) for e in events] == [
        ("case.routed", 1),
        ("case.assigned", 2),
    ]


async def test_an_absence_imported_after_cases_were_taken_in_counts_for_the_next(
    demo_city: Any, report: Any, settled: Any, import_directory: Any
) -> None:
    first = await settled(await report(location=GUIHUA_1))
    absences = "staff_id,start,end\ngm111a,2026-11-21T08:00:00+08:00,2026-11-21T18:00:00+08:00\n"
    assert (await import_directory("absences", absences.encode())).status_code == 200

    second = await settled(await report(location=GUIHUA_1))

    assert (first["assignee_id"], second["assignee_id"]) == ("gm111a", "gm111b")


async def test_an_absence_counts_from_its_start_without_another_import(
    demo_city: Any, report: Any, settled: Any, import_directory: Any, clock: ManualClock
) -> None:
    absences = "staff_id,start,end\ngm111a,2026-11-21T10:00:00+08:00,2026-11-21T18:00:00+08:00\n"
    assert (await import_directory("absences", absences.encode())).status_code == 200
    before = await settled(await report(location=GUIHUA_1))  # 09:00: not yet away

    clock.advance(timedelta(hours=1))  # 10:00: away
    during = await settled(await report(location=GUIHUA_1))

    assert (before["assignee_id"], during["assignee_id"]) == ("gm111a", "gm111b")


async def test_a_case_returned_by_a_station_says_which_community_it_left(
    demo_city: Any, report: Any, settled: Any, client: Any, kafka_bootstrap: str, namespace: str
) -> None:
    from gridcase_events.testing import bearer

    case = await settled(
        await report(address="学府社区北门附近路面塌陷", category_hint="facility/road-damage")
    )
    station = bearer("sm22", "station_master", "510302002002")
    assert (await client.post(f"/v1/cases/{case['id']}/accept", headers=station)).status_code == 200
    returned = await client.post(
        f"/v1/cases/{case['id']}/return", json={"reason": "非本社区"}, headers=station
    )
    assert returned.status_code == 200

    async def returned_event() -> dict[str, Any] | None:
        records = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.DISPATCH), min_count=4
        )
        found = [
            json.loads(r.value) for r in records if json.loads(r.value)["type"] == "case.returned"
        ]
        return found[0] if found else None

    event = await eventually(returned_event)
    assert event["data"]["from_grid_code"] == "510302002002"
    assert event["data"]["first_owner"] == {
        "unit": "community",
        "code": "510302002002",
        "staff_id": "sm22",
    }


async def test_a_merged_duplicate_is_not_dispatched_and_does_not_fail(
    demo_city: Any,
    report: Any,
    settled: Any,
    client: Any,
    producer: Any,
    namespace: str,
    kafka_bootstrap: str,
) -> None:
    from gridcase_events import envelope, payloads
    from gridcase_events.testing import bearer

    first = await report(location=GUIHUA_1)
    await settled(first)
    duplicate = envelope.new_id()
    merged = envelope.build(
        payloads.CaseMerged(
            case_id=duplicate,
            tracking_no="GC-20261121-DUP001",
            channel="hotline",
            external_ref="T-dup",
            duplicate_of=first,
            duplicate_of_tracking_no="GC-20261121-TEST00",
            category_code="environment/garbage-overflow",
            reason="12 m from GC-20261121-TEST00",
            distance_m=12.0,
            merged_at=datetime(2026, 11, 21, 1, 5, tzinfo=UTC),
        ),
        subject=str(duplicate),
        source="intake",
        tenant="510302",
        correlation_id="corr-dup",
        time=datetime(2026, 11, 21, 1, 5, tzinfo=UTC),
    )
    sent = await (
        await producer.send(
            topics.qualify(namespace, topics.INTAKE),
            key=str(duplicate).encode(),
            value=merged.to_bytes(),
        )
    )
    # Offsets are committed only after the handler's transaction (or its skip): once
    # dispatch's group is past the merge, it has been read.
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        partition = TopicPartition(sent.topic, sent.partition)

        async def committed_past_merge() -> bool:
            offsets = await admin.list_consumer_group_offsets(
                f"{namespace}gridcase.dispatch-intake"
            )
            return partition in offsets and offsets[partition].offset > sent.offset

        await eventually(committed_past_merge)
    finally:
        await admin.close()

    response = await client.get(
        f"/v1/cases/{duplicate}", headers=bearer("dp1", "dispatcher", "510302")
    )
    assert response.status_code == 404
    dead = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE + ".dlq"), min_count=0, timeout=2
    )
    assert dead == []


@pytest.mark.parametrize(
    ("fields", "code", "params"),
    [
        (
            {"location": GUIHUA_1},
            "point_in_grid",
            {"grid_code": "510302001001001", "grid_kind": "residential", "lat": "29.355000"},
        ),
        (
            {"address": "示范区东城街道 桂花路１号１号楼"},
            "address_in_gazetteer",
            {"grid_code": "510302001001001", "address": "示范区东城街道 桂花路１号１号楼"},
        ),
        (
            {"address": "四川省自贡市示范区东城街道桂花路1号1栋楼下"},
            "address_matches_gazetteer",
            {"grid_code": "510302001001001"},
        ),
        (
            {"address": "学府社区北门附近路面塌陷", "category_hint": "facility/road-damage"},
            "address_names_community",
            {"community_code": "510302002002", "community_name": "学府社区"},
        ),
        (
            {"category_hint": "utility/water-outage", "location": GUIHUA_1},
            "category_department",
            {"category_code": "utility/water-outage", "department_code": "water"},
        ),
        (
            {"category_hint": "something/unknown", "location": GUIHUA_1},
            "unknown_category",
            {"category_code": "something/unknown"},
        ),
        ({"location": OUTSIDE}, "point_in_no_grid", {}),
        ({"address": "火星基地1号"}, "no_location", {"address": "火星基地1号"}),
    ],
)
async def test_the_routed_entry_carries_its_reason_as_a_code_with_parameters(
    demo_city: Any,
    report: Any,
    settled: Any,
    fields: dict[str, Any],
    code: str,
    params: dict[str, str],
) -> None:
    case = await settled(await report(**fields))

    [routed] = [t for t in case["timeline"] if t["action"] == "routed"]
    assert routed["detail"]["reason_code"] == code
    assert routed["detail"]["reason_params"].items() >= params.items()
    assert routed["detail"]["reason"] == case["route_reason"]  # the text stays
