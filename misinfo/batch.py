"""Streaming CSV scoring: any size, any real-world encoding, never lose a row.

:func:`score_csv` reads a CSV export in chunks, scores every row with worker processes and writes
every input column unchanged, in the same order and row order, followed by
:data:`OUTPUT_COLUMNS`.  Memory stays flat as the input grows: only a few chunks are in flight at
a time, and ``sort=True`` sorts on disk.

How real exports are read
-------------------------
* **Encoding**: a BOM decides (UTF-8, UTF-16, UTF-32), whatever ``encoding`` says; without one
  the input is UTF-8 unless ``encoding`` says otherwise (e.g. ``"cp1258"``, whose combining tone
  marks the core puts in NFC).  Bytes that do not decode make only their own row fail (``error``
  says so).  A compressed or binary file (gzip, zip/xlsx, Parquet...) is refused, saying what it
  looks like.
* **Delimiter**: ``,`` ``;`` tab or ``|``, chosen on the first 64 KB by parsing it with each one
  and keeping the one whose header holds ``text_column`` and whose rows have as many fields as
  the header (robust to quoted fields with newlines, unlike ``csv.Sniffer``); ``,`` when the
  header is one field whatever the delimiter; or ``delimiter``.
* Quoted fields with embedded delimiters and newlines, CRLF or LF, duplicate header names and
  cells up to :data:`misinfo.csvio.FIELD_SIZE_LIMIT` characters (text beyond ``misinfo.text.MAX_CHARS`` is cut
  by the core, which says so in ``reasons``).  Blank lines are not rows and are skipped.

What a row gets
---------------
* ``misinformation``, ``sensational``: probabilities with 6 decimals; ``flagged``: ``true`` or
  ``false``; ``reasons`` joined with ``" | "``; ``model_version``; ``error`` empty.
* A row that cannot be scored (undecodable bytes, fewer or more fields than the header, a record
  that an unclosed quote ran to the end of the file, or that spans several lines with an odd
  number of quote characters: an unclosed quote, closed by a stray one further on) keeps
  its cells, gets empty score columns and the reason in ``error``, and is counted in
  :attr:`BatchResult.failed`.  A short row is padded with empty cells; the cells of a long row
  beyond the header are quoted in ``error``.  Undecodable bytes are written as U+FFFD, so the
  output is always valid UTF-8.
* Engagement and time cells that cannot be read (``"abc"`` likes, a negative count, a date that
  is neither Unix seconds nor ISO 8601) count as unknown; the row is scored on the rest and a
  note such as ``likes 'abc' unreadable ('abc' is not a count): treated as unknown`` is added to ``reasons``.
  Counts may use thousands separators (``1,234`` / ``1.234``) or ``K``/``M`` suffixes
  (``1.2K``); times are Unix seconds (numbers of 1e11 or more are taken as milliseconds, of 1e14 as microseconds,
  of 1e17 as nanoseconds) or ISO
  8601 (naive times are Vietnam time, as in the core).

Output and interruption
-----------------------
The output is written as UTF-8 (with a BOM when the input had one, so that Excel reads it) to a
hidden ``.OUTPUT.part`` file next to OUTPUT, renamed over OUTPUT only when complete.  After every
chunk a sidecar ``.OUTPUT.part.json`` records the rows read and the bytes written; with
``resume=True`` an interrupted run (killed, Ctrl-C, a crash) continues from its last completed
chunk and yields the same file as an uninterrupted run.  On Ctrl-C or an error the workers are
ended at once (the chunks they had in hand are done again on resume); with stdin as input there
is nothing to resume from, and nothing is kept.  A symlinked OUTPUT is written through (the link
stays); a directory, device or FIFO is refused (write to stdout instead).  A lock file,
``.OUTPUT.lock``, refuses a second run writing the same OUTPUT at the same time.

Rows whose text, title and metadata are equal are analysed and scored once (within a chunk and
across the last :data:`REUSE_CACHE_SIZE` distinct rows); which rows are reused depends only on
the input, so the output is identical for any ``jobs``.  Each process also keeps its last
:data:`DOC_CACHE_SIZE` analysed texts, so a repost with other engagement counts is not tokenised
again.
"""
from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import heapq
import io
import json
import math
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .csvio import UNDECODED, CsvInput, column_index
from .metadata import parse_metadata, unknown
from .text import read_part

try:  # the lock that keeps two runs off one output; Linux is the target, but import everywhere
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["score_csv", "score_frame", "resumable", "BatchResult", "WorkerDied", "OUTPUT_COLUMNS"]

#: Columns appended to every input row, in this order.
OUTPUT_COLUMNS = ("misinformation", "sensational", "flagged", "reasons", "model_version", "error")
#: Rows per chunk: the unit of work sent to a worker and of resume checkpoints.  Up to
#: 2 x jobs chunks are in flight, so this bounds the parent's memory (1,000 rows of posts: ~1 MB
#: of text) as well as the work lost to an interruption (a few seconds per worker).
CHUNK_SIZE = 1000
#: Distinct rows remembered for reuse across chunks (reposts): a key and a score, 200–800 bytes
#: (the reasons of a flagged row take most), so at most ~6 MB in the parent process.
REUSE_CACHE_SIZE = 10_000
#: Rows held in memory while sorting, at most (and at most SORT_RUN_CHARS characters); the rest
#: is sorted in runs on disk and merged.
SORT_RUN_ROWS = 50_000
SORT_RUN_CHARS = 32 * 1024 * 1024
REASON_SEPARATOR = " | "
#: Version of the resume checkpoint; 2: its options name the model by its metadata.json's digest.
_PROGRESS_FORMAT = 2

