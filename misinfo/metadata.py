"""Engagement metadata: likes, comments, shares and publication time, the optional context of a text.

Light on purpose (no numpy, no scikit-learn): the batch parent process reads and validates
metadata cells without loading the model, which only its workers need.

- :func:`metadata_row` validates Python values (the API's ``likes=``, ``published=``...) into the
  four floats the model takes, NaN for unknown.
- :func:`parse_count`, :func:`parse_time` and :func:`parse_metadata` read CSV cells ("1,2K",
  ISO 8601 or Unix seconds) into those values; an unreadable cell is unknown, with a note.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re

__all__ = ["METADATA_COLUMNS", "metadata_row", "unknown", "parse_count", "parse_time", "parse_metadata"]

METADATA_COLUMNS = ("likes", "comments", "shares", "published")


def metadata_row(likes=None, comments=None, shares=None, published=None) -> list[float]:
    """Validated engagement metadata as floats (NaN = unknown); ``published`` in Unix seconds."""
    out = []
    for name, value in (("likes", likes), ("comments", comments), ("shares", shares)):
        out.append(_count(name, value))
    out.append(_timestamp(published))
    return out


#: pandas' missing values (``pd.NA``, ``pd.NaT``), told by type name: this module imports neither
#: pandas nor numpy.
_MISSING_TYPES = frozenset({"NAType", "NaTType"})
#: Vietnam time (UTC+7): a naive datetime is read in it, and the models see the local hour and weekday.
VIETNAM_OFFSET = 7 * 3600
VIETNAM = dt.timezone(dt.timedelta(seconds=VIETNAM_OFFSET))
#: Publication times outside [EARLIEST, LATEST) (1990-01-01 to 2100-01-01 UTC) are errors.
EARLIEST, LATEST = 631_152_000.0, 4_102_444_800.0
#: A timestamp this large is in milliseconds (1e11 seconds is the year 5138); 1,000 times larger,
#: in microseconds; 1,000,000 times, in nanoseconds (pandas' int64 datetimes).  Each step down
#: divides by 1,000 until the value is below this.
MILLISECONDS_FROM = 1e11
#: Units a number may be in: seconds, milliseconds, microseconds, nanoseconds.
_UNITS = 4


def unknown(value) -> bool:
    """None, NaN, ``pd.NA``, ``pd.NaT`` or ``numpy.datetime64("NaT")``: a value nobody knows."""
    if value is None or type(value).__name__ in _MISSING_TYPES:
        return True
    if getattr(getattr(value, "dtype", None), "kind", None) == "M":  # numpy.datetime64
        return bool(value != value)
    return isinstance(value, float) and math.isnan(value)


def _as_float(name: str, value) -> float:
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} {value!r:.40} is too large") from None


def _count(name, value) -> float:
    if unknown(value):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an int, a float or None, got {type(value).__name__}: {value!r:.40}")
    value = _as_float(name, value)
    if math.isnan(value):
        return value
    if value < 0 or math.isinf(value):
        raise ValueError(f"{name} must be a count >= 0 (or None/NaN for unknown), got {value!r}")
    return value


def _timestamp(value) -> float:
    """Unix seconds of a datetime (naive = Vietnam time), a numpy datetime64 or a number (Unix
    seconds; milliseconds from :data:`MILLISECONDS_FROM` on, as exports often carry them, then
    microseconds from 1e14 and nanoseconds from 1e17)."""
    if unknown(value):
        return math.nan
    if getattr(getattr(value, "dtype", None), "kind", None) == "M":  # numpy.datetime64, naive like a datetime
        return _plausible(_as_float("published", value.astype("datetime64[us]").astype("int64")) / 1e6 - VIETNAM_OFFSET, value)
    if isinstance(value, dt.datetime):
        aware = value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value  # naive = Vietnam time (UTC+7)
        return _plausible(aware.timestamp(), value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"published must be a datetime, Unix seconds (int/float) or None, got {type(value).__name__}: {value!r:.40}")
    given, value = value, _as_float("published", value)
    if math.isinf(value):
        raise ValueError(f"published must be finite Unix seconds, got {value!r}")
    seconds = value
    for _ in range(_UNITS - 1):
        if abs(seconds) < MILLISECONDS_FROM:
            break
        seconds /= 1000
    return _plausible(seconds, given)


def _plausible(seconds: float, given) -> float:
    """``seconds`` if it is a time news could have been published at (1990–2099), NaN if NaN.
    An export's 0, -1 or 1e20 stands for "no time" or is an error; read as a time, it gave the
    model an hour and a weekday nobody published at (-1e20 moved a score from 0.11 to 0.52)."""
    if not EARLIEST <= seconds < LATEST and not math.isnan(seconds):
        raise ValueError(f"published {given!r:.60} is not a time between 1990 and 2099 (a datetime, Unix seconds, "
                         "or Unix milli-, micro- or nanoseconds from 1e11, 1e14, 1e17 on)")
    return seconds


# -- CSV cells ---------------------------------------------------------------------------
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,\s\u00a0])\d{3})(?:\1\d{3})*")
_SUFFIXED = re.compile(r"(\d+(?:[.,]\d+)?)\s*([kKmM])")


def parse_count(cell) -> float | None:
    """Read an engagement count from a CSV cell or a frame value; None when empty.

    Accepts numbers, ``"1234"``, ``"1,234"``, ``"1.234"`` (thousands separators), ``"1.2K"``,
    ``"1,2K"`` and ``"3M"``.

    Raises
    ------
    ValueError
        If the cell is not a count.

    Examples
    --------
    >>> parse_count("1.234"), parse_count("1,2K"), parse_count(" "), parse_count(7)
    (1234.0, 1200.0, None, 7)
    """
    if cell is None or not isinstance(cell, str):
        return cell
    s = cell.strip()
    if not s:
        return None
    if _THOUSANDS.fullmatch(s):
        return float(re.sub(r"\D", "", s))
    match = _SUFFIXED.fullmatch(s)
    if match:
        return float(match.group(1).replace(",", ".")) * (1e3 if match.group(2) in "kK" else 1e6)
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"{s!r:.40} is not a count") from None


def parse_time(cell):
    """Read a publication time: Unix seconds (milliseconds from 1e11, microseconds from 1e14,
    nanoseconds from 1e17) or ISO 8601 text.

    Returns None for an empty cell, a float (Unix seconds) or a ``datetime`` (naive = Vietnam
    time, as in :func:`misinfo.score`).

    Examples
    --------
    >>> parse_time("1584000000"), parse_time("1584000000000")
    (1584000000.0, 1584000000.0)
    >>> parse_time("2020-03-12T15:00:00+07:00").isoformat()
    '2020-03-12T15:00:00+07:00'
    """
    if cell is None or not isinstance(cell, str):  # numbers, datetimes: metadata_row reads them
        return cell
    s = cell.strip()
    if not s:
        return None
    try:
        value = float(s)
    except ValueError:
        pass
    else:
        return _timestamp(value)
    try:
        return dt.datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{s!r:.40} is neither Unix seconds nor an ISO 8601 time") from None


_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


def _date_only(text: str) -> bool:
    """True for a calendar date without a time of day ("2020-03-12", "20200312"; not "2020-13-45")."""
    if not _DATE_ONLY.fullmatch(text):
        return False
    try:
        dt.datetime.strptime(text.replace("-", ""), "%Y%m%d")
    except ValueError:
        return False
    return True


def parse_metadata(cells) -> tuple[list[float], tuple[str, ...]]:
    """Parse [likes, comments, shares, published] cells (None = no such column) into the 4 floats
    the model takes (NaN = unknown) and notes on unreadable cells, which count as unknown.

    >>> parse_metadata(["1.2K", None, "abc", "1584000000"])[0]
    [1200.0, nan, nan, 1584000000.0]
    """
    if all(cell is None for cell in cells):
        return [math.nan] * 4, ()
    values, notes = [], []
    for k, (name, cell) in enumerate(zip(METADATA_COLUMNS, cells)):
        missing = unknown(cell)
        try:
            if name == "published" and isinstance(cell, str) and _date_only(cell.strip()):
                raise ValueError("a date without a time of day, and the model reads the hour")
            value = None if missing else (parse_time(cell) if name == "published" else parse_count(cell))
            values.append(metadata_row(**{name: value})[k])
        except (TypeError, ValueError, OverflowError) as exc:
            values.append(math.nan)
            notes.append(f"{name} {cell!r:.40} unreadable ({exc}): treated as unknown")
    return values, tuple(notes)
