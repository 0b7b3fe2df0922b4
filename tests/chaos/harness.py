"""The fault suite's stack: a private PostgreSQL cluster and Kafka broker (on free ports,
in a temporary directory, so that they can be killed without touching anyone else's),
the four services as processes, and an SMS gateway sink that can be taken down.

Servers shared with other work are never restarted here: everything this file kills it
started itself.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from gridcase_events import topics
from gridcase_events.testing import HttpSink, free_port
from tests.processes import REPO, SERVICES, ServiceProcesses, service_env

__all__ = ["HOTLINE_SECRET", "SERVICES", "PrivateKafka", "PrivatePostgres", "Stack"]

KAFKA_LIBS = Path.home() / ".cache" / "gridcase" / "kafka-3.9.1" / "libs"
LOG4J = REPO / "deploy" / "local" / "kafka" / "log4j.properties"
HOTLINE_SECRET = "chaos-hotline-secret"


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    if which is None:
        raise RuntimeError("PostgreSQL's server programs (pg_ctl, initdb) are missing")
    return Path(which).resolve().parent


class PrivatePostgres:
    """A PostgreSQL cluster of the fault suite's own (initdb into `root`), run as the
    ``postgres`` user when this process is root (PostgreSQL refuses to run as root)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.socket = root / "socket"
        self.port = free_port()
        self.bin = _pg_bin()
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/gridcase"

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket.mkdir(exist_ok=True)
        if self._as:
            user = pwd.getpwnam("postgres")
            for path in (self.root, self.socket):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8",
        )  # fmt: skip
        self._start()
        self._run(
            str(self.bin / "psql"), "-X", "-q", "-h", str(self.socket), "-p", str(self.port),
            "-U", "postgres", "-d", "postgres", "-c", "CREATE DATABASE gridcase",
        )  # fmt: skip

    def _start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket} -c listen_addresses=127.0.0.1"
            " -c max_connections=200"  # durable commits (fsync on): a crash keeps what was committed
        )
        # the server's output goes to its log file: a pipe it inherited would never close
        subprocess.run(
            [
                *self._as, str(self.bin / "pg_ctl"), "-D", str(self.data),
                "-l", str(self.root / "postgres.log"), "-w", "-o", options, "start",
            ],
            check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip

    def restart(self, mode: str) -> None:
        """``fast`` (clients disconnected, a clean shutdown) or ``immediate`` (as if the
        power went: recovery from the write-ahead log at start)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
        self._start()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")


class PrivateKafka:
    """A single-node KRaft broker of the fault suite's own, as deploy/local/infra.sh
    runs one (its jars, resolved there once, in ~/.cache/gridcase)."""

    def __init__(self, root: Path) -> None:
        if not (KAFKA_LIBS / "kafka_2.13-3.9.1.jar").exists():
            raise RuntimeError(f"Kafka's jars are missing in {KAFKA_LIBS}: run `make infra` once")
        self.root = root
        self.port = free_port()
        self.controller_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _java(self, *args: str, heap: str = "-Xmx256m") -> list[str]:
        return [
            "java", heap, "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{LOG4J}", f"-Dkafka.logs.dir={self.root / 'logs'}",
            "-cp", f"{KAFKA_LIBS}/*", *args,
        ]  # fmt: skip

    def start(self) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        properties = self.root / "server.properties"
        if not properties.exists():
            properties.write_text(
                "\n".join(
                    [
                        "process.roles=broker,controller",
                        "node.id=1",
                        f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                        f"listeners=PLAINTEXT://127.0.0.1:{self.port},"
                        f"CONTROLLER://127.0.0.1:{self.controller_port}",
                        f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                        "inter.broker.listener.name=PLAINTEXT",
                        f"log.dirs={self.root / 'data'}",
                        "num.partitions=3",
                        "auto.create.topics.enable=false",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=3",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "log.cleaner.dedupe.buffer.size=33554432",
                    ]
                )
                + "\n"
            )
            subprocess.run(
                self._java(
                    "kafka.tools.StorageTool", "format", "-t", "Z2NoYW9zLWNsdXN0ZXItMQ",
                    "-c", str(properties), "--ignore-formatted",
                ),
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        log = self.root / "logs" / "server.log"
        log.write_text("")
        with (self.root / "logs" / "stdout.log").open("ab") as out:
            self.process = subprocess.Popen(
                self._java("kafka.Kafka", str(properties), heap="-Xmx512m"),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while "Kafka Server started" not in log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Kafka did not start; see {self.root / 'logs'}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL: no clean shutdown
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


@dataclass
class Stack(ServiceProcesses):
    """The four services as processes against the private servers (tests/processes.py):
    a service found dead while waiting for it is started again."""

    database_url: str = ""
    kafka: str = ""
    namespace: str = ""
    sink: HttpSink = field(default_factory=HttpSink)

    @property
    def root(self) -> Path:
        return self.logs

    @classmethod
    def of(
        cls, *, root: Path, database_url: str, kafka: str, namespace: str, sink: HttpSink
    ) -> Stack:
        env = service_env(
            database_url=database_url,
            kafka=kafka,
            namespace=namespace,
            hotline_secret=HOTLINE_SECRET,
            sms_gateway=f"{sink.url}/sms/send",
            sms_secret="chaos-sms-secret",
            NOTIFY_POLL_INTERVAL_SECONDS="0.2",
            # recover within the run: short backoff, breaker and lease (defaults are minutes)
            NOTIFY_BACKOFF_INITIAL_SECONDS="1",
            NOTIFY_BACKOFF_MAX_SECONDS="8",
            NOTIFY_BREAKER_RESET_SECONDS="4",
            NOTIFY_LEASE_SECONDS="15",
            # one SMS per assignment: no digest of a burst to the one grid member
            NOTIFY_SMS_BURST_LIMIT="1000000",
        )
        return cls(
            logs=root,
            env=env,
            database_url=database_url,
            kafka=kafka,
            namespace=namespace,
            sink=sink,
        )

    async def ready(self, name: str, *, timeout: float = 180.0, restart: bool = True) -> None:
        await super().ready(name, timeout=timeout, restart=restart)

    async def start_all(self, *, timeout: float = 180.0) -> None:
        await topics.ensure(self.kafka, namespace=self.namespace, partitions=3)
        await super().start_all(timeout=timeout)
        await self.import_demo()
