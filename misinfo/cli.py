"""The ``misinfo`` command: one click group; each command parses, calls one function, sets the exit code.

Data goes to stdout or a file; progress and errors go to stderr.
"""
from __future__ import annotations

import codecs
import contextlib
import functools
import json
import math
import os
import re
import signal
import sys
import threading

import click

from . import __version__

__all__ = ["main", "cli"]


def _usage_check(check):
    """A click callback that runs ``check(value)`` on a given value: what it refuses is a usage
    error (exit status 2, with the option named), as a bad option is, not a failed run (1)."""
    def callback(ctx, param, value):
        if value is not None:
            try:
                check(value)
            except (ValueError, TypeError, OSError) as exc:
                raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc
        return value
    return callback


def _known_model(value) -> None:
    from .artifacts import model_dir

    model_dir(value)


def _text_encoding(value) -> None:
    from .csvio import check_encoding

    check_encoding(value)


def _one_delimiter(value) -> None:
    from .csvio import check_delimiter

    check_delimiter(value)


def _csv_format_options(command):
    """``--encoding`` and ``--delimiter``, for every command that reads a CSV."""
    command = click.option("--delimiter", default=None, callback=_usage_check(_one_delimiter),
                           help="Field delimiter (default: detected among , ; tab |); '\\t' for tab.")(command)
    return click.option("--encoding", default=None, callback=_usage_check(_text_encoding),
                        help="Encoding of an input without a BOM, e.g. cp1258 (default: UTF-8); a BOM (UTF-8, "
                             "UTF-16, UTF-32) always decides.")(command)


def _finite(value: float) -> None:
    if math.isnan(value):
        raise ValueError("a threshold must be a number between 0 and 1, not nan")


def _model_option(f):
    return click.option("--model", "model", default=None, metavar="fast|accurate|DIR",
                        callback=_usage_check(_known_model),
                        help="Model tier or a directory of trained artifacts (default: fast).")(f)


def _threshold_options(f):
    """--threshold-misinformation, --threshold-sensational and --threshold-sensational-opening,
    passed to the command as one ``thresholds`` dict (None when none is given)."""
    @functools.wraps(f)
    def command(*args, threshold_misinformation, threshold_sensational, threshold_sensational_opening, **kwargs):
        given = {"misinformation": threshold_misinformation, "sensational": threshold_sensational,
                 "sensational_opening": threshold_sensational_opening}
        return f(*args, thresholds={k: v for k, v in given.items() if v is not None} or None, **kwargs)

    for name, help_text in (
            ("sensational-opening", "Flag when the sensational score of a post's opening line (a text without "
                                    "a title) reaches this (default: the model's, or --threshold-sensational "
                                    "if that is higher)."),
            ("sensational", "Flag when the sensational score of a title or one-line text reaches this "
                            "(default: the model's)."),
            ("misinformation", "Flag when the misinformation score reaches this (default: the model's).")):
        command = click.option(f"--threshold-{name}", type=click.FloatRange(0, 1), default=None,
                               callback=_usage_check(_finite), help=help_text)(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="misinfo")
def cli():
    """Triage scores for Vietnamese text: likely misinformation and sensational style.

    A score is a reason to look, never a verdict.
    """


@cli.command("text")
@click.argument("texts", nargs=-1)
@_model_option
@_threshold_options
@click.option("--encoding", default="utf-8", show_default=True, callback=_usage_check(_text_encoding),
              help="Encoding of stdin, e.g. cp1258.")
