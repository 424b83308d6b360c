"""Score partitioned datasets on a Dask cluster, with the same scores as one machine.

Needs the optional extra: ``pip install 'misinfo[dask]'``.  ``import misinfo`` never imports
dask; this module imports it inside the functions that need it.

Two entry points:

* :func:`score_dataframe` adds :data:`misinfo.batch.OUTPUT_COLUMNS` to a ``dask.dataframe``;
  each partition goes through :func:`misinfo.score_frame` on a worker, so partitions, index and
  row order are kept and the values are those of the single-machine frame scoring.
* :func:`score_files` (``misinfo score 'exports/*.csv' -o scored/ --scheduler ...``) scores
  many files: one task per input file, one output part per input file, and a ``_SUCCESS``
  marker written last, only when every part is complete.

Why one task per file rather than ``dd.read_csv``
-------------------------------------------------
A CSV part is produced by :func:`misinfo.score_csv` itself, run on the worker with ``jobs=1``:
the same reader (BOM and encoding rules, delimiter detection, undecodable bytes, short and long
rows kept with an ``error``), the same row logic and the same writer as ``misinfo score`` on one
machine, so each part is byte for byte the file the single-machine command writes for that
input.  ``dd.read_csv`` would parse with pandas instead (other encoding, quoting and bad-row
rules), split a file at byte offsets that can fall inside a quoted multi-line cell, and need one
schema for all files.  Reading inside the task also streams: memory per worker stays flat
however large one export is.

Faults
------
Every part is written under a temporary name in a private folder of the output directory and
renamed into place when complete, so a worker killed mid-part leaves no partial part; Dask runs
the lost task again on another worker, and the rename makes a re-run replace, never append:
no row is lost or duplicated.  A part that fails (a missing column, an unreadable file) fails
the job with the input's name in the message, and ``_SUCCESS`` is not written.

Each worker loads the model once per process through :func:`misinfo.load_model` (cached and
verified by sha256); only the model's name or directory travels with the tasks, never the
model itself.
"""
from __future__ import annotations

import csv
import glob
import importlib.util
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from .artifacts import tier_name
from .batch import CHUNK_SIZE, OUTPUT_COLUMNS, BatchResult, check_options, csv_cells, score_csv, score_frame
from .csvio import CsvInput
from .metadata import unknown

__all__ = ["score_dataframe", "score_files", "SUCCESS_MARKER", "FORMATS"]

#: Written into the output directory last, only when every part is complete (as Hadoop and
#: Spark do); it holds a JSON manifest: input → part, rows, failed.
SUCCESS_MARKER = "_SUCCESS"
#: Input and output formats; Parquet needs pyarrow and pandas.
FORMATS = ("csv", "parquet")
_INSTALL_HINT = "pip install 'misinfo[dask]'"


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(f"{name} is needed to score on a Dask cluster: {_INSTALL_HINT}") from exc


def _portable_model(model):
    """The model as the workers should see it: a tier name or an absolute directory path."""
    if tier_name(model) is not None:
        return model
    return str(Path(model).resolve())


