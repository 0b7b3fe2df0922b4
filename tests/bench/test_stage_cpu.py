"""Whose CPU a run of bench/e2e_load.py took: /proc read and attributed (pure logic, on
/proc texts written here)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the benches' folder, as they do

from bench._stage import (
    CLOCK_TICKS,
    CLUSTER_OWN,
    KAFKA,
    CpuSample,
    Proc,
    Stat,
    attribute,
    cpu_report,
    local_ports,
    machine_busy_ticks,
    parse_stat,
    read_procs,
    usage,
)

STACK_DB = "gridcase_test_0a1b2c3d"


def stat_text(pid: int, comm: str, *, ppid: int, utime: int, stime: int, started: int) -> str:
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime priority nice threads itrealvalue starttime vsize ...
    return (
        f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194304 120 0 0 0 "
        f"{utime} {stime} 7 9 20 0 3 0 {started} 123456 789\n"
    )


def proc(pid: int, cmdline: str, *, ppid: int = 1, ticks: int = 0, started: int = 100) -> Proc:
    return Proc(pid, Stat(ppid=ppid, started=started, ticks=ticks), cmdline)


def test_a_stat_line_is_read_after_the_names_last_parenthesis() -> None:
    text = stat_text(4242, "python -m (odd) name", ppid=17, utime=250, stime=50, started=98765)

    assert parse_stat(text) == Stat(ppid=17, started=98765, ticks=300)


def test_processes_are_read_from_a_proc_tree_and_one_gone_meanwhile_is_left_out(
    tmp_path: Path,
) -> None:
    title = "postgres: 15/gridcase: gridcase gridcase_test_0a1b2c3d 127.0.0.1(51000) idle"
    (tmp_path / "300").mkdir()
    (tmp_path / "300" / "stat").write_text(
        stat_text(300, "postgres", ppid=30, utime=5, stime=2, started=400)
    )
    (tmp_path / "300" / "cmdline").write_text(title)
    (tmp_path / "301").mkdir()  # ended between the listing and the reading: no stat
    (tmp_path / "302").mkdir()
    (tmp_path / "302" / "stat").write_text(
        stat_text(302, "python", ppid=1, utime=1, stime=0, started=401)
    )
    (tmp_path / "302" / "cmdline").write_bytes(b"python\0-m\0intake\0")
    (tmp_path / "self").mkdir()

    procs = read_procs(tmp_path)

    assert procs == {
        300: Proc(300, Stat(ppid=30, started=400, ticks=7), title),
        302: Proc(302, Stat(ppid=1, started=401, ticks=1), "python -m intake"),
    }


def test_the_client_side_ports_of_a_processs_database_connections() -> None:
    # local 127.0.0.1:51000 → 127.0.0.1:55432 (0xD888), socket inode 777: the process's;
    # inode 888 is someone else's connection to the database, 999 the process's to Kafka.
    tcp = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
        "   uid  timeout inode\n"
        "   0: 0100007F:C738 0100007F:D888 01 00000000:00000000 00:00000000 00000000"
        "     0        0 777 1 0000000000000000 20 4 30 10 -1\n"
        "   1: 0100007F:C739 0100007F:D888 01 00000000:00000000 00:00000000 00000000"
        "     0        0 888 1 0000000000000000 20 4 30 10 -1\n"
        "   2: 0100007F:C73A 0100007F:2384 01 00000000:00000000 00:00000000 00000000"
        "     0        0 999 1 0000000000000000 20 4 30 10 -1\n"
    )

    assert local_ports([tcp], {"777", "999"}, 55432) == {51000}


def cluster(database_ticks: int = 0) -> dict[int, Proc]:
    """A cluster (postmaster 30) serving the stack's database and another one; a
    second cluster (postmaster 60) of its own; the broker, two services and a stranger."""
    return {
        30: proc(30, "/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg", ticks=50),
        31: proc(31, "postgres: 15/gridcase: checkpointer", ppid=30, ticks=40),
        32: proc(32, "postgres: 15/gridcase: walwriter", ppid=30, ticks=30),
        33: proc(33, "postgres: 15/gridcase: autovacuum worker gridcase_test_0a1b2c3d", ppid=30),
        40: proc(
            40,
            f"postgres: 15/gridcase: gridcase {STACK_DB} 127.0.0.1(51000) idle",
            ppid=30,
            ticks=database_ticks,
        ),
        41: proc(
            41, f"postgres: 15/gridcase: gridcase {STACK_DB} 127.0.0.1(51001) INSERT", ppid=30
        ),
        42: proc(42, f"postgres: gridcase {STACK_DB} [local] idle", ppid=30),
        43: proc(
            43, "postgres: 15/gridcase: gridcase gridcase_test_ffff 127.0.0.1(52000) idle", ppid=30
        ),
        60: proc(60, "/usr/lib/postgresql/15/bin/postgres -D /tmp/chaos"),
        61: proc(61, "postgres: checkpointer", ppid=60),
        70: proc(70, "java -Xmx512m kafka.Kafka server.properties"),
        80: proc(80, "python -m intake"),
        81: proc(81, "python -m dispatch"),
        90: proc(90, "python -m pytest"),
    }


def test_the_stacks_backends_go_to_the_service_that_holds_the_connection() -> None:
    rows = attribute(
        cluster(),
        labels={80: "intake", 81: "dispatch", 12345: "gone"},
        database=STACK_DB,
        kafka_pid=70,
        owners={51000: "intake", 51001: "dispatch"},
    )

    assert rows == {
        80: "intake",
        81: "dispatch",
        40: "PostgreSQL for intake",
        41: "PostgreSQL for dispatch",
        42: "PostgreSQL, other clients",
        30: CLUSTER_OWN,
        31: CLUSTER_OWN,
        32: CLUSTER_OWN,
        33: CLUSTER_OWN,
        70: KAFKA,
    }


def test_without_a_backend_of_the_stacks_database_no_cluster_is_counted() -> None:
    rows = attribute(cluster(), labels={}, database="nothing_here", kafka_pid=None, owners={})

    assert rows == {}


def sample(procs: dict[int, Proc], rows: dict[int, str], busy: int = 0) -> CpuSample:
    return CpuSample(procs, rows, busy)


def test_a_window_counts_the_difference_a_new_process_in_full_and_an_ended_one_as_ended() -> None:
    before = sample(
        {1: proc(1, "a", ticks=100), 2: proc(2, "b", ticks=50), 3: proc(3, "c", ticks=70)},
        {1: "intake", 2: "PostgreSQL for intake", 3: "PostgreSQL for intake"},
    )
    after = sample(
        {
            1: proc(1, "a", ticks=400),
            2: proc(2, "b", ticks=80),
            # pid 3 taken by a new backend that began after the first sample
            3: proc(3, "c", ticks=20, started=900),
            4: proc(4, "d", ticks=10, started=901),
        },
        {1: "intake", 2: "PostgreSQL for intake", 3: "PostgreSQL for intake", 4: "notify"},
    )

    rows = usage(before, after)

    assert rows["intake"].seconds == pytest.approx(300 / CLOCK_TICKS)
    assert rows["PostgreSQL for intake"].seconds == pytest.approx((30 + 20) / CLOCK_TICKS)
    assert (rows["PostgreSQL for intake"].processes, rows["PostgreSQL for intake"].exited) == (2, 1)
    assert rows["notify"].seconds == pytest.approx(10 / CLOCK_TICKS)


def test_the_machines_busy_time_leaves_out_idle_iowait_and_steal() -> None:
    text = "cpu  100 5 50 1000 20 3 2 70 0 0\ncpu0 50 2 25 500 10 1 1 35 0 0\n"

    assert machine_busy_ticks(text) == 100 + 5 + 50 + 3 + 2


def test_the_report_gives_each_rows_ms_per_case_its_share_and_what_two_cores_allow() -> None:
    t = CLOCK_TICKS
    before = sample(
        {1: proc(1, "a"), 2: proc(2, "b"), 3: proc(3, "c"), 4: proc(4, "d")},
        {1: "intake", 2: KAFKA, 3: "bench", 4: "PostgreSQL for intake"},
        busy=0,
    )
    after = sample(
        {
            1: proc(1, "a", ticks=6 * t),
            2: proc(2, "b", ticks=2 * t),
            3: proc(3, "c", ticks=2 * t),
        },
        {1: "intake", 2: KAFKA, 3: "bench"},
        busy=12 * t,
    )

    lines = cpu_report(
        before,
        after,
        cases=1000,
        seconds=10.0,
        order=["intake", "PostgreSQL for intake", KAFKA, "bench"],
        apart=["bench"],
        cores=2,
    )

    def row(name: str) -> list[str]:
        line = next(line for line in lines[2:] if line.startswith(f"  {name}  "))
        return line.split()[-3:]

    assert lines[1].split() == ["process", "n", "CPU", "s", "ms/case", "share"]
    assert row("intake") == ["6.0", "6.00", "60%"]
    assert row(KAFKA) == ["2.0", "2.00", "20%"]
    assert row("PostgreSQL for intake") == ["0.0", "0.00", "0%"]
    assert row("total") == ["10.0", "10.00", "100%"]
    assert "8.00 ms per case" in lines[-3]
    assert "2000/N cases/s: 250 cases/s" in lines[-3]
    assert "PostgreSQL for intake 1" in lines[-2]
    assert "busy 12.0 s of 20.0 s" in lines[-1]
