"""The search as CSV and as map points."""

import csv
import io
from typing import Any

import pytest

from dispatch.search.exports import HEADER
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

DISPATCHER = bearer("dp1", "dispatcher", "510302")
HOSTILE = '=HYPERLINK("http://evil.example/x","点我")'


async def test_the_csv_opens_in_python_with_names_no_phones_and_no_formulas(
    client: Any, seed: Any, import_directory: Any
) -> None:
    staff = (
        "staff_id,name,phone,role,area_code,department_code,post\n"
        f'gm111a,"{HOSTILE.replace(chr(34), chr(34) * 2)}",13800000002,grid_member,510302001001001,,A\n'
    )
    assert (await import_directory("staff", staff.encode())).status_code == 200
    await seed(
        {
            "tracking_no": "GC-20261121-000001",
            "assignee_id": "gm111a",
            "content": "-2+3 楼上漏水，请回电13912345678 或 028-85551234",
            "address": "@SUM(1+1) 桂花路1号",
        }
    )

    response = await client.get("/v1/cases.csv", headers=DISPATCHER)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == HEADER
    [row] = rows
    cells = dict(zip(header, row, strict=True))
    assert cells["受理编号"] == "GC-20261121-000001"
    assert cells["处理人"] == "'" + HOSTILE
    assert cells["网格"] == "桂花社区一网格"
    assert cells["社区"] == "桂花社区"
    assert cells["状态"] == "已派单"
    assert cells["内容摘要"].startswith("'-2+3")
    assert cells["地址"].startswith("'@SUM")
    assert "13912345678" not in text and "85551234" not in text and "13800000002" not in text
    assert "510302001001001" not in text  # names, not codes
    assert all(not c.startswith(("=", "+", "-", "@")) for c in row)


async def test_the_csv_keeps_the_callers_scope(client: Any, seed: Any) -> None:
    await seed({"grid_code": "510302001001001"})
    outsider = bearer("gm211a", "grid_member", "510302002001001")

    response = await client.get("/v1/cases.csv", headers=outsider)

    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [HEADER]


async def test_the_map_gives_points_and_says_when_it_was_cut(client: Any, seed: Any) -> None:
    await seed(
        {"lat": 29.355, "lon": 104.7725},
        {"lat": 29.356, "lon": 104.7726},
        {"lat": 29.357, "lon": 104.7727},
        {},  # no location: not on the map
    )

    cut = await client.get("/v1/cases.geojson", params={"limit": 2}, headers=DISPATCHER)
    whole = (await client.get("/v1/cases.geojson", headers=DISPATCHER)).json()

    assert cut.status_code == 200
    assert cut.headers["content-type"] == "application/geo+json"
    assert (len(cut.json()["features"]), cut.json()["truncated"]) == (2, True)
    assert (len(whole["features"]), whole["truncated"]) == (3, False)
    point = whole["features"][0]
    assert point["geometry"]["type"] == "Point"
    assert point["properties"]["grid_name"] == "桂花社区一网格"
    bad = await client.get("/v1/cases.geojson", params={"limit": 5001}, headers=DISPATCHER)
    assert bad.status_code == 422