class WorkerDied(RuntimeError):
    """A worker process died while scoring (killed, e.g. by the out-of-memory killer).

    The pool is stopped; with a file output the checkpoint is kept, so that ``resume=True``
    continues from the last completed chunk.
    """


@dataclass(frozen=True)
class BatchResult:
    """What :func:`score_csv` did.

    Attributes
    ----------
    rows : int
        Data rows read from the input (blank lines are not rows).
    failed : int
        Rows that could not be scored; each has its reason in the ``error`` column.
    written : int
        Rows written (fewer than ``rows`` only with ``only_flagged``).
    output : str
        The output path, or ``"-"`` for stdout.
    """

    rows: int
    failed: int
    written: int
    output: str


# -- rows -------------------------------------------------------------------------------------
@dataclass
class _Spec:
    text: int
    title: int | None
    meta: tuple[int | None, ...]  # likes, comments, shares, published
    ncols: int


class _Row:
    __slots__ = ("fields", "error", "notes", "key", "item")

    def __init__(self, fields, error=None, notes=(), key=None, item=None):
        self.fields, self.error, self.notes, self.key, self.item = fields, error, notes, key, item


def _prepare(fields: list, spec: _Spec, where: str, problem: str | None = None) -> _Row:
    """Check one CSV record and build what the scorer needs (or the row's error).

    ``problem`` is what the reader found wrong with the record (an unclosed quote), if anything."""
    errors = [problem] if problem else []
    bad = [i for i, f in enumerate(fields) if UNDECODED.search(f)]
    if bad:
        fields = [UNDECODED.sub("\ufffd", f) for f in fields]
        errors.append(f"undecodable bytes in field(s) {', '.join(str(i + 1) for i in bad)} (written as U+FFFD); "
                      "if the file is not UTF-8, give its encoding (e.g. cp1258)")
    n = len(fields)
    if n < spec.ncols:
        errors.append(f"the row has {n} fields but the header has {spec.ncols}")
        fields = fields + [""] * (spec.ncols - n)
    elif n > spec.ncols:
        extra = repr(fields[spec.ncols:])
        extra = extra if len(extra) <= 1000 else extra[:997] + "..."
        errors.append(f"the row has {n} fields but the header has {spec.ncols}; cells beyond the header: {extra}")
        fields = fields[: spec.ncols]
    if errors:
        return _Row(fields, f"{where}: " + "; ".join(errors))
    text = fields[spec.text]
    title = fields[spec.title] if spec.title is not None else None
    cells = [fields[i] if i is not None else None for i in spec.meta]
    return _item_row(fields, text, title, cells)


def _item_row(fields, text: str, title: str | None, meta_cells) -> _Row:
    meta, notes = parse_metadata(meta_cells)
    # Keep (and key the row by) what the core reads, not the whole of a 50 MB cell.
    text = read_part(text)
    title = None if title is None else read_part(title)
    digest = hashlib.blake2b(digest_size=16)
    for part in (text, "\x00", title if title is not None else "\x01", "\x00", repr(meta)):
        digest.update(part.encode("utf-8", "surrogatepass"))
    return _Row(fields, None, notes, digest.digest(), (text, title, meta))


# -- scoring ----------------------------------------------------------------------------------
#: Analysed docs each process keeps, so that a repost with other engagement counts is not
#: tokenised again (analyse is a pure function: caching cannot change a score).  A doc of a
#: typical post takes ~12 KB, so the cache holds at most ~6 MB per process.
DOC_CACHE_SIZE = 500
_DOC_CACHE_MAX_CHARS = 5000
#: Items a worker analyses before scoring them: bounds the docs alive at once (~3 MB) and so
#: the peak a worker's heap settles at.
ANALYSE_BATCH = 256
_DOCS: OrderedDict = OrderedDict()
# A Dask worker may run several tasks in threads of one process: the LRU updates must not interleave.
_DOCS_LOCK = threading.Lock()


def _analyse(text: str, title: str | None):
    from .text import analyse

    key = (text, title)
    with _DOCS_LOCK:
        doc = _DOCS.get(key)
        if doc is not None:
            _DOCS.move_to_end(key)
            return doc
    doc = analyse(text, title)
    if len(text) + len(title or "") <= _DOC_CACHE_MAX_CHARS:
        with _DOCS_LOCK:
            _DOCS[key] = doc
            if len(_DOCS) > DOC_CACHE_SIZE:
                _DOCS.popitem(last=False)
    return doc


