"""The four services as processes (``python -m <service>``), for the suites that run the
whole system: tests/e2e (against the shared broker and database, started once per
module) and tests/chaos (against servers of its own, killing and restarting them).
Each process writes to its own log file in `logs`; the env is the suite's own."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gridcase_events.testing import bearer, free_port

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "deploy" / "demo"
DEMO_FILES = [
    ("departments", "departments.csv"),
    ("areas", "areas.geojson"),
    ("categories", "categories.csv"),
    ("staff", "staff.csv"),
    ("gazetteer", "gazetteer.csv"),
    ("absences", "absences.csv"),
]
SERVICES = ("intake", "dispatch", "escalation", "notify")


def service_env(
    *,
    database_url: str,
    kafka: str,
    namespace: str,
    hotline_secret: str,
    sms_gateway: str,
    sms_secret: str,
    **extra: str,
) -> dict[str, str]:
    """What every suite's services share; `extra` adds (or overrides) settings by name."""
    return {
        **os.environ,
        "GRIDCASE_ENV": "development",
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "GRIDCASE_TOPIC_NAMESPACE": namespace,
        "GRIDCASE_HOTLINE_SECRETS": hotline_secret,
        "NOTIFY_SMS_GATEWAY_URL": sms_gateway,
        "NOTIFY_SMS_GATEWAY_SECRET": sms_secret,
        "NOTIFY_QUIET_HOURS": "",  # the tests run at any hour of the real clock
        # Every ticket is its own case: the suites push many at one spot and expect an
        # SMS for each; duplicate merging has its own tests in services/intake/tests/merge.
        "INTAKE_MERGE_ENABLED": "false",
        **extra,
    }


def tail(log: Path, size: int = 3000) -> str:
    return log.read_text(errors="replace")[-size:] if log.exists() else ""


@dataclass
class ServiceProcesses:
    """The services, each on a free port chosen once (a restart keeps it)."""

    logs: Path
    env: dict[str, str]
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def start(self, name: str) -> None:
        self.ports.setdefault(name, free_port())
        env = {**self.env, **{f"{n.upper()}_PORT": str(p) for n, p in self.ports.items()}}
        with self.log(name).open("ab") as log:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", name],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        """SIGKILL: no clean shutdown."""
        process = self.processes[name]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    async def ready(self, name: str, *, timeout: float = 180.0, restart: bool = False) -> None:
        """Until `/readyz` answers 200. A process that exited is started again when
        `restart` (it died at start because the database was away, say), else an error."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.processes[name].poll() is not None:
                    if not restart:
                        raise RuntimeError(f"{name} exited:\n{tail(self.log(name))}")
                    self.start(name)
                try:
                    answer = await client.get(f"{self.url(name)}/readyz", timeout=2)
                    if answer.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{name} not ready:\n{tail(self.log(name))}")

    async def start_all(self, *, timeout: float = 180.0) -> None:
        for name in SERVICES:
            self.start(name)
        for name in SERVICES:
            await self.ready(name, timeout=timeout)

    async def import_demo(self, *, headers: dict[str, str] | None = None) -> None:
        """The demo city (deploy/demo) through dispatch's directory import, as an admin of
        the whole deployment (its staff file holds the city centre; `headers`: another
        admin's, e.g. a token of a test's own identity provider)."""
        async with httpx.AsyncClient() as client:
            for kind, file in DEMO_FILES:
                answer = await client.post(
                    f"{self.url('dispatch')}/v1/directory/import",
                    params={"kind": kind},
                    files={"file": (file, (DEMO / file).read_bytes())},
                    headers=headers or bearer("admin0", "admin"),
                    timeout=120,
                )
                if answer.status_code != 200:
                    raise RuntimeError(f"importing {file}: {answer.status_code} {answer.text}")

    def stop_all(self) -> None:
        """SIGTERM to all, then SIGKILL to those still running after 30 s."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