def text_cmd(texts, model, thresholds, encoding):
    """Score TEXTS (or, without them or with '-', each line of stdin as it arrives) and print one
    JSON object per text.  A text that begins with '-' goes after '--'."""
    loaded = load(model)
    if texts and texts != ("-",):
        for result in loaded.score_many(list(texts), thresholds=thresholds):
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    for line in _stdin_lines(encoding):  # scored as it comes: a pipe's reader sees each answer
        click.echo(json.dumps(loaded.score(line, thresholds=thresholds).to_dict(), ensure_ascii=False))
        sys.stdout.flush()


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _stdin_lines(encoding: str):
    """The lines of stdin (any of \\n, \\r\\n, \\r ends one), decoded as they arrive and given out
    without their line ends.  A line that does not decode stops the reading with its number, after
    every line before it was given out (a text layer over stdin refused a whole block of lines for
    one bad line, and named the block's first)."""
    from .csvio import ESCAPE, UNDECODED

    decoder = codecs.getincrementaldecoder(encoding)(ESCAPE)  # bad bytes kept as marks, found per line
    read = getattr(sys.stdin.buffer, "read1", sys.stdin.buffer.read)  # what has arrived, not a full block
    number, pending = 0, ""
    while True:
        raw = read(64 * 1024)
        text = pending + decoder.decode(raw, final=not raw)
        held = "\r" if raw and text.endswith("\r") else ""  # a "\r" may be the first half of "\r\n"
        *complete, pending = _NEWLINE.split(text[:len(text) - len(held)])
        if not raw and pending:
            complete.append(pending)
        for line in complete:
            number += 1
            bad = UNDECODED.search(line)
            if bad:
                raise click.ClickException(f"line {number} of stdin is not {encoding} text (bytes that do not "
                                           f"decode at character {bad.start()} of the line); give its encoding "
                                           "with --encoding, e.g. cp1258")
            yield line
        if not raw:
            return
        pending += held


def load(model):
    """Load a model for a command; a bad name, a tampered file or a missing extra is a clean error."""
    from .artifacts import ArtifactError
    from .model import load_model

    try:
        return load_model(model)
    except (FileNotFoundError, ArtifactError, ImportError) as exc:
        raise click.ClickException(str(exc)) from exc



@cli.command("info")
@_model_option
def info_cmd(model):
    """Load the model, verify its files (sha256) and print versions, thresholds and metrics."""
    from .artifacts import library_versions

    loaded = load(model)  # fails on a sha256 or version mismatch
    meta = loaded.metadata
    test = meta.get("test_metrics", {})
    report = {
        "model_version": loaded.version,
        "sha256_verified": sorted(meta.get("files", {})),
        "thresholds": dict(loaded.thresholds),
        "trained_with": meta.get("library_versions"),
        "installed": library_versions(),
        "test_metrics": {k: _headline_metrics(d) for k, d in test.items()},
    }
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))


def _headline_metrics(value):
    """What `misinfo info` shows of a test-metrics entry: a head's ROC-AUC, macro-F1 and ECE; a
    check's shares flagged (short messages, news articles by topic), rounded; a number as it is."""
    if isinstance(value, float):
        return round(value, 4)
    if not isinstance(value, dict):
        return value
    if "roc_auc" in value:
        return {m: round(v, 4) for m, v in value.items() if m in ("roc_auc", "macro_f1", "ece")}
    return {m: _headline_metrics(v) for m, v in value.items()}


def _fail(exc: BaseException) -> click.ClickException:
    return click.ClickException(str(exc) if not isinstance(exc, OSError) or not exc.filename
                                else f"{exc.strerror}: {exc.filename}")


_ONE_FILE = click.Path(dir_okay=False, allow_dash=True)


@cli.command("score")
@click.argument("input_path", metavar="INPUT", type=click.Path(allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(allow_dash=True),
              help="Output CSV ('-' for stdout); written to a hidden temporary file next to it and renamed over "
                   "it when complete, so an existing file (even INPUT itself) is replaced whole or not at all; a "
                   "symlink is written through; a device or FIFO is refused (use -o - and redirect). "
                   "With --scheduler: the output directory.")
@click.option("--text-column", required=True, help="Column with the post or article text.")
@click.option("--title-column", default=None, help="Column with the headline, if any.")
@click.option("--likes-column", default=None)
@click.option("--comments-column", default=None)
@click.option("--shares-column", default=None)
@click.option("--time-column", default=None,
              help="Publication time: Unix seconds or ISO 8601; used with at least one count column.")
@click.option("--jobs", type=click.IntRange(1), default=None, help="Worker processes (default: all cores).")
@_csv_format_options
@_threshold_options
@click.option("--only-flagged", is_flag=True, help="Write only flagged rows (and rows that failed).")
@click.option("--sort", is_flag=True, help="Highest max(misinformation, sensational) first.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its last completed chunk.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--chunk-size", type=click.IntRange(1), default=None, help="Rows per chunk and per resume checkpoint.")
@click.option("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
              help="Score on Dask: INPUT is a glob ('exports/*.csv', .parquet too), -o a directory that gets one "
                   "part per input file and _SUCCESS when all are complete (needs misinfo[dask]).")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="With --scheduler local: worker processes (default: all cores); with an address: wait for N.")
