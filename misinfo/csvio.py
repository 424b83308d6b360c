"""Reading CSV exports as they come: the encoding (a BOM, or the one given; undecodable bytes kept
as lone surrogates so that only their row fails), the delimiter (chosen by parsing the first
:data:`SNIFF_BYTES`), quoted fields and their quote problems, one record at a time, and the
columns an option names.  What :mod:`misinfo.batch` scores, and what ``misinfo train``,
``evaluate`` and ``report`` read, comes through :class:`CsvInput`."""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["CsvInput", "column_index", "check_encoding", "check_delimiter", "UnreadableRecord", "UNDECODED", "ESCAPE",
           "FIELD_SIZE_LIMIT", "SNIFF_BYTES"]

#: Largest cell the reader accepts, in characters: a 50 MB cell fits; the core scores only its
#: first MAX_CHARS characters.
FIELD_SIZE_LIMIT = 256 * 1024 * 1024
#: Bytes read ahead to detect the encoding and the delimiter.
SNIFF_BYTES = 64 * 1024
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")

# Undecodable bytes become lone surrogates U+DC00+byte, which no successful decode produces, so
# a row can be checked for them after csv parsing and fail alone.
ESCAPE = "misinfo.escape"
UNDECODED = re.compile("[\udc00-\udcff]")


def _escape_bytes(exc: UnicodeError):
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(ESCAPE, _escape_bytes)


class _Chain(io.RawIOBase):
    """The bytes read ahead, then the rest of the stream; counts the bytes consumed."""

    def __init__(self, head: bytes, rest):
        self._head = memoryview(head)
        self._rest = rest
        self._read = getattr(rest, "read1", rest.read)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if len(self._head):
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self.consumed += n
        return n


def _read_head(raw) -> bytes:
    parts, size = [], 0
    while size < SNIFF_BYTES:
        data = raw.read(SNIFF_BYTES - size)
        if not data:
            break
        parts.append(data)
        size += len(data)
    return b"".join(parts)


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


# Files that are not text at all, by their first bytes: named in the error instead of reading
# their bytes as column names.
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
          (b"PK\x03\x04", "zip, or an Excel .xlsx workbook"), (b"7z\xbc\xaf\x27\x1c", "7z"),
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel .xls workbook"), (b"PAR1", "Parquet"), (b"%PDF-", "PDF"))


def check_encoding(encoding) -> str:
    """The codec name of ``encoding``, a text encoding, or a clear error."""
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str such as 'utf-8' or 'cp1258', got {type(encoding).__name__}")
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}; examples: 'utf-8', 'utf-16', 'cp1258'") from None
    try:  # rot13, base64, zlib... are codecs, but not between bytes and text
        io.TextIOWrapper(io.BytesIO(), encoding=name)
    except LookupError:
        raise ValueError(f"{encoding!r} is not a text encoding; examples: 'utf-8', 'utf-16', 'cp1258'") from None
    return name


def _resolve_encoding(head: bytes, encoding: str | None) -> tuple[str, bool]:
    """Return (codec name, whether the input starts with a BOM); refuse what is not text.

    A BOM decides: it says what the file is, where ``encoding`` can only be a guess (an export
    tool's BOM is never wrong, a remembered option often is).  A compressed or binary file is
    refused here, before its bytes are read as column names."""
    if encoding is not None:
        name = check_encoding(encoding)
    bom = next((name for mark, name in _BOMS if head.startswith(mark)), None)
    if bom:
        return bom, True
    kind = next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)
    if kind is None and encoding is None and len(head) >= 16 and head.count(0) > len(head) // 8:
        raise ValueError("the input looks like UTF-16 or UTF-32 without a byte-order mark; give its encoding: "
                         "--encoding utf-16-le on the command line, encoding='utf-16-le' in Python "
                         "(or utf-16-be, utf-32-le...)")
    if encoding is None:
        name = "utf-8"
    if kind is None and not name.startswith(("utf-16", "utf-32")) and 0 in head.split(b"\n", 1)[0]:
        kind = "NUL bytes in its first line"
    if kind is not None:
        raise ValueError(f"the input looks like a compressed or binary file ({kind}), not a CSV: "
                         "decompress it first (or export it as CSV)")
    return name, False


def check_delimiter(delimiter) -> str:
    if not isinstance(delimiter, str):
        raise TypeError(f"delimiter must be a one-character str, got {type(delimiter).__name__}")
    if delimiter in ("\\t", "tab", "TAB"):
        return "\t"
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"delimiter must be one character other than a quote or a newline, got {delimiter!r}; "
                         f"for a tab use '\\t'")
    return delimiter


