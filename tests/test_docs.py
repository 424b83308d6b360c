"""The docstring examples and the README's example run, against the installed package."""
import doctest
import re
from pathlib import Path

import pytest

import misinfo
import misinfo.batch
import misinfo.evaluate
import misinfo.explain
import misinfo.features
import misinfo.metadata
import misinfo.model
import misinfo.stack
import misinfo.text
import misinfo.train


@pytest.mark.parametrize("module", [misinfo, misinfo.text, misinfo.features, misinfo.metadata, misinfo.batch,
                                    misinfo.model, misinfo.explain, misinfo.evaluate, misinfo.stack, misinfo.train],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_readme_example_shows_what_the_shipped_model_says():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    text = re.search(r's = misinfo\.score\("([^"]+)"\)', readme).group(1)
    shown = re.search(r"s\.flagged +# \((\d\.\d\d), (\d\.\d\d), (True|False)\)", readme)
    s = misinfo.score(text)
    assert (f"{s.misinformation:.2f}", f"{s.sensational:.2f}", str(s.flagged)) == shown.groups()
    reasons = re.findall(r"'([^'…]+)'", readme[shown.end():readme.index("s.to_dict()")])
    assert len(reasons) == 3 and list(s.reasons[:3]) == reasons
