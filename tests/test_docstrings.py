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


def _public_estimators():
    import skrnn.forecasting
    import skrnn.preprocessing

    for module in (skrnn, skrnn.preprocessing, skrnn.forecasting):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and hasattr(obj, "get_params"):
                yield obj


@pytest.mark.parametrize("estimator", list(_public_estimators()), ids=repr)
def test_every_parameter_is_documented(estimator):
    # help() and the API pages show only what the Parameters section says:
    # a constructor argument missing there is a hyperparameter nobody finds.
    import inspect

    from numpydoc.docscrape import ClassDoc

    documented = {
        name.strip()
        for entry in ClassDoc(estimator)["Parameters"]
        for name in entry.name.split(",")
    }
    arguments = set(inspect.signature(estimator).parameters)
    assert arguments - documented == set()
    assert documented - arguments == set()