@click.option("--format", "output_format", type=click.Choice(["csv", "parquet"]), default=None,
              help="Format of the parts with --scheduler (default: csv; parquet needs pyarrow).")
@_model_option
@click.pass_context
def score_cmd(ctx, input_path, output, text_column, title_column, likes_column, comments_column, shares_column,
              time_column, jobs, encoding, delimiter, thresholds,
              only_flagged, sort, resume, quiet, chunk_size, scheduler, workers, output_format, model):
    """Score every row of the CSV file INPUT ('-' for stdin) and write it with the scores appended.

    \b
    Exit status:
      0    every row was scored
      3    some rows failed (each keeps its reason in the error column)
      1    an error: a missing column or an unreadable input (no output is written),
           a worker process that died, a failed write
      2    a usage error (a bad option)
      130  interrupted (Ctrl-C); 143 stopped by SIGTERM; 141 the reader of '-o -' stopped
           reading (as `| head`), which ends the run quietly

    A stopped or failed run never leaves a half-written OUTPUT.  With a file INPUT and OUTPUT, the
    rows scored so far are kept and the message says when --resume continues.  A second run writing
    the same OUTPUT at the same time is refused.
    """
    from .batch import CHUNK_SIZE, resumable, score_csv

    if scheduler is not None:
        _score_on_dask(ctx, input_path, output, scheduler=scheduler, workers=workers, jobs=jobs, resume=resume,
                       quiet=quiet, output_format=output_format or "csv", text_column=text_column,
                       title_column=title_column, likes_column=likes_column, comments_column=comments_column,
                       shares_column=shares_column, time_column=time_column, model=model, encoding=encoding,
                       delimiter=delimiter, only_flagged=only_flagged, sort=sort, chunk_size=chunk_size or CHUNK_SIZE,
                       thresholds=thresholds)
        return
    for option, value in (("--workers", workers), ("--format", output_format)):
        if value is not None:
            raise click.UsageError(f"{option} needs --scheduler")
    for param in ctx.command.params:  # one file in, one file out, as before --scheduler existed
        if param.name in ("input_path", "output"):
            _ONE_FILE.convert(input_path if param.name == "input_path" else output, param, ctx)

    def resume_hint() -> str:  # asked after a failure: is there a checkpoint to continue from?
        return "; run again with --resume to continue" if resumable(input_path, output) else ""

    _run_scoring(ctx, lambda: score_csv(
        input_path, output, text_column=text_column, title_column=title_column,
        likes_column=likes_column, comments_column=comments_column, shares_column=shares_column,
        time_column=time_column, model=model, jobs=jobs, encoding=encoding, delimiter=delimiter,
        thresholds=thresholds, only_flagged=only_flagged,
        sort=sort, resume=resume, quiet=quiet, chunk_size=chunk_size or CHUNK_SIZE), resume_hint)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: a run stops as on Ctrl-C (workers ended, checkpoint kept)."""


@contextlib.contextmanager
def _signals_stop_the_run():
    """Within the block, Ctrl-C and SIGTERM (kill, systemd, a batch scheduler) stop the run the same
    way: the workers are ended and the checkpoint kept (SIGTERM used to kill this process outright
    and orphan its workers).  After one of them both stay ignored, as the process is on its way
    out: a second Ctrl-C used to break the cleanup (workers left behind) or the exit (status -2)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    # A signal ignored from the start stays ignored: a job a shell script starts in the background
    # (`misinfo score ... &`) begins with SIGINT ignored, and a Ctrl-C meant for the script is not for it.
    watched = [signum for signum in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(signum) != signal.SIG_IGN]
    stopped = []

    def stop(signum, frame):
        stopped.append(signum)
        for other in watched:
            signal.signal(other, signal.SIG_IGN)
        raise _Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    previous = {signum: signal.signal(signum, stop) for signum in watched}
    try:
        yield
    finally:
        if not stopped:
            for signum, handler in previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _exit_stopped(ctx, exc: KeyboardInterrupt, hint: str) -> None:
    """Say that a run was stopped (``hint``: what was kept) and exit 130 (Ctrl-C) or 143 (SIGTERM)."""
    click.echo(f"{'terminated' if isinstance(exc, _Terminated) else 'interrupted'}{hint}", err=True)
    ctx.exit(143 if isinstance(exc, _Terminated) else 130)


