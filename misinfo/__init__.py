"""misinfo: triage scores for Vietnamese text, likely misinformation and sensational (clickbait)
style, with the reasons behind them.  A score is a reason to look, never a verdict.

>>> import misinfo
>>> result = misinfo.score("Chia sẻ ngay: uống nước chanh nóng diệt virus!!!")
>>> sorted(result.to_dict())
['flagged', 'misinformation', 'model_version', 'reasons', 'sensational']
"""
from .artifacts import ArtifactError
from .batch import BatchResult, score_csv, score_frame
from .model import Model, load_model, score, score_many
from .result import Score

__version__ = "0.1.0"
__all__ = ["score", "score_many", "score_csv", "score_frame", "load_model", "Model", "Score", "BatchResult",
           "ArtifactError", "__version__"]