def _choose_delimiter(sample: str, at_eof: bool, want: str) -> str:
    """Parse the sample with each candidate; prefer a header holding ``want``, consistent rows."""
    if not at_eof:  # the last record may be cut in the middle
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_score = ",", None
    for rank, delimiter in enumerate(_CANDIDATE_DELIMITERS):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not at_eof and len(rows) > 2:
            rows = rows[:-1]
        if not rows:
            continue
        header = [rows[0][0].lstrip("\ufeff"), *rows[0][1:]]
        body = rows[1:]
        consistent = sum(len(r) == len(header) for r in body) / len(body) if body else 1.0
        score = (want in header, len(header) > 1, consistent, len(header), -rank)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    if best_score is not None and best_score[3] == 1:
        # A header of one field: no delimiter is in use, and a comma in a cell must not let a
        # delimiter that splits nothing win on consistency.  One column reads (and is written) as
        # what a .csv means.
        return ","
    return best


class _Lines:
    """The text's lines for csv.reader, keeping the lines of the current record and noticing the
    end of the text.

    The csv module (lenient, as real exports need) reads a quote that is never closed as the
    start of one cell that runs to the end of the file, without a word.  Seen from here it shows:
    the record ends because the text ended (csv ends a record at the end of a line otherwise), or,
    when a later stray quote closed it, the record spans several lines and its quoting is not
    well formed (:func:`_well_quoted`: the stray quote is followed by more text, not by a
    delimiter or the end of the line).
    """

    __slots__ = ("_next", "record", "ended")

    def __init__(self, text):
        self._next = iter(text).__next__
        self.record: list[str] = []
        self.ended = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        try:
            line = self._next()
        except StopIteration:
            self.ended = True
            raise
        self.record.append(line)
        return line


def _well_quoted(raw: str, delimiter: str) -> bool:
    """True if every quoted cell of the record ``raw`` is closed and followed by a delimiter or the
    end of its line (RFC 4180; a quote inside an unquoted cell is a character of that cell).

    >>> _well_quoted('1,"two\\nlines",Tivi 55" giá rẻ\\n', ","), _well_quoted('1,"open\\n2,Tivi 55" giá\\n', ",")
    (True, False)
    """
    ends, n, i = (delimiter, "\n", "\r"), len(raw), 0
    while (j := raw.find('"', i)) >= 0:
        if j and raw[j - 1] not in ends:  # a quote inside an unquoted cell
            i = j + 1
            continue
        k = j + 1
        while (k := raw.find('"', k)) >= 0 and raw[k + 1:k + 2] == '"':  # "" inside is one quote
            k += 2
        if k < 0 or (k + 1 < n and raw[k + 1] not in ends):
            return False
        i = k + 1
    return True


