"""What the residents' pages say: statuses and channels in Chinese words, a case's
progress as steps, and a wish form's errors as messages a resident can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.cases.schemas import CaseStatusRead

STATUS_WORDS = {
    "reported": "已受理，等待分派",
    "merged": "已合并办理",
    "routed": "已分派，等待派单",
    "assigned": "已派单，等待接单",
    "accepted": "正在办理",
    "returned": "重新分派中",
    "transferred": "已转办",
    "resolved": "已办理，等待核查",
    "closed": "已办结",
    "reopened": "重新办理中",
    "evaluated": "已办结并评价",
    "suspended": "暂停办理",
    "withdrawn": "已撤回",
}

CHANNEL_WORDS = {
    "hotline": "12345 热线",
    "wish_wall": "小巷心愿墙",
    "patrol": "网格巡查",
    "visit": "入户走访",
    "open311": "网上反映",
}

FIELD_LABELS = {
    "content": "心愿内容",
    "phone": "手机号",
    "category_hint": "问题类别",
    "point": "位置",
    "attachments": "附件",
}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def channel_words(channel: str) -> str:
    return CHANNEL_WORDS.get(channel, channel)


@dataclass(frozen=True)
class Step:
    """One line of a case's progress on its status page."""

    at: datetime
    text: str


def timeline(status: CaseStatusRead) -> list[Step]:
    """The progress: received, merged (for a duplicate), then each step of the case
    (the one it joined, for a duplicate), oldest first."""
    steps = [Step(at=status.reported_at, text="已受理")]
    if status.merged_into:
        steps.append(
            Step(
                at=status.reported_at,
                text=f"与编号 {status.merged_into} 的问题合并办理",
            )
        )
    for step in status.steps:
        text = status_words(step.status)
        steps.append(Step(at=step.at, text=f"{text}：{step.note}" if step.note else text))
    return steps


def _message(field: str, error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if field == "content":
        if kind in {"missing", "string_too_short"}:
            return "请写下您的心愿，内容不能为空"
        if kind == "string_too_long":
            return "心愿内容不能超过 4000 字"
    if field == "phone":
        return "手机号格式不正确：请填写 13–19 开头的 11 位手机号，或者不填"
    if kind == "outside_district":
        return "位置不在本辖区内"
    if kind == "unknown_attachment":
        return "附件不是本平台保存的文件"
    return str(error.get("msg", "填写有误"))


def form_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Validation errors as {field: message}, the field being the form's (``loc``
    without ``body``); one message per field."""
    messages: dict[str, str] = {}
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p != "body"]
        field = loc[0] if loc else "form"
        messages.setdefault(field, _message(field, error))
    return messages


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field)
