"""misinfo: triage scores for Vietnamese text, likely misinformation and sensational (clickbait)
style, with the reasons behind them.  A score is a reason to look, never a verdict.

>>> import misinfo
>>> result = misinfo.score("Chia sẻ ngay: uống nước chanh nóng diệt virus!!!")
>>> sorted(result.to_dict())
['flagged', 'misinformation', 'model_version', 'reasons', 'sensational']
"""
import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["score", "score_many", "score_csv", "score_frame", "load_model", "Model", "Score", "BatchResult",
           "ArtifactError", "__version__"]

# The public names load on first use (PEP 562), so ``import misinfo`` and the ``misinfo`` command
# do not import numpy or underthesea until a model is needed: a batch job's parent process, which
# only reads and writes CSV while its workers score, stays small.  (Scoring never imports
# scikit-learn: the shipped heads are compiled to arrays, misinfo.compiled.)
_HOME = {"score": "model", "score_many": "model", "load_model": "model", "Model": "model",
         "Score": "result", "score_csv": "batch", "score_frame": "batch", "BatchResult": "batch",
         "ArtifactError": "artifacts"}

if TYPE_CHECKING:
    from .artifacts import ArtifactError
    from .batch import BatchResult, score_csv, score_frame
    from .model import Model, load_model, score, score_many
    from .result import Score


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'misinfo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
