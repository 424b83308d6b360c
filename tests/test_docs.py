"""The docstring examples run, against the installed package."""
import doctest

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
