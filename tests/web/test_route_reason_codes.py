"""The console words every routing reason code dispatch records (and no other): a code
added to dispatch without words in web/ would show its English text on a zh-CN desk."""

import re
from pathlib import Path

from dispatch.routing.service import ROUTE_REASON_CODES

REASONS_TS = Path(__file__).resolve().parents[2] / "web/src/kit/route-reasons.ts"


def test_the_console_knows_dispatchs_routing_reason_codes() -> None:
    source = REASONS_TS.read_text(encoding="utf-8")
    listed = re.search(r"ROUTE_REASON_CODES = \[(.*?)\] as const", source, re.S)
    assert listed is not None
    assert re.findall(r"'([a-z_]+)'", listed.group(1)) == list(ROUTE_REASON_CODES)