# -- the dataframe API ----------------------------------------------------------------------
def score_dataframe(ddf, text_column: str, *, title_column: str | None = None, likes_column: str | None = None,
                    comments_column: str | None = None, shares_column: str | None = None,
                    time_column: str | None = None, model=None, thresholds: Mapping | None = None):
    """Score a ``dask.dataframe.DataFrame``: a lazy frame with :data:`~misinfo.batch.OUTPUT_COLUMNS` added.

    Each partition is scored by :func:`misinfo.score_frame` on a worker (one process = one
    model load, verified by sha256), so the values equal those of single-machine scoring,
    partitions, index and row order are kept, and ``meta`` is declared (``misinformation`` and
    ``sensational`` float64, ``flagged`` nullable boolean, the rest strings).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
    text_column : str
        The column holding the text; missing values are empty text.  Dask converts object
        columns to strings by default (its ``dataframe.convert-string`` setting), so a number in
        a text column arrives as its digits and is scored, where :func:`misinfo.score_frame`
        gives that row an ``error``; set ``dask.config.set({"dataframe.convert-string": False})``
        before building ``ddf`` to keep such rows as errors.
    title_column, likes_column, comments_column, shares_column, time_column : str, optional
        As in :func:`misinfo.score_csv`.
    model : {None, "fast", "accurate"} or path
        Passed to the workers by name (a directory must be readable at the same path on every
        worker).  A loaded :class:`misinfo.Model` is refused: it would be pickled into every task.
    thresholds : dict, optional
        Overrides of ``misinformation`` / ``sensational`` / ``sensational_opening``.

    Returns
    -------
    dask.dataframe.DataFrame

    Raises
    ------
    TypeError
        If ``ddf`` is not a Dask DataFrame or ``model`` is not a name or a path.
    ValueError
        If a column is missing (the message lists the columns found) or a threshold is invalid.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> frame = pd.DataFrame({"text": ["SỐC!!! Sự thật gây choáng", "Họp báo chiều nay"]})
    >>> scored = score_dataframe(dd.from_pandas(frame, npartitions=2), "text")
    >>> list(scored.columns)
    ['text', 'misinformation', 'sensational', 'flagged', 'reasons', 'model_version', 'error']
    >>> scored.compute(scheduler="sync")["flagged"].tolist()
    [True, False]
    """
    dd = _import("dask.dataframe")
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"ddf must be a dask.dataframe.DataFrame, got {type(ddf).__name__}; "
                        "for a pandas DataFrame use misinfo.score_frame")
    _, thresholds = check_options(1, CHUNK_SIZE, thresholds, model)
    options = dict(title_column=title_column, likes_column=likes_column, comments_column=comments_column,
                   shares_column=shares_column, time_column=time_column, model=_portable_model(model), jobs=1,
                   thresholds=thresholds)
    # Scoring the empty meta frame checks the columns and yields the exact output dtypes; an
    # empty frame never loads the model.
    meta = score_frame(ddf._meta, text_column, **options)
    return ddf.map_partitions(score_frame, text_column, meta=meta, **options)


# -- the files API (the CLI) ------------------------------------------------------------------
def _inputs(pattern) -> list[Path]:
    patterns = [pattern] if isinstance(pattern, (str, os.PathLike)) else list(pattern)
    found: list[Path] = []
    for p in patterns:
        if not isinstance(p, (str, os.PathLike)):
            raise TypeError(f"inputs must be paths or glob patterns (str), got {type(p).__name__}")
        matches = sorted(glob.glob(os.fspath(p)))
        if not matches:
            raise ValueError(f"no input file matches {os.fspath(p)!r}")
        found += [Path(m).resolve() for m in matches if not Path(m).is_dir()]
    if not found:
        raise ValueError(f"{pattern!r} matches only directories; give files, e.g. 'exports/*.csv'")
    return list(dict.fromkeys(found))


def _kind(path: Path) -> str:
    return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"


def _part_name(index: int, source: Path, output_format: str) -> str:
    return f"part-{index:05d}-{source.stem}.{output_format}"


def _warm(model) -> str:
    """Run on every worker before the parts: load (and verify) the model once, return its version."""
    from .model import load_model

    return load_model(model).version


def _score_part(source: str, target: str, output_format: str, options: dict) -> dict:
    """One task: score the input file ``source`` into the part ``target``, atomically."""
    source_path, target_path = Path(source), Path(target)
    # A private folder per attempt: a re-run of this task (its worker died) never shares files
    # with the attempt it replaces.
    work = Path(tempfile.mkdtemp(prefix=f".{target_path.name}.", suffix=".tmp", dir=target_path.parent))
    try:
        tmp = work / target_path.name
        try:
            if _kind(source_path) == "csv":
                counts = _csv_part(source_path, tmp, output_format, options, work)
            else:
                counts = _parquet_part(source_path, tmp, output_format, options)
        except (ValueError, TypeError, OSError, csv.Error) as exc:
            message = (f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename
                       else str(exc))
            raise ValueError(f"{source}: {message}") from None
        os.replace(tmp, target_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"input": source, "part": target_path.name, **counts}


def _csv_part(source: Path, tmp: Path, output_format: str, options: dict, work: Path) -> dict:
    scored = tmp if output_format == "csv" else work / "scored.csv"
    result = score_csv(source, scored, jobs=1, quiet=True, **options)
    counts = {"rows": result.rows, "failed": result.failed, "written": result.written}
    if output_format == "parquet":
        _csv_to_parquet(scored, tmp)
    return counts


