"""The Examples sections of the installed package's docstrings run as written."""

import doctest
import importlib
import pkgutil

import pytest

import skrnn

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(skrnn.__path__, prefix="skrnn.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert failures == 0


def test_public_classes_have_examples():
    for name in skrnn.__all__:
        obj = getattr(skrnn, name)
        if isinstance(obj, type):
            assert "Examples\n" in obj.__doc__, name
