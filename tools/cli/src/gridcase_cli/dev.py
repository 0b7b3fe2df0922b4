"""``gridcase dev``: the whole system locally, with a demo city and the workbench."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from gridcase_cli.common import (
    DEMO_ROLES,
    EXAMPLE_TICKET,
    INFRA,
    SERVICES,
    STATE,
    _now,
    _settings,
    console,
)
from gridcase_cli.directory import _load_demo
from gridcase_events import topics
from gridcase_events.kit import auth
from gridcase_events.kit.settings import PlatformSettings

app = typer.Typer(help="Run the whole system locally.", no_args_is_help=True)


def _infra(command: str) -> str:
    result = subprocess.run([str(INFRA), command], check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    return result.stdout


def _wait_ready(
    name: str, port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            console.print(f"[red]{name} exited with {proc.returncode}; last lines of {log}:[/red]")
            console.print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))
            raise typer.Exit(1)
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    console.print(f"[red]{name} not ready after {timeout:.0f} s; see {log}[/red]")
    raise typer.Exit(1)


def _start_workbench(procs: dict[str, subprocess.Popen[bytes]], env: dict[str, str]) -> str | None:
    """The workbench behind nginx (gridcase_cli.webstack); without node or nginx the
    APIs still run, and the developer is told what to install."""
    from gridcase_cli import webstack

    port = int(env.get("GRIDCASE_WEB_PORT", "8080"))
    urls = {name: f"http://127.0.0.1:{p}" for name, p in SERVICES.items()}
    try:
        procs["nginx"] = webstack.up(state=STATE, urls=urls, port=port, say=console.print)
    except webstack.WebStackError as exc:
        console.print(f"[yellow]the workbench is not served: {exc}[/yellow]")
        return None
    return f"http://127.0.0.1:{port}/"


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            console.print(f"[yellow]{name} did not stop in time; killing it[/yellow]")
            proc.kill()


def _print_welcome(settings: PlatformSettings, sms_port: int, web_url: str | None) -> None:
    """What to look at, and copy-pasteable secrets, tokens and an example push."""
    say = console.print
    say(
        "\n[bold green]gridcase is up[/bold green] with the demo city: 示范区 (district 510302)"
        " and 河畔区 (510303) side by side; city_center cc1 sees both\n"
    )
    if web_url:
        say(f"  [bold]workbench   {web_url}[/bold]  (sign in as any demo person)", soft_wrap=True)
    for name, port in SERVICES.items():
        say(
            f"  {name:<11} http://127.0.0.1:{port}/docs    metrics http://127.0.0.1:{port}/metrics",
            soft_wrap=True,
        )
    say(
        f"  SMS sink    http://127.0.0.1:{sms_port}/sms/messages  (development SMS gateway)",
        soft_wrap=True,
    )
    say(
        f"  logs        {STATE / 'logs'}/<service>.log  (JSON, one line per event)\n",
        soft_wrap=True,
    )
    say("[bold]development secrets[/bold]")
    say(f"  GRIDCASE_HOTLINE_SECRETS={settings.hotline_secrets[0]}", soft_wrap=True)
    say(f"  GRIDCASE_OPEN311_API_KEYS={settings.open311_api_keys[0]}", soft_wrap=True)
    say(
        "  GRIDCASE_JWT_SECRET, GRIDCASE_PII_KEY: fixed development values (GRIDCASE_ENV=development)\n"
    )
    _print_tokens(settings)
    _print_example(settings)


def _print_tokens(settings: PlatformSettings) -> None:
    """A token per demo role, printed and written to tokens.env (mode 600)."""
    say = console.print
    tokens_file = STATE / "tokens.env"
    lines = []
    say(f"[bold]development tokens[/bold] (12 h; also in {tokens_file})")
    for sub, role, area, dept in DEMO_ROLES:
        token = auth.mint(
            settings.jwt_key(),
            **settings.token_claims(),
            sub=sub,
            role=role,
            area_code=area,
            department_code=dept,
            now=_now(),
            ttl=timedelta(hours=12),
        )
        say(f"  [cyan]{role}[/cyan] {sub} ({area or dept}):", soft_wrap=True)
        say(f"    {token}", soft_wrap=True, highlight=False)
        lines.append(f"GRIDCASE_TOKEN_{role.upper()}={token}")
    tokens_file.write_text("\n".join(lines) + "\n")
    tokens_file.chmod(0o600)


def _print_example(settings: PlatformSettings) -> None:
    """A copy-paste push of a signed 12345 ticket, with the CLI and by hand."""
    say = console.print
    body = json.dumps(EXAMPLE_TICKET, ensure_ascii=False)
    secret = settings.hotline_secrets[0]
    say(
        "\n[bold]try it[/bold]: push a signed 12345 ticket; grid member gm111a gets an SMS at the sink"
    )
    say("  .venv/bin/gridcase hotline push --example\n", highlight=False)
    say("  or by hand, with curl and openssl:", highlight=False)
    example = (
        f"body='{body}'\n"
        "t=$(date +%s)\n"
        f"sig=$(printf '%s.%s' \"$t\" \"$body\" | openssl dgst -sha256 -hmac '{secret}' | sed 's/^.* //')\n"
        "curl -s http://127.0.0.1:8001/v1/hotline/tickets -H 'Content-Type: application/json' "
        '-H "X-Gridcase-Signature: t=$t,v1=$sig" -d "$body"'
    )
    console.out(example, highlight=False)
    say(
        "\n  then: GET http://127.0.0.1:8001/v1/public/cases/<tracking_no> (public status),\n"
        "        GET http://127.0.0.1:8002/v1/cases/<case_id> with the grid_member token (case + timeline),\n"
        "        GET http://127.0.0.1:8003/v1/cases/<case_id>/clocks (deadline).\n"
        "  Ctrl-C here, or `make down` in another terminal, stops everything.",
        soft_wrap=True,
        highlight=False,
    )


@app.command("up")
def dev_up(
    keep_infra: Annotated[
        bool, typer.Option(help="leave Kafka and PostgreSQL running on exit")
    ] = False,
    demo: Annotated[bool, typer.Option(help="load the demo city")] = True,
) -> None:
    """Kafka, PostgreSQL, topics, the four services and the demo city; Ctrl-C stops all.

    (Long on purpose: the processes it starts and the finally that stops them must be
    in one function, so that nothing it started outlives an interruption.)"""
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "logs").mkdir(exist_ok=True)
    pid_file = STATE / "dev-up.pid"
    if pid_file.exists():
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            os.kill(int(pid_file.read_text()), 0)
            console.print("[red]gridcase dev up is already running (make down stops it)[/red]")
            raise typer.Exit(1)
    pid_file.write_text(str(os.getpid()))
    started = time.monotonic()
    env = dict(os.environ)
    env.setdefault("GRIDCASE_ENV", "development")
    console.print("[bold]starting Kafka and PostgreSQL[/bold] (deploy/local/infra.sh)")
    _infra("start")
    for line in _infra("env").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    os.environ.update(env)
    settings = _settings()
    sms_port = int(env.get("GRIDCASE_DEV_SMS_PORT", "8025"))
    env.setdefault("NOTIFY_SMS_GATEWAY_URL", f"http://127.0.0.1:{sms_port}/sms/send")
    env.setdefault("NOTIFY_SMS_GATEWAY_SECRET", "gridcase-dev-sms-secret")
    env.setdefault("NOTIFY_QUIET_HOURS", "")  # the demo's SMS arrive at any hour
    created = asyncio.run(
        topics.ensure(
            settings.kafka_bootstrap_servers,
            namespace=settings.topic_namespace,
            partitions=settings.topic_partitions,
        )
    )
    if created:
        console.print(f"created {len(created)} topics")

    procs: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        logs = {}
        for name in ("sms-sink", *SERVICES):
            log = STATE / "logs" / f"{name}.log"
            logs[name] = log
            cmd = (
                [
                    sys.executable,
                    "-m",
                    "gridcase_cli",
                    "dev",
                    "sms-sink",
                    "--port",
                    str(sms_port),
                ]
                if name == "sms-sink"
                else [sys.executable, "-m", name]
            )
            out = None if name == "sms-sink" else log.open("ab")
            procs[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None
            )
        console.print("[bold]starting the services[/bold] (ports 8001–8004)")
        for name, port in SERVICES.items():
            _wait_ready(name, port, procs[name], logs[name])
            console.print(f"  {name} ready")
        if demo:
            _load_demo(f"http://127.0.0.1:{SERVICES['dispatch']}", settings)
        web_url = _start_workbench(procs, env)
        _print_welcome(settings, sms_port, web_url)
        console.print(f"[dim]up in {time.monotonic() - started:.1f} s[/dim]")
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    console.print(
                        f"[red]{name} exited ({proc.returncode}); stopping everything[/red]"
                    )
                    stopping = True
            time.sleep(0.5)
    finally:
        console.print("[bold]stopping[/bold]")
        _stop(procs)
        if not keep_infra:
            _infra("stop")
        pid_file.unlink(missing_ok=True)
        console.print("stopped")


@app.command("down")
def dev_down() -> None:
    """Stop a running `gridcase dev up` (it then stops Kafka and PostgreSQL)."""
    pid_file = STATE / "dev-up.pid"
    if not pid_file.exists():
        console.print("gridcase dev up is not running")
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    for _ in range(120):
        if not pid_file.exists():
            break
        time.sleep(0.5)
    console.print("stopped")


@app.command("sms-sink")
def dev_sms_sink(
    port: Annotated[int, typer.Option()] = 8025,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """A development SMS gateway that prints every message it receives."""
    import uvicorn

    from gridcase_cli.smssink import create_sms_sink_app

    def show(message: dict[str, Any]) -> None:
        console.print(f"[green]SMS → {message['phone_masked']}[/green] {message['content']}")

    sink = create_sms_sink_app(secret=os.environ.get("NOTIFY_SMS_GATEWAY_SECRET"), on_message=show)
    uvicorn.run(sink, host=host, port=port, log_level="warning")