def _csv_to_parquet(scored: Path, target: Path) -> None:
    """The scored CSV as Parquet: input columns as strings (as read), score columns typed."""
    import pandas as pd

    with CsvInput(scored, "utf-8", None, OUTPUT_COLUMNS[0]) as source:
        header = source.header
        if len(set(header)) < len(header):
            raise ValueError(f"duplicate column names cannot be written to Parquet: {header!r}; "
                             "rename them or use the CSV format")
        frame = pd.DataFrame([fields for _, fields in source.records()], columns=header, dtype=object)
    for name in OUTPUT_COLUMNS[:2]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")  # "" = unscored
    frame["flagged"] = frame["flagged"].map({"true": True, "false": False, "": None}).astype("boolean")
    frame.to_parquet(target, index=False)


def _parquet_part(source: Path, tmp: Path, output_format: str, options: dict) -> dict:
    import pandas as pd

    # Arrow types as the file has them: with numpy's, an integer column with a gap became floats
    # (two 19-digit ids one value) and the output file changed the column's type.
    frame = pd.read_parquet(source, dtype_backend="pyarrow")
    options = dict(options)
    text_column = options.pop("text_column")
    for unused in ("encoding", "delimiter"):
        options.pop(unused, None)
    scored = score_frame(frame, text_column, jobs=1, **options)
    counts = {"rows": len(frame), "failed": int((scored["error"] != "").sum()), "written": len(scored)}
    if output_format == "parquet":
        scored.to_parquet(tmp)
    else:
        values = zip(*(scored[name].tolist() for name in OUTPUT_COLUMNS))
        cells = [csv_cells((mis, sen, None if unknown(flagged) else bool(flagged), reasons, version, error))
                 for mis, sen, flagged, reasons, version, error in values]
        # an index the file stores as columns (ids: "post_id") is data: written as the first columns
        # (a plain 0, 1, 2... index is not)
        kept = not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names)
        out = frame.reset_index() if kept else frame.copy()
        for k, name in enumerate(OUTPUT_COLUMNS):
            out[name] = [row[k] for row in cells]
        out.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n")
    return counts


def _client(scheduler, workers: int | None):
    """(client, cluster or None): a new LocalCluster, or a client of a running scheduler."""
    distributed = _import("distributed")
    if scheduler == "local":
        cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                           processes=True)
        try:
            return distributed.Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise
    if isinstance(scheduler, str) and "://" in scheduler:
        client = distributed.Client(scheduler)
        if workers:
            client.wait_for_workers(workers)
        return client, None
    raise TypeError(f"scheduler must be 'local', an address such as 'tcp://10.0.0.5:8786' or a distributed.Client, "
                    f"got {type(scheduler).__name__}")