class UnreadableRecord(ValueError):
    """A record the csv module cannot parse: ``line N: reason``, with both kept as attributes."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


# The csv module's cell-size limit is process-wide: raised while any CsvInput is open (inputs may be
# open in several threads at once, e.g. Dask's threaded scheduler), restored when the last closes.
_LIMIT_LOCK = threading.Lock()
_LIMIT_USERS = 0
_LIMIT_SAVED = 0


def _hold_field_limit(hold: bool) -> None:
    global _LIMIT_USERS, _LIMIT_SAVED
    with _LIMIT_LOCK:
        if hold:
            if _LIMIT_USERS == 0:
                _LIMIT_SAVED = csv.field_size_limit(FIELD_SIZE_LIMIT)
            _LIMIT_USERS += 1
        else:
            _LIMIT_USERS -= 1
            if _LIMIT_USERS == 0:
                csv.field_size_limit(_LIMIT_SAVED)


class CsvInput:
    """An open CSV input: encoding and delimiter resolved, header read.

    Use it as a context manager.  While any input is open, the csv module accepts cells of up to
    :data:`FIELD_SIZE_LIMIT` characters, so every reader of exports (scoring, reports, training,
    Parquet output) takes the same cells; the previous limit is restored when the last one closes.
    """

    def __init__(self, source, encoding: str | None, delimiter: str | None, want_column: str):
        if source == "-":
            self.path, raw, self._close = None, sys.stdin.buffer, False
        elif isinstance(source, (str, os.PathLike)):
            self.path, raw, self._close = Path(source), open(source, "rb"), True
        else:
            raise TypeError(f"input must be a path or '-' for stdin, got {type(source).__name__}")
        self._raw = raw
        self._holds_limit = True
        _hold_field_limit(True)
        try:
            self.head = _read_head(raw)
            self.encoding, self.bom = _resolve_encoding(self.head, encoding)
            self.size = self.path.stat().st_size if self.path else None
            self.chain = _Chain(self.head, raw)
            self.text = io.TextIOWrapper(io.BufferedReader(self.chain), encoding=self.encoding,
                                         errors=ESCAPE, newline="")
            if delimiter is None:
                decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
                at_eof = len(self.head) < SNIFF_BYTES
                delimiter = _choose_delimiter(decoder.decode(self.head, final=at_eof), at_eof, want_column)
            self.delimiter = check_delimiter(delimiter)
            self._lines = _Lines(self.text)
            self.reader = csv.reader(self._lines, delimiter=self.delimiter, quotechar='"', doublequote=True,
                                     strict=False)
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def _read_header(self) -> list[str]:
        where = str(self.path) if self.path else "stdin"
        for row in self.reader:
            if row:
                if self._lines.ended:
                    raise ValueError(f"the header of the input ({where}) has an unclosed quote: the whole file "
                                     f"(lines 1–{self.reader.line_num}) was read as its header; fix the quoting")
                row[0] = row[0].lstrip("\ufeff")
                return row
        raise ValueError(f"the input ({where}) is empty: a CSV with a header row is needed")

    def fingerprint(self) -> dict:
        st = self.path.stat()
        return {"path": str(self.path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                "head_sha256": hashlib.sha256(self.head).hexdigest()}

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) of every non-blank record after the header, the line a record ends
        on, for readers that refuse a malformed file (training data, a scored file): a record an
        unclosed quote merged is an :class:`UnreadableRecord` at its first line."""
        for first, last, row, problem in self.checked_records():
            if problem:
                raise UnreadableRecord(first, problem)
            yield last, row

    def checked_records(self) -> Iterator[tuple[int, int, list[str], str | None]]:
        """(first line, last line, fields, problem) of every non-blank record after the header.

        ``problem`` is None, or says that an unclosed quote merged lines into the record (see
        :class:`_Lines`): the record is kept whole, for its row to carry the problem.
        """
        reader, lines = self.reader, self._lines
        last = reader.line_num
        lines.record = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise UnreadableRecord(reader.line_num, str(exc)) from exc
            except OSError as exc:  # a read error names no file: name the input (not the output)
                if exc.filename is not None or exc.errno is None:
                    raise
                raise type(exc)(exc.errno, exc.strerror, str(self.path) if self.path else "stdin") from exc
            first, last = last + 1, reader.line_num
            raw, lines.record = lines.record, []
            if not row:
                continue
            problem = None
            if lines.ended:
                problem = ("unclosed quote: the rest of the file was read as one cell" if first == last else
                           f"unclosed quote: the rest of the file (lines {first}–{last}) was read as one cell")
            elif first < last and not _well_quoted("".join(raw), self.delimiter):
                problem = f"the record spans lines {first}–{last} (an unclosed quote?)"
            yield first, last, row, problem

    def close(self) -> None:
        if self._close:
            self._raw.close()
            self._close = False
        if self._holds_limit:
            self._holds_limit = False
            _hold_field_limit(False)

    def __enter__(self) -> "CsvInput":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def column_index(header, name, option: str, delimiter: str | None = None) -> int | None:
    """The position of the column ``name`` (None: the option is not used) in a CSV header, or with
    ``delimiter=None`` among a DataFrame's columns (whose names need not be strings); a name that
    is missing or names two columns is refused, naming the option."""
    if name is None:
        return None
    if delimiter is not None and not isinstance(name, str):
        raise TypeError(f"{option} must be a column name (str), got {type(name).__name__}")
    positions = [i for i, h in enumerate(header) if h == name]
    # a header's columns are counted from 1, as a spreadsheet shows them; a frame's as iloc counts them
    where, hint, first = (("the input", f" (read with delimiter {delimiter!r}; give the delimiter if that is wrong)", 1)
                          if delimiter is not None else ("the frame", "", 0))
    if not positions:
        raise ValueError(f"{option} {name!r} is not a column of {where}; columns found: {list(header)!r}{hint}")
    if len(positions) > 1:
        raise ValueError(f"{option} {name!r} names {len(positions)} columns of {where} (positions "
                         f"{[p + first for p in positions]}); rename one of them")
    return positions[0]