def _run_scoring(ctx, call, hint) -> None:
    """Run a scoring call and set the exit status: 0 all rows scored, 3 some rows failed (their
    reason is in the error column), 130 interrupted, 143 terminated (SIGTERM), 1 for an error
    such as a missing column or a worker process that died.  ``hint()`` is added to the message
    of a stop that left something to continue from (an interrupt, a dead worker, a write error)."""
    from .artifacts import ArtifactError
    from .batch import WorkerDied

    try:
        with _signals_stop_the_run():
            result = call()
    except KeyboardInterrupt as exc:
        _exit_stopped(ctx, exc, hint())
    except BrokenPipeError:
        # `misinfo score ... -o - | head`: the reader has what it wanted.  Point stdout at devnull so
        # that the interpreter's last flush does not fail too, and exit as a shell reports SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        ctx.exit(141)
    except (WorkerDied, OSError) as exc:
        raise click.ClickException(f"{_fail(exc).message}{hint()}") from exc
    except (ValueError, TypeError, ArtifactError, ImportError) as exc:
        raise _fail(exc) from exc
    if result.failed:
        click.echo(f"{result.failed} rows failed (see the error column)", err=True)
        ctx.exit(3)


def _score_on_dask(ctx, input_path, output, *, scheduler, workers, jobs, resume, quiet, **options):
    """`misinfo score --scheduler`: misinfo.dask.score_files, same exit status as one machine."""
    for name, value in (("--jobs", jobs), ("--resume", resume)):
        if value:
            raise click.UsageError(f"{name} does not apply with --scheduler (use --workers; a failed run is "
                                   "started again in an empty directory)")
    if "-" in (input_path, output):
        raise click.UsageError("--scheduler reads files and writes a directory, not stdin/stdout")
    def call():
        from .dask import score_files

        return score_files(input_path, output, scheduler=scheduler, workers=workers,
                           log=None if quiet else (lambda message: click.echo(message, err=True)), **options)

    _run_scoring(ctx, call, lambda: " (no _SUCCESS was written)")


