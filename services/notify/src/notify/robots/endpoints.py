"""Group robots (WeCom, DingTalk) per grid, community, street, district or department."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from gridcase_events.codes import CODE_PATTERN, DEPARTMENT_CODE_MAX
from gridcase_events.kit.auth import Principal, require_roles
from gridcase_events.kit.errors import Invalid
from notify.channels.outbound import OutboundHosts
from notify.deps import RuntimeDep, SessionDep, SettingsDep
from notify.robots import repository
from notify.robots.models import Robot
from notify.robots.schemas import RobotRead, RobotUpdate
from notify.robots.service import mask_url

router = APIRouter(tags=["robots"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]
# An area code or a department code as the district writes it (gridcase_events/codes.py),
# which may hold "/": the path converter takes it whole.
Code = Annotated[str, Path(pattern=CODE_PATTERN, max_length=DEPARTMENT_CODE_MAX)]


def _read(robot: Robot) -> RobotRead:
    return RobotRead(
        code=robot.code,
        channel=robot.channel,
        url_masked=mask_url(robot.url),
        updated_at=robot.updated_at,
        updated_by=robot.updated_by,
    )


@router.get("/v1/robots", response_model=list[RobotRead], summary="Configured group robots")
async def list_robots(session: SessionDep, principal: Admin) -> list[RobotRead]:
    return [_read(r) for r in await repository.all_robots(session)]


@router.put(
    "/v1/robots/{code:path}",
    response_model=RobotRead,
    summary="Set the robot of an area (grid/community/street/district code) or department",
    responses={422: {"description": "a bad URL, or one whose host is not allowed"}},
)
async def put_robot(
    code: Code,
    body: RobotUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: Admin,
) -> RobotRead:
    refused = OutboundHosts(settings.outbound_hosts).refusal(str(body.url))
    if refused is not None:
        raise Invalid(f"robot URL refused: {refused}")
    robot = await repository.put(
        session,
        {
            "code": code,
            "channel": body.channel,
            "url": str(body.url),
            "updated_at": runtime.clock.now(),
            "updated_by": principal.sub,
        },
    )
    return _read(robot)
