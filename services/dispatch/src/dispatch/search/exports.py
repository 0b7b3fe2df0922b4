"""The search as CSV and as GeoJSON points. Pure formatting: names, not codes; no phone
numbers; no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.search.schemas import CaseRow

# Chinese mobile numbers (optionally +86) and landlines with an area code.
_PHONE = re.compile(
    r"(?<!\d)(?:(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)"
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
LOCAL = ZoneInfo("Asia/Shanghai")

STATUS_NAMES = {
    "triage": "待派",
    "routed": "待认领",
    "assigned": "已派单",
    "accepted": "已签收",
    "suspended": "缓办",
    "resolved": "已办结",
    "closed": "已结案",
    "evaluated": "已回访",
    "reopened": "重新办理",
}
SLA_NAMES = {"green": "正常", "yellow": "预警", "red": "临期", "breached": "超期"}
PRIORITY_NAMES = {"urgent": "紧急", "normal": "一般"}
HEADER = [
    "受理编号",
    "状态",
    "优先级",
    "类别",
    "网格",
    "社区",
    "部门",
    "处理人",
    "上报时间",
    "办理时限",
    "时限状态",
    "内容摘要",
    "地址",
]


def without_phones(text: str | None) -> str:
    return _PHONE.sub("[电话已隐去]", text) if text else ""


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text (OWASP CSV injection: a leading quote)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _time(value: datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_cells(row: CaseRow) -> list[str]:
    cells = [
        row.tracking_no,
        STATUS_NAMES.get(row.status, row.status),
        PRIORITY_NAMES.get(row.priority, row.priority),
        row.category_name or "",
        row.grid_name or "",
        row.community_name or "",
        row.department_name or "",
        row.assignee_name or "",
        _time(row.reported_at),
        _time(row.due_at),
        SLA_NAMES.get(row.sla or "", ""),
        without_phones(row.summary),
        without_phones(row.address),
    ]
    return [safe_cell(c) for c in cells]


def csv_lines(rows: Iterable[list[str]]) -> Iterable[str]:
    """Each row as one CSV line (quoted as the csv module does)."""
    for cells in rows:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        yield buffer.getvalue()


def header_line() -> str:
    # A byte-order mark, so that spreadsheet programs read the Chinese as UTF-8.
    return "\ufeff" + next(iter(csv_lines([HEADER])))


def feature(row: CaseRow) -> dict[str, Any]:
    """A case as a GeoJSON point (no content, no address: a map shows where and what)."""
    return {
        "type": "Feature",
        "id": str(row.id),
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {
            "tracking_no": row.tracking_no,
            "status": row.status,
            "priority": row.priority,
            "category_name": row.category_name,
            "grid_name": row.grid_name,
            "department_name": row.department_name,
            "sla": row.sla,
            "due_at": row.due_at.isoformat() if row.due_at else None,
        },
    }
