"""``gridcase token mint`` (run as the installed command, as a person would)."""

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from gridcase_events.kit.auth import TokenVerifier
from gridcase_events.kit.settings import PlatformSettings

SECRET = "a-production-jwt-secret-of-32-bytes-or-more"
HOTLINE = "a-production-hotline-secret-32-bytes-long"
PII = "cGlpLWtleS1mb3ItdGVzdHMtb25seS0zMi1ieXRlcyE="
GRID = "510302001001001"


def production(**extra: Any) -> PlatformSettings:
    return PlatformSettings(
        env="production",
        hotline_secrets_raw=HOTLINE,
        pii_key=PII,
        jwt_secret=SECRET,
        **extra,
    )


async def test_the_cli_mints_tokens_with_the_configured_issuer_and_audience() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDCASE_")}
    env |= {
        "GRIDCASE_ENV": "production",
        "GRIDCASE_JWT_SECRET": SECRET,
        "GRIDCASE_HOTLINE_SECRETS": HOTLINE,
        "GRIDCASE_PII_KEY": PII,
        "GRIDCASE_JWT_ISSUER": "https://idp.city.gov.cn",
        "GRIDCASE_JWT_AUDIENCE": "workbench",
    }
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("gridcase")),
        *("token", "mint", "--sub", "gl111", "--role", "grid_leader", "--area-code", GRID),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await proc.communicate())[0].decode()
    assert proc.returncode == 0, output
    settings = production(jwt_issuer="https://idp.city.gov.cn", jwt_audience_raw="workbench")
    verifier = TokenVerifier.from_settings(settings, service="escalation")
    assert (await verifier.verify(output.strip().splitlines()[-1])).sub == "gl111"
