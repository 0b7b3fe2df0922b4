"""`make reset` deletes the local demo data and nothing else. Run here only in ways that
cannot touch the shared servers: as a dry run, and for real with the servers named as
external (then only the files under a throwaway GRIDCASE_HOME go)."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "deploy" / "local" / "infra.sh"


def demo_state(tmp_path: Path) -> dict[str, Path]:
    home, cache = tmp_path / "home", tmp_path / "cache"
    paths = {
        "kafka data": home / "run" / "kafka" / "data" / "gridcase.intake.v1-0",
        "kafka logs": home / "run" / "kafka" / "logs" / "server.log",
        "service logs": home / "run" / "logs" / "intake.log",
        "tokens": home / "run" / "tokens.env",
        "attachments": cache / "gridcase" / "attachments" / "photo.jpg",
        "kafka jars": home / "kafka-3.9.1" / "libs" / "kafka_2.13-3.9.1.jar",
    }
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return paths


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "INTAKE_ATTACHMENTS_DIR"}
    }
    return (
        env
        | {
            "GRIDCASE_HOME": str(tmp_path / "home"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }
        | extra
    )


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_dry_run_lists_the_demo_data_and_deletes_nothing(tmp_path: Path) -> None:
    paths = demo_state(tmp_path)
    done = run(["make", "-s", "reset", "DRY_RUN=1"], environment(tmp_path))

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    home = tmp_path / "home"
    assert "would stop the services (gridcase dev down)" in lines
    assert "would stop Kafka (127.0.0.1:9092)" in lines
    for deleted in (
        home / "run" / "kafka" / "data",
        home / "run" / "kafka" / "logs",
        home / "run" / "logs",
        home / "run" / "tokens.env",
        tmp_path / "cache" / "gridcase" / "attachments",
    ):
        assert f"would delete {deleted}" in lines
    assert not any("kafka-3.9.1" in line for line in lines)  # the jars are kept
    assert all(path.exists() for path in paths.values())


def test_dry_run_leaves_external_servers_alone(tmp_path: Path) -> None:
    demo_state(tmp_path)
    env = environment(
        tmp_path,
        DATABASE_URL="postgresql://somebody@db.example:5432/gridcase",
        KAFKA_BOOTSTRAP_SERVERS="kafka.example:9092",
    )
    done = run([str(INFRA), "reset", "--dry-run"], env)

    assert done.returncode == 0, done.stderr
    assert "drop database" not in done.stdout
    assert "Kafka" not in done.stdout
    assert "kafka/data" not in done.stdout
    assert "external" in done.stderr


def test_reset_deletes_the_demo_files(tmp_path: Path) -> None:
    paths = demo_state(tmp_path)
    env = environment(
        tmp_path,
        DATABASE_URL="postgresql://somebody@db.example:5432/gridcase",
        KAFKA_BOOTSTRAP_SERVERS="kafka.example:9092",
    )
    done = run([str(INFRA), "reset"], env)

    assert done.returncode == 0, done.stderr
    gone = {name for name, path in paths.items() if not path.exists()}
    assert gone == {"service logs", "tokens", "attachments"}


def test_an_unknown_reset_option_is_refused(tmp_path: Path) -> None:
    done = run([str(INFRA), "reset", "--everything"], environment(tmp_path))
    assert done.returncode != 0
    assert "usage" in done.stderr
