"""The docstring examples and the README's example run, against the installed package."""
import doctest
import re
from pathlib import Path

import pytest

import importlib
import pkgutil

import misinfo

#: Every module of the package (``__main__`` runs the command line when imported): a module left
#: off a hand-written list kept a wrong example for sessions.
MODULES = ["misinfo"] + [f"misinfo.{m.name}" for m in pkgutil.iter_modules(misinfo.__path__) if m.name != "__main__"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
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
