"""The outputs of a benchmark run: the printed table, ``latest.json``, ``report.md`` and the search-reads plot."""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
from pathlib import Path
from typing import Any

from benchmarks.common import CaseResult, Metric

PLOT_NAME = "search_reads.png"


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _metric_cells(metric: Metric) -> list[str]:
    sample = metric.sample
    spread = "" if len(sample.values) < 2 else f"{_number(sample.low)}–{_number(sample.high)}"
    return [metric.case, metric.name, _number(sample.median), spread, metric.unit, str(len(sample.values)), metric.note]


def _goal_cells(results: list[CaseResult]) -> list[list[str]]:
    rows = []
    for result in results:
        for goal in result.goals:
            comparator = "≥" if goal.at_least else "≤"
            value = "—" if goal.value is None else f"{_number(goal.value)} {goal.unit}".strip()
            rows.append(
                [
                    goal.status,
                    goal.case,
                    goal.name,
                    value,
                    f"{comparator} {_number(goal.limit)} {goal.unit}",
                    goal.detail,
                ]
            )
    return rows


def _text_table(header: list[str], rows: list[list[str]], *, widths: list[int] | None = None) -> str:
    widths = widths or [
        max(len(header[i]), *(len(row[i]) for row in rows)) if rows else len(header[i]) for i in range(len(header))
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(cell[:width].ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


METRIC_HEADER = ["case", "measurement", "median", "min–max", "unit", "n", "note"]
GOAL_HEADER = ["status", "case", "goal", "measured", "limit", "detail"]


def console(results: list[CaseResult]) -> str:
    """The one table printed at the end of a run: every median with its spread, then every goal's PASS/MISS."""
    metric_rows = [_metric_cells(m) for result in results for m in result.metrics]
    metric_rows = [[*row[:6], row[6][:60]] for row in metric_rows]
    goal_rows = [[*row[:5], row[5][:90]] for row in _goal_cells(results)]
    parts = [_text_table(METRIC_HEADER, metric_rows), "", _text_table(GOAL_HEADER, goal_rows)]
    parts += ["", "Time and load per case:", *(f"- {r.case}: {r.seconds:.0f} s; {load_text(r.load)}" for r in results)]
    notes = [f"- [{r.case}] {note}" for r in results for note in r.notes]
    if notes:
        parts += ["", "Notes:", *notes]
    return "\n".join(parts)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def load_text(load: tuple[float, float, float] | None) -> str:
    """A case's load average while it ran, as the report and the log print it."""
    if load is None:
        return "load average not sampled"
    low, mean, high = load
    return f"1-min load average {low:.1f}–{high:.1f} (mean {mean:.1f})"


def environment() -> dict[str, Any]:
    """What the numbers were measured on (they are only comparable within one run)."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    with contextlib.suppress(OSError):
        info["load_average"] = os.getloadavg()
    return info


def plot_search(results: list[CaseResult], path: Path) -> bool:
    """Items read per search vs library size (log–log), search against the Scan baseline. False if no data."""
    search = next((r for r in results if r.case == "search" and r.data.get("sizes")), None)
    if search is None:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = search.data["sizes"]
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=110)
    for name, counts in search.data["search_items"].items():
        axes.plot(sizes, [counts[s] for s in sizes], marker="o", label=f"search: {name}")
    for name, counts in search.data["scan_items"].items():
        axes.plot(sizes, [counts[s] for s in sizes], marker="x", linestyle="--", label=f"Scan baseline: {name}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("photos in the library")
    axes.set_ylabel("DynamoDB items read per search")
    axes.set_title("Search cost vs library size (one page of results)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


def write(results: list[CaseResult], directory: Path, *, mode: str, argv: list[str]) -> tuple[Path, Path]:
    """Write ``latest.json`` and ``report.md`` (with the plot) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    env = environment()
    payload = {
        "mode": mode,
        "argv": argv,
        "environment": env,
        "cases": [r.to_json() for r in results],
        "goals": [g.to_json() for r in results for g in r.goals],
    }
    json_path = directory / "latest.json"
    json_path.write_text(json.dumps(payload, indent=2, default=str) + "\n")

    plotted = plot_search(results, directory / PLOT_NAME)
    metric_rows = [_metric_cells(m) for result in results for m in result.metrics]
    lines = [
        "# PhotoVault benchmark report",
        "",
        f"Mode `{mode}`; Python {env['python']} on {env['machine']} with {env['cpus']} CPUs; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in env.get('load_average', ()))}. Ratios compare measurements taken in this run "
        "only; min–max shows the noise each one saw.",
        "",
        "## Goals",
        "",
        _markdown_table(GOAL_HEADER, _goal_cells(results)),
        "",
        "## Measurements",
        "",
        _markdown_table(METRIC_HEADER, metric_rows),
    ]
    if plotted:
        lines += ["", "## Search reads vs library size", "", f"![search reads]({PLOT_NAME})"]
    notes = [f"- **{r.case}**: {note}" for r in results for note in r.notes]
    if notes:
        lines += ["", "## Notes", "", *notes]
    lines += ["", "## Time and load per case", ""]
    lines += [f"- {r.case}: {r.seconds:.0f} s; {load_text(r.load)}" for r in results]
    lines.append("")
    report_path = directory / "report.md"
    report_path.write_text("\n".join(lines))
    return json_path, report_path