def _score_items(model, items, thresholds) -> list:
    """Score (text, title, meta) items → a Score or an error message each, in order.

    :data:`ANALYSE_BATCH` items at a time, so that only that many analysed docs are alive at once."""
    out: list = []
    for start in range(0, len(items), ANALYSE_BATCH):
        out += _score_batch(model, items[start:start + ANALYSE_BATCH], thresholds)
    return out


def _score_batch(model, items, thresholds) -> list:
    docs, out = [], [None] * len(items)
    live = []
    for i, (text, title, _) in enumerate(items):
        try:
            docs.append(_analyse(text, title))
            live.append(i)
        except Exception as exc:  # one bad item must not sink its chunk
            out[i] = f"analysis failed: {type(exc).__name__}: {exc}"
    meta = [items[i][2] for i in live]
    try:
        scores = model.score_docs(docs, meta, thresholds) if docs else []
    except Exception:  # find the row that breaks the batch; score the others
        scores = []
        for doc, m in zip(docs, meta):
            try:
                scores.append(model.score_docs([doc], [m], thresholds)[0])
            except Exception as exc:
                scores.append(f"scoring failed: {type(exc).__name__}: {exc}")
    for i, s in zip(live, scores):
        out[i] = s
    return out


_WORKER: dict = {}


def _init_worker(model, thresholds, parent: int) -> None:
    from .model import load_model
    from .text import segmenter_only

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (see _submit)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="misinfo-parent-watch", daemon=True).start()
    segmenter_only()

    _WORKER["thresholds"] = thresholds
    try:
        _WORKER["model"] = load_model(model)
    except BaseException as exc:  # re-raised by the first task, where the parent sees it
        _WORKER["error"] = exc


def _exit_with_parent(parent: int) -> None:
    """End this worker once its parent is gone, even killed with SIGKILL: a worker must never outlive
    its run (an orphan keeps a model's memory, ~280 MB, and a core forever)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


@contextlib.contextmanager
def _signals_ignored(*signums):
    """Ignore these signals within the block, in the main thread (elsewhere they are not ours to change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = [(signum, signal.signal(signum, signal.SIG_IGN)) for signum in signums]
    try:
        yield
    finally:
        for signum, handler in saved:
            if handler is not None:  # None: a handler not set from Python, which cannot be put back
                signal.signal(signum, handler)


def _submit(pool, items):
    # The pool starts workers inside submit; a worker inherits an ignored SIGINT, so that a Ctrl-C
    # (sent to the whole process group) cannot break one that is still starting, before
    # _init_worker runs.
    with _signals_ignored(signal.SIGINT):
        return pool.submit(_score_in_worker, items)


def _stop_pool(pool) -> None:
    """Stop a pool now: cancel the chunks not started and end the workers, whose chunks in flight are
    thrown away (waiting for them took up to a chunk's time, and the output keeps only complete
    chunks anyway).  A second Ctrl-C (or SIGTERM) meanwhile is ignored: this takes well under a
    second, and stopping it half-way left workers behind."""
    with _signals_ignored(signal.SIGINT, signal.SIGTERM):
        # No public way to end the workers before Python 3.14 (terminate_workers).
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(5)
            if process.exitcode is None:
                process.kill()
                process.join()
        pool.shutdown(wait=True, cancel_futures=True)


def _score_in_worker(items) -> list:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return _score_items(_WORKER["model"], items, _WORKER["thresholds"])


class _Cell:
    __slots__ = ("value",)

    def __init__(self):
        self.value = None


class _Pipeline:
    """Chunks of rows in, (rows, results) out in order; equal rows scored once; bounded in flight."""

    def __init__(self, model, thresholds, jobs: int):
        self.model_name, self.thresholds, self.jobs = model, thresholds, jobs
        self._seen: OrderedDict[bytes, _Cell] = OrderedDict()
        self._model = None
        self._pool = None

    def _plan(self, rows: list[_Row]):
        # Decided from the input alone (never from timing), so any jobs gives the same output.
        cells, todo, todo_cells = [], [], []
        seen = self._seen
        for row in rows:
            if row.error is not None:
                cells.append(None)
                continue
            cell = seen.get(row.key)
            if cell is None:
                cell = seen[row.key] = _Cell()
                todo.append(row.item)
                todo_cells.append(cell)
                if len(seen) > REUSE_CACHE_SIZE:
                    seen.popitem(last=False)
            else:
                seen.move_to_end(row.key)
            cells.append(cell)
        return cells, todo, todo_cells

    @staticmethod
    def _finish(rows, cells, todo_cells, results):
        for cell, result in zip(todo_cells, results):
            cell.value = result
        return rows, [row.error if cell is None else cell.value for row, cell in zip(rows, cells)]

    def run(self, chunks: Iterable[list[_Row]]) -> Iterator[tuple[list[_Row], list]]:
        chunks = iter(chunks)
        first = next(chunks, None)
        if first is None:
            return
        second = next(chunks, None)
        queue = [first] if second is None else [first, second]
        if self.jobs > 1 and second is not None:
            yield from self._run_pool(_chain_lists(queue, chunks))
        else:
            yield from self._run_here(_chain_lists(queue, chunks))

    def _run_here(self, chunks):
        from .model import load_model

        model = load_model(self.model_name)
        for rows in chunks:
            cells, todo, todo_cells = self._plan(rows)
            yield self._finish(rows, cells, todo_cells, _score_items(model, todo, self.thresholds) if todo else [])

    def _run_pool(self, chunks):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        window: deque = deque()
        # Workers start from a fresh interpreter: a process forked after underthesea has run in
        # the parent can deadlock on a lock held at fork time (seen with the default "fork").
        pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(self.model_name, self.thresholds, os.getpid()))
        try:
            for rows in chunks:
                cells, todo, todo_cells = self._plan(rows)
                future = _submit(pool, todo) if todo else None
                window.append((rows, cells, todo_cells, future))
                while len(window) > 2 * self.jobs:
                    yield self._collect(window.popleft())
            while window:
                yield self._collect(window.popleft())
        except BrokenProcessPool as exc:
            _stop_pool(pool)
            raise WorkerDied("a worker process died (out of memory? killed?); the rows it was scoring "
                             "were not written") from exc
        except BaseException:  # an interrupt, an error, or the caller closing this generator
            _stop_pool(pool)
            raise
        pool.shutdown(wait=True)

    def _collect(self, entry):
        rows, cells, todo_cells, future = entry
        return self._finish(rows, cells, todo_cells, future.result() if future is not None else [])


