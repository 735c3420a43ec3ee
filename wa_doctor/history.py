"""A short history of the runs, kept beside the reports (``history.jsonl``), and its charts.

The baseline says what changed since the previous run; the history shows the direction over the
last runs: problems per credential, and the days left until its token expires. One line per run,
the newest last, at most :data:`MAX_RUNS` of them; each line holds only counts, Meta's short
enum values and our own keys, and is redacted like every other file. A line that is not one of
ours (a hand edit, a truncated write) is dropped, never an error.

The charts are inline SVG drawn here: readable without JavaScript, in print, and in a PDF.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from .files import write_atomically
from .redaction import Redactor
from .report import redacted

HISTORY = "history.jsonl"
MAX_RUNS = 60
"""Two months of daily runs: enough to see a direction, small enough to read at every run."""
MAX_LINE = 1 << 19
"""A run of a thousand credentials is some 150 KiB; a longer line is not one of ours."""


def update(path: Path, run: Mapping[str, Any], redactor: Redactor) -> list[dict[str, Any]]:
    """Add this run to the history at ``path`` (dropping the oldest beyond :data:`MAX_RUNS`
    and any line that is not a run) and return every run kept, the newest last."""
    runs = [*read(path)[-(MAX_RUNS - 1) :], redacted(dict(run), redactor)]
    write_atomically(path, (json.dumps(r, ensure_ascii=False) + "\n" for r in runs))
    return runs


def read(path: Path) -> list[dict[str, Any]]:
    """The last runs the history holds (none when there is no file or it cannot be read)."""
    if not path.is_file():
        return []
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_RUNS * MAX_LINE + 1)
    except OSError:
        return []
    runs = []
    for line in raw.split(b"\n")[-(MAX_RUNS + 1) :]:
        if not line.strip() or len(line) > MAX_LINE:
            continue
        try:
            run = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(run, dict) and isinstance(run.get("credentials"), dict):
            runs.append(run)
    return runs


def series(runs: Sequence[Mapping[str, Any]], key: str, value: str) -> list[float | None]:
    """One credential's ``value`` in each run, None where the run had none."""
    found: list[float | None] = []
    for run in runs:
        entry = run["credentials"].get(key)
        number = entry.get(value) if isinstance(entry, dict) else None
        ok = isinstance(number, int | float) and not isinstance(number, bool)
        found.append(float(number) if ok and abs(number) < 1e9 else None)
    return found


WIDTH, HEIGHT, PAD = 160, 28, 3


def sparkline(values: Iterable[float | None], title: str) -> str:
    """A small line chart of ``values`` (a run without one left out), the last value marked;
    empty when fewer than two values are known."""
    points = [(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    if len(points) < 2:
        return ""
    count = max(i for i, _ in points) or 1
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0

    def xy(i: int, v: float) -> str:
        x = PAD + (WIDTH - 2 * PAD) * i / count
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - low) / span
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(i, v) for i, v in points)
    last_x, last_y = xy(*points[-1]).split(",")
    return (
        f"<svg class='wa-spark' role='img' width='{WIDTH}' height='{HEIGHT}' "
        f"viewBox='0 0 {WIDTH} {HEIGHT}'><title>{escape(title)}</title>"
        f"<polyline fill='none' stroke='currentColor' stroke-width='1.5' points='{line}'/>"
        f"<circle cx='{last_x}' cy='{last_y}' r='2.5' fill='currentColor'/></svg>"
    )