def score_files(inputs, output_dir, *, text_column: str, title_column: str | None = None,
                likes_column: str | None = None, comments_column: str | None = None,
                shares_column: str | None = None, time_column: str | None = None, model=None,
                encoding: str | None = None, delimiter: str | None = None, thresholds: Mapping | None = None,
                only_flagged: bool = False, sort: bool = False, chunk_size: int = CHUNK_SIZE,
                output_format: str = "csv", scheduler="local", workers: int | None = None,
                log: Callable[[str], None] | None = None) -> BatchResult:
    """Score every file matching ``inputs`` on a Dask cluster: one part per file, then ``_SUCCESS``.

    Parameters
    ----------
    inputs : str, path-like or list of them
        Files or glob patterns (``"exports/*.csv"``); ``.parquet`` files are read as Parquet,
        any other file as CSV (with :func:`misinfo.score_csv`'s rules).
    output_dir : str or path-like
        Created if needed; it must not already hold parts or a ``_SUCCESS`` marker.  Part ``i``
        (inputs in sorted order) is ``part-0000i-<input stem>.<format>``.  Workers and this
        process must see it at the same path (a local disk for ``"local"``, a shared file
        system on a cluster).
    text_column, title_column, likes_column, comments_column, shares_column, time_column : str
        As in :func:`misinfo.score_csv`.
    model, encoding, delimiter, thresholds, only_flagged, sort, chunk_size
        As in :func:`misinfo.score_csv` (``sort`` sorts within each part; ``encoding`` and
        ``delimiter`` apply to CSV inputs).
    output_format : {"csv", "parquet"}
    scheduler : "local", a scheduler address (``"tcp://host:8786"``) or a ``distributed.Client``
        ``"local"`` starts a LocalCluster of ``workers`` single-thread processes (default: one
        per core) for this call.
    workers : int, optional
        Workers of the LocalCluster; with an address, wait until that many workers have joined.
    log : callable, optional
        Receives progress lines (the dashboard link, each completed part).

    Returns
    -------
    BatchResult
        Rows, failed and written rows over all parts; ``output`` is the output directory.

    Raises
    ------
    ValueError
        No input matches, a non-empty output directory, a bad option, or a part that failed
        (the message names its input); ``_SUCCESS`` is then not written.
    """
    if isinstance(scheduler, str) and scheduler != "local" and "://" not in scheduler:
        raise ValueError(f"scheduler must be 'local' or a scheduler address such as 'tcp://10.0.0.5:8786', "
                         f"got {scheduler!r}")
    if output_format not in FORMATS:
        raise ValueError(f"output_format must be one of {list(FORMATS)}, got {output_format!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    _, thresholds = check_options(1, chunk_size, thresholds, model)
    sources = _inputs(inputs)
    if output_format == "parquet" or any(_kind(s) == "parquet" for s in sources):
        _import("pyarrow")
    out = Path(output_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    stale = sorted(p.name for p in out.iterdir() if p.name == SUCCESS_MARKER or p.name.startswith("part-"))
    if stale:
        raise ValueError(f"the output directory {str(out)!r} already holds {stale[:3]}: give an empty or new "
                         "directory (parts of another run must not mix with this one)")
    log = log or (lambda message: None)
    options = dict(text_column=text_column, title_column=title_column, likes_column=likes_column,
                   comments_column=comments_column, shares_column=shares_column, time_column=time_column,
                   model=_portable_model(model), encoding=encoding, delimiter=delimiter, thresholds=thresholds,
                   only_flagged=only_flagged, sort=sort, chunk_size=chunk_size)
    targets = [out / _part_name(i, s, output_format) for i, s in enumerate(sources)]

    distributed = _import("distributed")
    if isinstance(scheduler, distributed.Client):
        client, cluster, own = scheduler, None, False
    else:
        (client, cluster), own = _client(scheduler, workers), True
    try:
        hint = ""
        if cluster is not None and importlib.util.find_spec("bokeh") is None:
            hint = " (pip install bokeh to see it)"
        log(f"progress on the Dask dashboard: {client.dashboard_link}{hint}")
        versions = set(client.run(_warm, options["model"]).values())  # load and verify before any part
        if len(versions) > 1:
            raise ValueError(f"the workers load different models {sorted(versions)}: install the same misinfo "
                             "and model on every worker")
        run = uuid.uuid4().hex[:8]
        futures = [client.submit(_score_part, str(s), str(t), output_format, options, key=f"misinfo-part-{i}-{run}",
                                 pure=False)
                   for i, (s, t) in enumerate(zip(sources, targets))]
        parts = []
        try:
            for done, future in enumerate(distributed.as_completed(futures), 1):
                parts.append(future.result())
                log(f"part {done}/{len(futures)}: {parts[-1]['part']} ({parts[-1]['rows']} rows)")
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    parts.sort(key=lambda p: p["part"])
    for leftover in out.glob(".part-*.tmp"):  # the folders of attempts whose worker died
        shutil.rmtree(leftover, ignore_errors=True)
    if any(not (out / p["part"]).is_file() for p in parts):  # a shared file system is required
        raise ValueError(f"the workers' parts are not visible in {str(out)!r}: workers and client must share "
                         "the output directory")
    marker = out / f".{SUCCESS_MARKER}.tmp"
    marker.write_text(json.dumps({"parts": parts}, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(marker, out / SUCCESS_MARKER)
    return BatchResult(rows=sum(p["rows"] for p in parts), failed=sum(p["failed"] for p in parts),
                       written=sum(p["written"] for p in parts), output=str(out))
