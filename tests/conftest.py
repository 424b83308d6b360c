import csv
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


def read_csv(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def model():
    import misinfo

    return misinfo.load_model()


@pytest.fixture(scope="session")
def guard_texts():
    return [row["text"] for row in read_csv("guard_critical_news.csv")]


@pytest.fixture(scope="session")
def short_messages():
    return [row["text"] for row in read_csv("short_messages.csv")]


@pytest.fixture(scope="session")
def sample_rows():
    return read_csv("sample_posts.csv")


@pytest.fixture(scope="module")
def fast_bootstrap():
    """50 bootstrap resamples instead of 1000: the intervals stay valid, the tests stay fast."""
    import misinfo.evaluate

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(misinfo.evaluate, "BOOTSTRAP_RESAMPLES", 50)
        yield


def cp1258_bytes(text: str) -> bytes:
    """``text`` as Windows-1258 writes it: letters it has whole (ê, ơ, ư, đ) whole, tone marks as
    combining characters after them."""
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(ch.encode("cp1258") if ch == base else (base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(out)
