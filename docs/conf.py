"""Sphinx configuration for the skrnn documentation."""

import skrnn

project = "skrnn"
author = "the skrnn developers"
release = skrnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
exclude_patterns = ["_build"]
