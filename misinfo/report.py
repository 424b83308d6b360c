"""Monitoring summary of a scored CSV: per source and period, how much gets flagged.

:func:`summarise` streams a file written by :func:`misinfo.batch.score_csv` (any size: only one
accumulator per group is kept) and returns one :class:`GroupSummary` per source and period — the
"which sources drift into báo hóa" view.  :func:`format_table` prints it; :func:`plot` draws it
(needs matplotlib: ``pip install 'misinfo[plot]'``).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

from .batch import OUTPUT_COLUMNS
from .csvio import UNDECODED, CsvInput, column_index
from .metadata import VIETNAM, parse_time

__all__ = ["GroupSummary", "summarise", "format_table", "plot", "PERIODS"]

PERIODS = ("day", "week", "month")
UNKNOWN_PERIOD = "unknown"


@dataclass(frozen=True)
class GroupSummary:
    """Scores of one group (source) in one period.

    ``share_flagged`` and the means are over the rows that were scored (NaN when none was);
    ``failed`` rows (a non-empty ``error``) count in ``rows`` only.
    """

    group: str | None
    period: str | None
    rows: int
    failed: int
    flagged: int
    share_flagged: float
    mean_misinformation: float
    mean_sensational: float


def _period_of(cell: str, period: str) -> str:
    try:
        value = parse_time(cell)
    except (ValueError, TypeError, OverflowError):
        return UNKNOWN_PERIOD
    if value is None:
        return UNKNOWN_PERIOD
    try:
        if isinstance(value, dt.datetime):
            when = value if value.tzinfo is None else value.astimezone(VIETNAM)  # naive = Vietnam time
        else:
            when = dt.datetime.fromtimestamp(value, tz=VIETNAM)
    except (ValueError, OverflowError, OSError):
        return UNKNOWN_PERIOD
    if period == "day":
        return when.strftime("%Y-%m-%d")
    if period == "week":
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}"
    return when.strftime("%Y-%m")


def summarise(path, *, by: str | None = None, period: str | None = None, time_column: str | None = None,
              encoding: str | None = None, delimiter: str | None = None) -> list[GroupSummary]:
    """Summarise a scored CSV per ``by`` column and/or per ``period`` of ``time_column``.

    Parameters
    ----------
    path : str or path-like
        A CSV written by :func:`misinfo.batch.score_csv` (or ``"-"`` for stdin).
    by : str, optional
        The column naming the source (site, page, account).
    period : {"day", "week", "month"}, optional
        Group by publication period (Vietnam time); needs ``time_column`` (Unix seconds or ISO
        8601).  Rows without a readable time fall in period ``"unknown"``.

    Returns
    -------
    list of GroupSummary
        Sorted by group, then period.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scored.csv"
    >>> _ = path.write_text("site,text,misinformation,sensational,flagged,reasons,model_version,error\\n"
    ...                     "a,x,0.9,0.1,true,,v,\\na,y,0.1,0.2,false,,v,\\n", encoding="utf-8")
    >>> [(s.group, s.rows, s.share_flagged) for s in summarise(path, by="site")]
    [('a', 2, 0.5)]
    """
    if period is not None and period not in PERIODS:
        raise ValueError(f"period must be one of {list(PERIODS)}, got {period!r}")
    if period is not None and time_column is None:
        raise ValueError("period needs time_column, the column with the publication time")
    with CsvInput(path, encoding, delimiter, OUTPUT_COLUMNS[0]) as source:
        return _summarise(source, by, period, time_column)


def _summarise(source: CsvInput, by, period, time_column) -> list[GroupSummary]:
    header, d = source.header, source.delimiter
    if tuple(header[-len(OUTPUT_COLUMNS):]) == OUTPUT_COLUMNS:  # the columns score_csv appended
        base = len(header) - len(OUTPUT_COLUMNS)
        mis, sen, flag, err = base, base + 1, base + 2, base + 5
    else:
        mis, sen, flag, err = (column_index(header, name, "scored column", d)
                               for name in ("misinformation", "sensational", "flagged", "error"))
    group_i = column_index(header, by, "by", d)
    time_i = column_index(header, time_column, "time_column", d) if period else None
    # group -> [rows, failed, flagged, sum_mis, sum_sen]
    totals: dict[tuple, list] = {}
    for line, row in source.records():
        if any(UNDECODED.search(cell) for cell in row):  # a summary of garbled names would mislead
            raise ValueError(f"line {line} has bytes that are not {source.encoding} text; give the file's "
                             "encoding with --encoding (e.g. cp1258)")
        group = row[group_i] if group_i is not None and group_i < len(row) else None
        when = _period_of(row[time_i] if time_i < len(row) else "", period) if time_i is not None else None
        acc = totals.setdefault((group, when), [0, 0, 0, 0.0, 0.0])
        acc[0] += 1
        try:
            if err >= len(row) or row[err]:
                raise ValueError("unscored")
            m, s, flagged = float(row[mis]), float(row[sen]), row[flag]
        except (ValueError, IndexError):  # unscored, or a short row of a file misinfo did not write
            acc[1] += 1
            continue
        acc[2] += flagged.strip().lower() in ("true", "1", "yes")
        acc[3] += m
        acc[4] += s
    out = []
    for (group, when), (rows, failed, flagged, sum_mis, sum_sen) in totals.items():
        scored = rows - failed
        mean = (lambda total: round(total / scored, 6)) if scored else (lambda total: math.nan)
        out.append(GroupSummary(group, when, rows, failed, flagged,
                                round(flagged / scored, 6) if scored else math.nan, mean(sum_mis), mean(sum_sen)))
    out.sort(key=lambda s: (s.group or "", s.period or ""))
    return out


def format_table(summaries: list[GroupSummary], *, by: str | None = None) -> str:
    """A plain-text table of :func:`summarise`'s result, one line per group and period."""
    has_group = by is not None or any(s.group is not None for s in summaries)
    has_period = any(s.period is not None for s in summaries)
    heads = ([by or "group"] if has_group else []) + (["period"] if has_period else [])
    labels = len(heads)
    heads += ["rows", "failed", "flagged", "share_flagged", "mean_misinformation", "mean_sensational"]
    lines = [heads]
    for s in summaries:
        cells = ([s.group or "(empty)"] if has_group else []) + ([s.period] if has_period else [])
        cells += [str(s.rows), str(s.failed), str(s.flagged)]
        cells += ["-" if math.isnan(v) else f"{v:.3f}"
                  for v in (s.share_flagged, s.mean_misinformation, s.mean_sensational)]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(heads))]
    return "\n".join("  ".join(cell.ljust(w) if i < labels else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
                     for line in lines)


def plot(summaries: list[GroupSummary], path, *, max_groups: int = 10) -> None:
    """Draw the share flagged per group (and over periods) to an image file (needs matplotlib).

    With periods, one line per group (the ``max_groups`` largest); without, one bar per group.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: pip install 'misinfo[plot]'") from exc
    sizes: dict = {}
    for s in summaries:
        sizes[s.group] = sizes.get(s.group, 0) + s.rows
    groups = sorted(sizes, key=lambda g: -sizes[g])[:max_groups]
    fig, ax = plt.subplots(figsize=(10, 5))
    try:
        if any(s.period is not None for s in summaries):
            periods = sorted({s.period for s in summaries if s.period != UNKNOWN_PERIOD})
            if not periods:
                raise ValueError("no row has a readable publication time: nothing to draw over periods")
            for g in groups:
                share = {s.period: s.share_flagged for s in summaries if s.group == g}
                ax.plot(periods, [share.get(p, math.nan) for p in periods], marker="o",
                        label=str(g) if g is not None else "all")
            ax.set_xlabel("period")
            ax.legend(loc="best", fontsize="small")
            ax.tick_params(axis="x", rotation=45)
        else:
            share = {s.group: s.share_flagged for s in summaries}
            ax.barh([str(g) if g is not None else "all" for g in groups], [share[g] for g in groups])
            ax.invert_yaxis()
        ax.set_ylabel("share flagged" if any(s.period is not None for s in summaries) else "")
        ax.set_title("Share of rows flagged by misinfo")
        fig.tight_layout()
        fig.savefig(Path(path))
    finally:
        plt.close(fig)
