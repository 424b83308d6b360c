"""The plain result of scoring one text."""
from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Score"]


@dataclass(frozen=True)
class Score:
    """Scores of one text: a reason to look, never a verdict.

    Attributes
    ----------
    misinformation : float
        Calibrated probability that the text is false or unreliable information.
    sensational : float
        Calibrated probability that the headline is clickbait / "báo hóa" style.
    flagged : bool
        True when either probability reaches its threshold: put it in front of a reviewer.
    reasons : tuple of str
        What drove each flag (words, style signals, metadata), and notes such as "empty text".
    model_version : str
        The model that produced the scores.
    """

    misinformation: float
    sensational: float
    flagged: bool
    reasons: tuple[str, ...]
    model_version: str

    def to_dict(self) -> dict:
        """The fields as a JSON-ready dict (``reasons`` as a list)."""
        out = asdict(self)
        out["reasons"] = list(self.reasons)
        return out