@cli.command("report")
@click.argument("scored", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--by", default=None, help="Column naming the source (site, page, account).")
@click.option("--period", type=click.Choice(["day", "week", "month"]), default=None)
@click.option("--time-column", default=None, help="Publication time column (Unix seconds or ISO 8601).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Also draw the share flagged to this image file (needs matplotlib).")
@_csv_format_options
def report_cmd(scored, by, period, time_column, plot_path, encoding, delimiter):
    """Rows, share flagged and mean scores of a scored CSV, per source (--by) and/or --period."""
    from .report import format_table, plot, summarise

    if period and not time_column:
        raise click.UsageError("--period needs --time-column")
    try:
        summaries = summarise(scored, by=by, period=period, time_column=time_column, encoding=encoding,
                              delimiter=delimiter)
        click.echo(format_table(summaries, by=by))
        if plot_path:
            plot(summaries, plot_path)
    except (ValueError, TypeError, OSError, ImportError) as exc:
        raise _fail(exc) from exc


def main(argv=None):
    """Entry point of the ``misinfo`` console script."""
    from .text import segmenter_only

    segmenter_only()  # this process is ours: load underthesea's segmenter, not all its pipelines
    cli.main(args=argv, prog_name="misinfo")


# -- training and evaluation ------------------------------------------------------------------
def _metadata_columns(likes, comments, shares, time):
    return (likes, comments, shares, time) if any((likes, comments, shares, time)) else None


def _labelled_data_options(f):
    for option in reversed([
        click.option("--data", "data", required=True, multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Labelled CSV (read as `misinfo score` reads its input); repeat for several files."),
        click.option("--task", required=True, type=click.Choice(["misinformation", "sensational"])),
        click.option("--text-column", required=True),
        click.option("--label-column", required=True,
                     help="0/1, yes/no, the task's words (unreliable/reliable, clickbait/non-clickbait; "
                          "misinfo.train.LABELS) or, for sensational only, true/false."),
        click.option("--title-column", default=None),
        click.option("--likes-column", default=None),
        click.option("--comments-column", default=None),
        click.option("--shares-column", default=None),
        click.option("--time-column", default=None, help="Publication time: Unix seconds or ISO 8601."),
    ]):
        f = option(f)
    return _csv_format_options(f)


@cli.command("train")
@_labelled_data_options
@click.option("--split-column", default=None,
              help="train / val / dev / test per row (default: every row trains; threshold on out-of-fold scores).")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Model directory to write (replaced atomically; untouched on error).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--time-budget", type=click.FloatRange(0, min_open=True), default=None,
              help="Seconds for the hyper-parameter grid (the default C is always tried).")
@click.option("--target-precision", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Lowest threshold reaching this precision on validation data "
                   "(default: the middle of the near-best F1 / macro-F1 thresholds).")
@click.option("--feedback", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Output of `misinfo score` with a reviewer_label column: reviewed rows join the training rows.")
@click.option("--base-model", default=None, metavar="fast|accurate|DIR", callback=_usage_check(_known_model),
              help="Model whose other head is copied (default: fast).")
@click.pass_context
def train_cmd(ctx, task, data, text_column, label_column, title_column, likes_column, comments_column, shares_column,
              time_column, encoding, delimiter, split_column, out, seed, time_budget, target_precision, feedback,
              base_model):
    """Train one head on labelled CSV files and write a complete model directory to --out.

    Ctrl-C (exit 130) or SIGTERM (143) stop it with nothing written: an existing --out is untouched."""
    from .artifacts import ArtifactError
    from .train import train_model

    try:
        with _signals_stop_the_run():
            meta = train_model(
                task, list(data), text_column=text_column, label_column=label_column, split_column=split_column,
                title_column=title_column, out=out, base_model=base_model, seed=seed,
                metadata_columns=_metadata_columns(likes_column, comments_column, shares_column, time_column),
                target_precision=target_precision, feedback=feedback, time_budget=time_budget,
                encoding=encoding, delimiter=delimiter, log=lambda message: click.echo(message, err=True))
    except KeyboardInterrupt as exc:
        _exit_stopped(ctx, exc, f": nothing written, {out} as it was")
    except (ValueError, TypeError, OSError, ArtifactError, ImportError) as exc:
        raise _fail(exc) from exc
    click.echo(json.dumps({"out": out, "model_version": meta["model_version"], "thresholds": meta["thresholds"],
                           "validation_metrics": meta["validation_metrics"], "test_metrics": meta["test_metrics"]},
                          ensure_ascii=False, indent=2))


@cli.command("evaluate")
@_model_option
@_labelled_data_options
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Write report.md, metrics.json and PNG plots here.")
def evaluate_cmd(model, task, data, text_column, label_column, title_column, likes_column, comments_column,
                 shares_column, time_column, encoding, delimiter, out_dir):
    """Metrics with 95% bootstrap intervals, confusion matrix and most confident errors of one head."""
    from .artifacts import ArtifactError
    from .evaluate import evaluate_model

    try:
        result = evaluate_model(
            load(model), list(data), task=task, text_column=text_column, label_column=label_column,
            title_column=title_column,
            metadata_columns=_metadata_columns(likes_column, comments_column, shares_column, time_column),
            out_dir=out_dir, encoding=encoding, delimiter=delimiter)
    except (ValueError, TypeError, OSError, ArtifactError, ImportError) as exc:
        raise _fail(exc) from exc
    click.echo(json.dumps({k: result[k] for k in ("model_version", "task", "metrics", "confusion_matrix",
                                                  "threshold_for_these_rows")},
                          ensure_ascii=False, indent=2))
