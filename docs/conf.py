"""Sphinx configuration for the skrnn documentation."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the gallery draws its figures without a display

from sphinx.util import logging  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skrnn  # noqa: E402

# The gallery's networks are small: one BLAS thread is as fast as several and
# does not compete with the n_jobs=2 worker processes of the grid searches
# (see the model selection guide). threadpoolctl comes with scikit-learn.
threadpool_limits(limits=1, user_api="blas")

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

project = "skrnn"
author = "the skrnn developers"
release = skrnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
exclude_patterns = ["_build"]

# The gallery: every examples/plot_*.py is run at build time and its figures
# are saved; a failing example fails the build.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
}


# -- benchmarks/README.md, converted for the performance page ----------------
# The benchmark scripts record their latest tables in benchmarks/README.md
# (Markdown). The performance page includes its "Latest results" section,
# converted here at every build so that the two never disagree.


def _inline(text):
    """Markdown inline code to reST; escape reST's trailing-underscore references."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"``{part[1:-1]}``")
        else:
            part = part.replace("*", r"\*")
            out.append(re.sub(r"(\w)_(?=\W|$)", r"\1\\_", part))
    return "".join(out)


def _table(rows):
    cells = [
        [_inline(c.strip()) for c in row.strip().strip("|").split("|")] for row in rows
    ]
    header, body = cells[0], [r for r in cells[1:] if not set("".join(r)) <= set("-: ")]
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *body]:
        lines.append(f"   * - {row[0] or ' '}")
        lines.extend(f"     - {cell or ' '}" for cell in row[1:])
    return lines + [""]


def markdown_section_to_rst(markdown, title):
    """The ``## title`` section of a Markdown text (paragraphs, tables, ###) as reST."""
    match = re.search(
        rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S
    )
    if match is None:
        raise ValueError(f"benchmarks/README.md has no '## {title}' section")
    lines, table = [], []
    for line in match.group(1).splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            lines.extend(_table(table))
            table = []
        if line.startswith("### "):
            heading = _inline(line[4:].strip())
            lines.extend([heading, "~" * len(heading), ""])
        else:
            lines.append(_inline(line))
    if table:
        lines.extend(_table(table))
    return "\n".join(lines) + "\n"


# Included file of the performance page -> section of benchmarks/README.md.
BENCHMARK_SECTIONS = {
    "benchmark_results.rst.inc": "Latest results",
    "architecture_results.rst.inc": "Clockwork and the convolutional front end",
    "echo_state_results.rst.inc": "Echo state network: `bench_esn.py`",
}


def write_benchmark_results(app):
    readme = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    for name, title in BENCHMARK_SECTIONS.items():
        target = HERE / "generated" / name
        target.parent.mkdir(exist_ok=True)
        text = markdown_section_to_rst(readme, title)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def check_api_reference(app):
    """Warn (an error with -W) about a public name missing from api.rst."""
    import skrnn.datasets

    api = (HERE / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+(\w+)\s*$", api, re.M))
    public = [n for n in skrnn.__all__ if n != "datasets"] + skrnn.datasets.__all__
    for name in public:
        if name not in listed:
            logger.warning("%s is public but not listed in docs/api.rst", name)


def setup(app):
    app.connect("builder-inited", write_benchmark_results)
    app.connect("builder-inited", check_api_reference)