def _chain_lists(first: list, rest: Iterator):
    yield from first
    yield from rest


def _chunks(records: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _score_values(result, notes) -> tuple:
    """The :data:`OUTPUT_COLUMNS` of one row, typed: the one place a result becomes output cells.

    ``result`` is a Score or an error message; an unscored row has NaN scores and ``flagged`` None.
    """
    if isinstance(result, str):
        return (math.nan, math.nan, None, "", "", result)
    return (result.misinformation, result.sensational, result.flagged,
            REASON_SEPARATOR.join(result.reasons + tuple(notes)), result.model_version, "")


def csv_cells(values) -> list[str]:
    """:func:`_score_values` as CSV cells: 6 decimals, ``true``/``false``, empty when unscored."""
    mis, sen, flagged, reasons, version, error = values
    if flagged is None:
        return ["", "", "", reasons, version, error]
    return [f"{mis:.6f}", f"{sen:.6f}", "true" if flagged else "false", reasons, version, error]


def _score_columns(result, notes) -> list[str]:
    return csv_cells(_score_values(result, notes))


def _sort_key(row: list[str], ncols: int) -> float:
    """Highest max(misinformation, sensational) first; unscored rows last."""
    try:
        return -max(float(row[ncols]), float(row[ncols + 1]))
    except (ValueError, IndexError):
        return math.inf


# -- options ----------------------------------------------------------------------------------
def check_options(jobs, chunk_size, thresholds, model):
    from .artifacts import check_thresholds, model_dir

    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1 (or None for all cores), got {jobs!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a whole number >= 1, got {chunk_size!r}")
    if thresholds is not None:
        if not isinstance(thresholds, Mapping):
            raise TypeError(f"thresholds must be a mapping such as {{'misinformation': 0.5}}, got {type(thresholds).__name__}")
        thresholds = check_thresholds(dict(thresholds), required=False) or None
    model_dir(model)  # a bad model name or directory fails before any output exists
    return jobs, thresholds


class _Progress:
    def __init__(self, quiet: bool, initial: int, size: int | None):
        self.bar = None
        self.size = size
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(desc="scoring", unit=" rows", initial=initial, file=sys.stderr, dynamic_ncols=True)

    def update(self, rows: int, done: int, consumed: int) -> None:
        if self.bar is None:
            return
        if self.size and consumed:  # an estimate of the total gives an ETA
            self.bar.total = max(done, int(done * self.size / consumed))
        self.bar.update(rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _stdout_text() -> io.TextIOWrapper:
    """A UTF-8 text stream over stdout's bytes, buffered even where Python's stdout is not
    (``python -u``, ``PYTHONUNBUFFERED``): there a write to a full pipe that a signal interrupts
    returns part-way, and a text layer straight over the raw file drops the rest of its bytes
    (a row cut in two and the rest of its chunk lost); a buffered writer writes them all."""
    sys.stdout.flush()
    raw = sys.stdout.buffer
    buffered = io.BufferedWriter(raw) if isinstance(raw, io.RawIOBase) else raw
    return io.TextIOWrapper(buffered, encoding="utf-8", newline="", write_through=False)


def _release_stdout(text: io.TextIOWrapper) -> None:
    """Flush a :func:`_stdout_text` stream and let go of it, leaving ``sys.stdout`` open."""
    buffered = text.detach()
    if buffered is not sys.stdout.buffer:
        buffered.detach()


def _replace(new: Path, target: Path) -> None:
    """Put the finished output ``new`` in place of ``target``, which keeps its permissions if it
    existed (a private export stays private when it is rescored in place)."""
    try:
        shutil.copymode(target, new)
    except FileNotFoundError:
        pass
    os.replace(new, target)


def _write_json(path: Path, data: dict) -> None:
    tmp = _json_tmp_path(path)
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


# -- the public functions -----------------------------------------------------------------------
def score_csv(input, output, *, text_column: str, title_column: str | None = None,
              likes_column: str | None = None, comments_column: str | None = None,
              shares_column: str | None = None, time_column: str | None = None, model=None,
              jobs: int | None = None, encoding: str | None = None, delimiter: str | None = None,
              thresholds: Mapping | None = None, only_flagged: bool = False, sort: bool = False,
              resume: bool = False, quiet: bool = False, chunk_size: int = CHUNK_SIZE) -> BatchResult:
    """Score every row of a CSV file and write it with the scores appended.

    Parameters
    ----------
    input : str or path-like
        The CSV file, or ``"-"`` for stdin.
    output : str or path-like
        Where to write, or ``"-"`` for stdout.  Written atomically (see the module docstring).
    text_column : str
        The column holding the post or article text.
    title_column, likes_column, comments_column, shares_column, time_column : str, optional
        Columns with the headline, engagement counts and publication time (Unix seconds or ISO
        8601).  Never required.
    model : {None, "fast", "accurate"} or path
        As in :func:`misinfo.load_model`.
    jobs : int, optional
        Worker processes (default: all cores); each loads the model once.  The output does not
        depend on it.
    encoding : str, optional
        The input's encoding when it has no BOM and is not UTF-8, e.g. ``"cp1258"``.
    delimiter : str, optional
        The field delimiter (default: detected among ``,`` ``;`` tab ``|``).
    thresholds : dict, optional
        Overrides of ``misinformation`` / ``sensational`` / ``sensational_opening``.
    only_flagged : bool
        Write only flagged rows, and rows that could not be scored (they need a look too).
    sort : bool
        Highest ``max(misinformation, sensational)`` first (stable; unscored rows last).
    resume : bool
        Continue an interrupted run on the same input with the same options.
    quiet : bool
        No progress bar (there is none either when stderr is not a terminal).
    chunk_size : int
        Rows per chunk of work and per resume checkpoint.

    Returns
    -------
    BatchResult

    Raises
    ------
    ValueError
        A missing column (the message lists the columns found), an empty input, an unknown
        encoding, an invalid option, or ``resume`` with stdin/stdout.  No output is created.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "posts.csv").write_text("id,text\\n1,SỐC!!! Sự thật gây choáng\\n2,Họp báo chiều nay\\n",
    ...                                       encoding="utf-8")
    >>> result = score_csv(folder / "posts.csv", folder / "scored.csv", text_column="text", jobs=1)
    >>> result.rows, result.failed
    (2, 0)
    >>> (folder / "scored.csv").read_text(encoding="utf-8").splitlines()[0]
    'id,text,misinformation,sensational,flagged,reasons,model_version,error'
    """
    jobs, thresholds = check_options(jobs, chunk_size, thresholds, model)
    if resume and (input == "-" or output == "-"):
        raise ValueError("resume needs an input file and an output file, not stdin/stdout")
    if not (output == "-" or isinstance(output, (str, os.PathLike))):
        raise TypeError(f"output must be a path or '-' for stdout, got {type(output).__name__}")
    with CsvInput(input, encoding, delimiter, text_column) as source:
        return _score_source(source, output, text_column=text_column, title_column=title_column,
                             meta_columns=(likes_column, comments_column, shares_column, time_column),
                             model=model, jobs=jobs, thresholds=thresholds, only_flagged=only_flagged,
                             sort=sort, resume=resume, quiet=quiet, chunk_size=chunk_size)


def _score_source(source: CsvInput, output, *, text_column, title_column, meta_columns, model, jobs,
                  thresholds, only_flagged, sort, resume, quiet, chunk_size) -> BatchResult:
    header, d = source.header, source.delimiter
    spec = _Spec(
        text=column_index(header, text_column, "text_column", d),
        title=column_index(header, title_column, "title_column", d),
        meta=tuple(column_index(header, name, f"{option}_column", d)
                   for name, option in zip(meta_columns, ("likes", "comments", "shares", "time"))),
        ncols=len(header))
    from .artifacts import model_dir, read_metadata, sha256

    directory = model_dir(model)
    read_metadata(directory)  # a folder that holds no model is an ArtifactError, as load_model says
    # the model by its metadata.json's digest (the sha256 of every file, the thresholds): a model
    # directory retrained in between is another model, and resuming would mix the two
    options = {"text": text_column, "title": title_column, "meta": list(meta_columns), "model": str(model),
               "model_metadata": sha256(directory / "metadata.json"),
               "thresholds": dict(sorted((thresholds or {}).items())), "only_flagged": bool(only_flagged),
               "encoding": source.encoding, "delimiter": d, "header": header}
    pipeline = _Pipeline(model, thresholds, jobs)
    if jobs == 1:
        from .model import load_model

        load_model(model)  # fail (e.g. a broken artifact) before creating any file

    job = dict(source=source, spec=spec, pipeline=pipeline, options=options, only_flagged=only_flagged, sort=sort,
               chunk_size=chunk_size, quiet=quiet)
    if output == "-":
        if not sort:
            return _write(part=None, target=None, state_path=None, resume=False, **job)
        with tempfile.TemporaryDirectory(prefix="misinfo-") as tmpdir:  # sorting reads the rows back
            return _write(part=Path(tmpdir) / "scored.part", target=None, state_path=None, resume=False, **job)

    target = _output_target(output)
    part = _part_path(target)
    # A checkpoint is kept only where a run can be resumed: from an input file.
    state_path = part.with_name(part.name + ".json") if source.path is not None else None
    hidden = {str(path) for path in (part, _lock_path(target), _sorting_path(target), state_path,
                                     state_path and _json_tmp_path(state_path)) if path is not None}
    try:
        with _OutputLock(target, output):
            result = _write(part=part, target=target, state_path=state_path, resume=resume, **job)
    except OSError as exc:
        # The user named OUTPUT, not its hidden companions; a write error (disk full, ulimit -f)
        # names no file at all.
        if exc.errno is None or (exc.filename is not None and str(exc.filename) not in hidden):
            raise
        raise type(exc)(exc.errno, exc.strerror, str(output)) from exc
    return BatchResult(rows=result.rows, failed=result.failed, written=result.written, output=str(Path(output)))


def _write(*, source, spec, pipeline, options, part, target, state_path, resume, only_flagged, sort, chunk_size,
           quiet) -> BatchResult:
    """Score into ``part`` (None: straight to stdout), then sort it or rename it over ``target``
    (None: stdout); checkpoint to ``state_path`` after every chunk when it is given."""
    to_stdout = target is None
    fmt = {"delimiter": source.delimiter, "quotechar": '"', "doublequote": True, "lineterminator": "\r\n"}
    state = {"format": _PROGRESS_FORMAT, "input": source.fingerprint() if source.path else None,
             "options": options, "rows": 0, "written": 0, "failed": 0, "bytes": 0, "complete": False}
    if resume and state_path is not None and state_path.exists() and part.exists():
        saved = json.loads(state_path.read_text(encoding="utf-8"))
        if saved.get("format") != _PROGRESS_FORMAT or saved.get("input") != state["input"] \
                or saved.get("options") != options:
            how = "made from another input or with other options"
            if saved.get("format") == _PROGRESS_FORMAT and saved.get("input") == state["input"] and \
                    saved["options"].get("model_metadata") != options["model_metadata"]:
                how = f"scored by another model ({options['model']!r} has changed since)"
            raise ValueError(f"the partial output {str(part)!r} was {how}; run without resume to start over")
        state = saved

    try:
        if part is None:
            out = _stdout_text()
            out_bytes = out.buffer
        else:
            if state["rows"] or state["bytes"]:
                out_bytes = open(part, "r+b")
                out_bytes.truncate(state["bytes"])
                out_bytes.seek(state["bytes"])
            else:
                out_bytes = open(part, "wb")
            out = io.TextIOWrapper(out_bytes, encoding="utf-8", newline="")
        try:
            writer = csv.writer(out, **fmt)
            if state["bytes"] == 0:
                if source.bom and not (to_stdout and sort):  # the sorted copy gets it
                    out.write("\ufeff")
                writer.writerow(source.header + list(OUTPUT_COLUMNS))
                out.flush()
                state["bytes"] = out_bytes.tell() if part is not None else 0
            if not state["complete"]:
                _main_pass(source, spec, pipeline, writer, out, out_bytes, state, state_path,
                           only_flagged, chunk_size, quiet)
                state["complete"] = True
                if state_path is not None:
                    _write_json(state_path, state)
            out.flush()
            if part is not None:
                os.fsync(out_bytes.fileno())
        finally:
            if part is None:
                _release_stdout(out)
            else:
                out.close()

        if sort:
            if to_stdout:
                stdout = _stdout_text()
                try:
                    _sort_file(part, stdout, fmt, spec.ncols, source.bom, part.parent)
                finally:
                    _release_stdout(stdout)
            else:
                # A fixed name, safe under the output's lock; created as open() creates the
                # unsorted output, with the umask's permissions.
                sorted_tmp = _sorting_path(target)
                try:
                    with open(sorted_tmp, "w", encoding="utf-8", newline="") as f:
                        _sort_file(part, f, fmt, spec.ncols, source.bom, target.parent)
                        f.flush()
                        os.fsync(f.fileno())
                    _replace(sorted_tmp, target)
                except BaseException:
                    sorted_tmp.unlink(missing_ok=True)
                    raise
                part.unlink()
        elif target is not None:
            _replace(part, target)
        if state_path is not None:
            state_path.unlink(missing_ok=True)
    except BaseException:
        if target is not None and (state_path is None or state["rows"] == 0):
            # Nothing that a resume could use: leave no trace.
            part.unlink(missing_ok=True)
            if state_path is not None:
                state_path.unlink(missing_ok=True)
        raise
    return BatchResult(rows=state["rows"], failed=state["failed"], written=state["written"],
                       output="-" if to_stdout else str(target))


# -- the output file ----------------------------------------------------------------------------
def _output_target(output) -> Path:
    """The file a run replaces: a symlink's target (the link stays a link), never a special file."""
    target = Path(os.path.realpath(output))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(mode):
        kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
                "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise ValueError(f"the output {str(output)!r} is {kind}: the output is written to a temporary file and "
                         "renamed over it when complete, which only a regular file allows; to write to a device or "
                         "a pipe, write to stdout ('-'; -o - on the command line) and redirect it")
    return target


def _part_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.part")


def _lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def _sorting_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.sorting")


def _json_tmp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


class _OutputLock:
    """Hold ``.OUTPUT.lock`` next to the output for a run, so that a second run writing the same
    output is refused instead of interleaving its rows with the first's in the same ``.part``.

    An ``flock``: the system releases it when the process ends, however it ends, so a killed run
    never blocks its ``resume``.  The file is removed when the run ends.  Without ``fcntl`` (not
    Linux or macOS) or on a file system without locks (some network mounts), runs are not guarded.
    """

    def __init__(self, target: Path, output):
        self.path, self.output, self.fd = _lock_path(target), output, None

    def __enter__(self) -> "_OutputLock":
        if fcntl is None:  # pragma: no cover - Windows
            return self
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise ValueError(f"another misinfo run is writing {str(self.output)!r} (it holds "
                                 f"{self.path.name}); let it finish or stop it, or write to another output") from None
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                    self.path.unlink(missing_ok=True)
                    return self
                raise
            # A run that just finished may have removed the file we opened: then lock the new one.
            try:
                if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                    self.fd = fd
                    return self
            except FileNotFoundError:
                pass
            os.close(fd)

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # while still held, so no other run holds a removed file
            os.close(self.fd)
            self.fd = None


def resumable(input, output) -> bool:
    """Whether ``score_csv(input, output, resume=True)`` would continue an interrupted run instead of
    starting over: the input and output are files and a checkpoint of the output exists.

    Examples
    --------
    >>> resumable("-", "scored.csv")
    False
    """
    if input == "-" or output == "-":
        return False
    try:
        part = _part_path(_output_target(output))
    except (OSError, ValueError, TypeError):
        return False
    return part.exists() and part.with_name(part.name + ".json").exists()


def _main_pass(source, spec, pipeline, writer, out, out_bytes, state, state_path, only_flagged, chunk_size,
               quiet):
    skip = state["rows"]
    records = source.checked_records()
    for _ in range(skip):  # rows done before the interruption
        if next(records, None) is None:
            raise ValueError(f"the input has fewer rows than the partial output ({skip}); run without resume")
    # A row's place is the line its record ends on; a record merged by an unclosed quote gives its first line.
    rows = (_prepare(fields, spec, f"line {first}" if problem else f"line {last}", problem)
            for first, last, fields, problem in records)
    progress = _Progress(quiet, skip, source.size)
    scored = pipeline.run(_chunks(rows, chunk_size))
    try:
        for chunk, results in scored:
            with _stops_wait_for_whole_rows():
                for row, result in zip(chunk, results):
                    failed = isinstance(result, str)
                    state["failed"] += failed
                    if only_flagged and not failed and not result.flagged:
                        continue
                    writer.writerow(row.fields + _score_columns(result, row.notes))
                    state["written"] += 1
                state["rows"] += len(chunk)
                out.flush()
            if state_path is not None:
                state["bytes"] = out_bytes.tell()
                _write_json(state_path, state)
            progress.update(len(chunk), state["rows"], source.chain.consumed)
    finally:
        scored.close()  # on an error or an interrupt here, stop the workers now, not when collected
        progress.close()


@contextlib.contextmanager
def _stops_wait_for_whole_rows():
    """Within the block (one chunk's rows written and flushed), Ctrl-C and SIGTERM wait for its end,
    then act as they would have.  An exception raised by a signal in the middle of a write can lose
    what the text layer had handed on (it forgets bytes once it passes them to the buffer), leaving a
    row cut in two; a file output is truncated to its last whole chunk on resume, but a reader of
    stdout has no such repair.  A second signal during the wait acts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watched = [s for s in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(s) not in (signal.SIG_IGN, None)]
    previous = {s: signal.getsignal(s) for s in watched}
    pending: list[int] = []

    def restore():
        while previous:
            signal.signal(*previous.popitem())

    def wait(signum, frame):
        if pending:  # asked twice: stop now
            pending.clear()
            restore()
            signal.raise_signal(signum)
        else:
            pending.append(signum)

    for s in watched:
        signal.signal(s, wait)
    try:
        yield
    finally:
        restore()
        if pending:
            signal.raise_signal(pending[0])


def _sort_file(part: Path, out, fmt: dict, ncols: int, bom: bool, workdir: Path) -> None:
    """Write ``part``'s rows to ``out`` sorted by :func:`_sort_key`, in bounded memory."""
    with open(part, encoding="utf-8-sig", newline="") as f, \
            tempfile.TemporaryDirectory(prefix=".misinfo-sort-", dir=workdir) as runs_dir:
        reader = csv.reader(f, delimiter=fmt["delimiter"], quotechar='"', doublequote=True, strict=False)
        header = next(reader)
        runs: list[Path] = []
        buffer: list = []
        size = 0

        def spill():
            buffer.sort(key=lambda entry: entry[:2])
            path = Path(runs_dir) / f"run{len(runs)}.csv"
            with open(path, "w", encoding="utf-8", newline="") as run:
                run_writer = csv.writer(run, **fmt)
                for key, seq, row in buffer:
                    run_writer.writerow([repr(key), seq, *row])
            runs.append(path)
            buffer.clear()

        for seq, row in enumerate(reader):
            buffer.append((_sort_key(row, ncols), seq, row))
            size += sum(map(len, row))
            if len(buffer) >= SORT_RUN_ROWS or size >= SORT_RUN_CHARS:
                spill()
                size = 0
        if bom:
            out.write("\ufeff")
        writer = csv.writer(out, **fmt)
        writer.writerow(header)
        if not runs:
            buffer.sort(key=lambda entry: entry[:2])
            writer.writerows(row for _, _, row in buffer)
            return
        if buffer:
            spill()
        files = [open(path, encoding="utf-8", newline="") for path in runs]
        try:
            streams = [((float(r[0]), int(r[1]), r[2:]) for r in csv.reader(fh, delimiter=fmt["delimiter"], strict=False))
                       for fh in files]
            writer.writerows(row for _, _, row in heapq.merge(*streams, key=lambda entry: entry[:2]))
        finally:
            for fh in files:
                fh.close()


def score_frame(df, column: str, *, title_column: str | None = None, likes_column: str | None = None,
                comments_column: str | None = None, shares_column: str | None = None,
                time_column: str | None = None, model=None, jobs: int | None = None,
                thresholds: Mapping | None = None, only_flagged: bool = False, sort: bool = False,
                chunk_size: int = CHUNK_SIZE):
    """Score a pandas DataFrame: a copy with :data:`OUTPUT_COLUMNS` added (needs ``pandas``).

    ``column`` holds the text; the other options are those of :func:`score_csv`.  Missing text
    (None/NaN) is empty text; a cell that is not a string gets an ``error``.  ``misinformation``
    and ``sensational`` are floats (NaN when unscored), ``flagged`` is a nullable boolean.

    Examples
    --------
    >>> import pandas as pd
    >>> scored = score_frame(pd.DataFrame({"text": ["SỐC!!! Sự thật gây choáng", "Họp báo"]}), "text", jobs=1)
    >>> list(scored.columns)
    ['text', 'misinformation', 'sensational', 'flagged', 'reasons', 'model_version', 'error']
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("score_frame needs pandas: pip install 'misinfo[pandas]'") from exc
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    jobs, thresholds = check_options(jobs, chunk_size, thresholds, model)
    if column is None:
        raise TypeError("column must name the frame's text column, got None")
    names = {"column": column, "title_column": title_column, "likes_column": likes_column,
             "comments_column": comments_column, "shares_column": shares_column, "time_column": time_column}
    for option, name in names.items():
        column_index(df.columns, name, option)
    taken = [name for name in OUTPUT_COLUMNS if name in df.columns]
    if taken:  # the copy would replace them, and their values would be lost
        raise ValueError(f"the frame already has columns named as the scores are ({taken!r}; scored before?): "
                         "rename or drop them first")

    def cells(name):
        return df[name].tolist() if name is not None else [None] * len(df)

    texts, titles = cells(column), cells(title_column)
    metas = list(zip(cells(likes_column), cells(comments_column), cells(shares_column), cells(time_column)))

    from .model import item_name  # an error names the row as score_many names an item

    labels = df.index.tolist()

    def rows():
        for i, (text, title) in enumerate(zip(texts, titles)):
            text, title = _frame_text(text), (None if title is None else _frame_text(title))
            if not isinstance(text, str):
                yield _Row(i, f"{item_name(i, labels, 'row')}: text must be a str, got {_short_repr(text)}")
            elif not (title is None or isinstance(title, str)):
                yield _Row(i, f"{item_name(i, labels, 'row')}: title must be a str, got {_short_repr(title)}")
            else:
                row = _item_row(i, text, title, [None if unknown(c) else c for c in metas[i]])
                yield row

    columns = {name: [] for name in OUTPUT_COLUMNS}
    for chunk, results in _Pipeline(model, thresholds, jobs).run(_chunks(rows(), chunk_size)):
        for row, result in zip(chunk, results):
            for name, value in zip(OUTPUT_COLUMNS, _score_values(result, row.notes)):
                columns[name].append(value)
    out = df.copy()
    for name in OUTPUT_COLUMNS:
        out[name] = pd.Series(columns[name], index=df.index,
                              dtype={"flagged": "boolean", "misinformation": "float64",
                                     "sensational": "float64"}.get(name, object))
    if only_flagged:
        out = out[out["flagged"].fillna(True).astype(bool)]
    if sort:
        key = -out[["misinformation", "sensational"]].max(axis=1).fillna(-math.inf)
        out = out.iloc[key.argsort(kind="stable")]
    return out


def _frame_text(value):
    return "" if unknown(value) else value


def _short_repr(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
