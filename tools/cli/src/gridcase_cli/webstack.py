"""The workbench's one origin for local development: build ``web/`` when it changed, and
run Debian's nginx with ``deploy/nginx/gridcase.conf`` as the invoking user (its own
prefix, pid file, logs and temp directories under the state directory; port 8080 needs no
privileges). ``gridcase dev up`` and the browser tests use it."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[4]
WEB = REPO / "web"
CONFIG = REPO / "deploy" / "nginx" / "gridcase.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")
# What the build reads; node_modules and dist are its inputs' products, not its inputs.
_SKIP = {"node_modules", "dist", "e2e", ".vite"}
_PLACEHOLDER = re.compile(r"\$\{(GRIDCASE_[A-Z_]+)\}")
# CSP source expressions (origins), space-separated: nothing that could end nginx's string.
_CONNECT_SRC = re.compile(r"^[A-Za-z0-9:/.*_\- ]*$")


class WebStackError(RuntimeError):
    """Something the developer must fix (a missing tool, a failed build)."""


def _sources(web: Path) -> Iterable[Path]:
    for path in sorted(web.rglob("*")):
        relative = path.relative_to(web)
        if relative.parts[0] in _SKIP or "__pycache__" in relative.parts:
            continue
        if path.is_file():
            yield path


def source_hash(web: Path = WEB) -> str:
    """A hash of every file the build reads (names and contents)."""
    digest = hashlib.sha256()
    for path in _sources(web):
        digest.update(str(path.relative_to(web)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def build(*, web: Path = WEB, stamp: Path, say: object = print) -> bool:
    """Builds ``web/dist`` unless the stamp says it was built from the same sources;
    returns whether it built. ``npm ci`` runs when the lock file changed."""
    npm = shutil.which("npm")
    current = source_hash(web)
    dist = web / "dist" / "index.html"
    if dist.exists() and stamp.exists() and stamp.read_text().strip() == current:
        return False
    if npm is None:
        raise WebStackError("npm is missing: apt-get install -y nodejs npm")
    lock_hash = hashlib.sha256((web / "package-lock.json").read_bytes()).hexdigest()
    installed = web / "node_modules" / ".gridcase-lock-hash"
    if not installed.exists() or installed.read_text().strip() != lock_hash:
        _run([npm, "ci", "--no-audit", "--no-fund"], cwd=web, say=say, what="npm ci")
        installed.parent.mkdir(exist_ok=True)
        installed.write_text(lock_hash)
    _run([npm, "run", "build"], cwd=web, say=say, what="npm run build")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)
    return True


def _run(cmd: list[str], *, cwd: Path, say: object, what: str) -> None:
    if callable(say):
        say(f"  {what} in {cwd}")
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise WebStackError(f"{what} failed:\n{(result.stdout + result.stderr)[-4000:]}")


def render(template: str, values: Mapping[str, str]) -> str:
    """Fills ``${GRIDCASE_*}`` as the nginx image's envsubst does; nginx's own ``$vars``
    stay. A placeholder without a value is an error, not an empty string."""
    missing = sorted({name for name in _PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise WebStackError(f"no value for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def nginx_config(
    *,
    run_dir: Path,
    listen: str,
    web_root: Path,
    urls: Mapping[str, str],
    connect_src: str = "",
) -> Path:
    """Writes the main configuration (with gridcase.conf rendered into it) and returns it.
    ``connect_src``: origins the app may fetch from besides its own (the identity
    provider's, for OpenID Connect sign-in)."""
    if not _CONNECT_SRC.match(connect_src):
        raise WebStackError(f"GRIDCASE_WEB_CONNECT_SRC is not a list of origins: {connect_src!r}")
    for sub in ("logs", "tmp"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    server = render(
        CONFIG.read_text(encoding="utf-8"),
        {
            "GRIDCASE_WEB_LISTEN": listen,
            "GRIDCASE_WEB_ROOT": str(web_root),
            "GRIDCASE_WEB_CONNECT_SRC": connect_src,
            **{f"GRIDCASE_{name.upper()}_URL": url.rstrip("/") for name, url in urls.items()},
        },
    )
    (run_dir / "gridcase.conf").write_text(server, encoding="utf-8")
    temp = {
        name: run_dir / "tmp" / name
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    }
    # Run by root (CI, containers), the workers stay root's: the state directory is
    # root's own, which nginx's default worker user could not read.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = (
        f"{user}worker_processes 1;\n"
        f"pid {run_dir / 'nginx.pid'};\n"
        f"error_log {run_dir / 'logs' / 'error.log'} warn;\n"
        "daemon off;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    include {MIME_TYPES};\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {run_dir / 'logs' / 'access.log'};\n"
        f"    client_body_temp_path {temp['client_body']};\n"
        f"    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n"
        f"    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        "    sendfile on;\n"
        f"    include {run_dir / 'gridcase.conf'};\n"
        "}\n"
    )
    path = run_dir / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


def start_nginx(
    *,
    run_dir: Path,
    port: int,
    web_root: Path,
    urls: Mapping[str, str],
    host: str = "127.0.0.1",
    timeout: float = 15,
    connect_src: str = "",
) -> subprocess.Popen[bytes]:
    """Starts nginx in the foreground as a child process, and waits until it answers."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        raise WebStackError("nginx is missing: apt-get install -y nginx")
    if not MIME_TYPES.exists():
        raise WebStackError(f"{MIME_TYPES} is missing: apt-get install -y nginx")
    conf = nginx_config(
        run_dir=run_dir,
        listen=f"{host}:{port}",
        web_root=web_root,
        urls=urls,
        connect_src=connect_src,
    )
    error_log = run_dir / "logs" / "error.log"
    check = subprocess.run(  # noqa: S603
        [nginx, "-t", "-q", "-p", str(run_dir), "-c", str(conf), "-e", str(error_log)],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise WebStackError(f"nginx refused its configuration:\n{check.stderr[-2000:]}")
    proc = subprocess.Popen(  # noqa: S603
        [nginx, "-p", str(run_dir), "-c", str(conf), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise WebStackError(f"nginx exited with {proc.returncode}:\n{stderr[-2000:]}")
        try:
            if httpx.get(f"http://{host}:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_nginx(proc)
    raise WebStackError(f"nginx did not answer on {host}:{port} within {timeout:.0f} s")


def stop_nginx(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """A graceful stop (SIGQUIT lets open requests finish), then a kill."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


def up(
    *, state: Path, urls: Mapping[str, str], port: int, say: object = print
) -> subprocess.Popen[bytes]:
    """What ``gridcase dev up`` does for the workbench: build when changed, start nginx."""
    if callable(say):
        say("[bold]the workbench[/bold] (web/ built when changed; nginx)")
    build(stamp=state / "web-build.stamp", say=say)
    return start_nginx(
        run_dir=state / "nginx",
        port=port,
        web_root=WEB / "dist",
        urls=urls,
        connect_src=os.environ.get("GRIDCASE_WEB_CONNECT_SRC", ""),
    )
