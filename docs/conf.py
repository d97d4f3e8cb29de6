"""Sphinx configuration for the skrnn documentation."""

import re
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the gallery draws its figures without a display

from docutils import nodes  # noqa: E402
from sphinx import addnodes  # noqa: E402
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
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "_intersphinx"]

# Every cross-reference must resolve: with -W, a broken link fails the build.
nitpicky = True

# -- Links to other projects --------------------------------------------------
# The inventories ship in _intersphinx/ (where they come from and how they
# are refreshed: _intersphinx/README.md); the build downloads nothing.
INTERSPHINX = HERE / "_intersphinx"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(INTERSPHINX / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(INTERSPHINX / "numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy/", str(INTERSPHINX / "scipy.inv")),
    "sklearn": ("https://scikit-learn.org/stable/", str(INTERSPHINX / "sklearn.inv")),
    "pandas": ("https://pandas.pydata.org/docs/", str(INTERSPHINX / "pandas.inv")),
}

# -- numpydoc: link the words of parameter types ------------------------------
# "int or None", "array-like of shape (n_samples, n_timesteps)": each word
# that names a type links to its documentation (numpydoc's built-in aliases
# cover int, float, str, bool, None, list, tuple, dict, ndarray, array-like,
# RandomState and more; the ones below add what skrnn's docstrings use).
# Words not listed here (shape names such as n_samples, "of", "default")
# stay plain text; a type that is written as a role, like
# :class:`~numpy.random.Generator`, is checked like any other reference.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    # scikit-learn's glossary, shown as written ("array_like" otherwise)
    "array-like": ":term:`array-like <sklearn:array-like>`",
    "Generator": "numpy.random.Generator",
    "SeedSequence": "numpy.random.SeedSequence",
    "DataFrame": "pandas.DataFrame",
    "estimator": ":term:`estimator <sklearn:estimators>`",
    "estimators": ":term:`sklearn:estimators`",
    "RNNClassifier": "skrnn.RNNClassifier",
    "RNNRegressor": "skrnn.RNNRegressor",
    "EchoStateRegressor": "skrnn.EchoStateRegressor",
}

# -- Copy buttons on code blocks ---------------------------------------------
# The button copies what can be pasted into Python or a shell: the ">>> " and
# "... " prompts are removed and, in a block with prompts, the output lines
# (those without a prompt) are left out.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_remove_prompts = True
copybutton_exclude = ".linenos, .gp, .go"

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
html_theme_options = {
    # The header holds the site's three parts (user guide, examples, API
    # reference), all visible at once: nothing goes under a "More" menu.
    "header_links_before_dropdown": 5,
    "navbar_align": "left",
    # Left sidebar: the pages of the current part (the guide's pages on every
    # guide page), their sections folded.
    "show_nav_level": 1,
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# "On this page" of an API page lists fit(), predict()... without repeating
# the class name, which would not fit the column.
toc_object_entries_show_parents = "hide"
html_sidebars = {
    # The front page introduces the parts; it needs no navigation column.
    "index": [],
}

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


# -- benchmarks/README.md, tables for the performance page --------------------
# The benchmark scripts record their latest tables in benchmarks/README.md
# (Markdown). The performance page shows those tables, and a summary of the
# ratios computed from them, converted at every build so that the page and
# the file never disagree.


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


def markdown_tables(markdown):
    """Every table of a Markdown text, in order, as (header, rows) of cell strings."""
    tables, block = [], []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif block:
            rows = [r for r in block[1:] if not set("".join(r)) <= set("-: ")]
            tables.append((block[0], rows))
            block = []
    return tables


def find_table(tables, *columns, occurrence=0):
    """The table whose header starts with ``columns`` (the n-th such table)."""
    found = [t for t in tables if tuple(t[0][: len(columns)]) == columns]
    if len(found) <= occurrence:
        raise ValueError(
            f"benchmarks/README.md has no table number {occurrence + 1} with "
            f"columns {columns}: the performance page needs it"
        )
    return found[occurrence]


def rst_table(header, rows, widths=None):
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {widths}")
    lines.append("")
    for row in [header, *rows]:
        cells = [_inline(c) or " " for c in row]
        lines.append(f"   * - {cells[0]}")
        lines.extend(f"     - {cell}" for cell in cells[1:])
    return "\n".join(lines) + "\n"


def _span(values):
    """The range "low-high" of numbers given as strings, written as in the file."""
    low, high = min(values, key=float), max(values, key=float)
    return low if float(low) == float(high) else f"{low}-{high}"


CELL_NAMES = {
    "rnn": "Elman (`rnn`)",
    "lstm": "LSTM",
    "gru": "GRU",
    "peephole": "peephole LSTM",
    "clockwork": "clockwork",
}


def speed_summary(tables):
    """Per cell: range of the median time ratios over all sizes measured."""
    rows = []

    def add(table, cell_column, reference):
        header, body = table
        ratio = header.index("ratio (median)")
        for cell in dict.fromkeys(r[cell_column] for r in body):
            mine = [r for r in body if r[cell_column] == cell]
            sizes = [r[header.index("hidden")] for r in mine]
            steps = [r[header.index("T")] for r in mine]
            rows.append(
                [
                    CELL_NAMES.get(cell, cell),
                    reference(mine[0]),
                    _span([r[ratio] for r in mine]),
                    f"{_span(sizes)} units, {_span(steps)} steps",
                ]
            )

    torch_columns = ("cell", "hidden", "T", "skrnn ms/epoch", "torch ms/epoch")
    add(find_table(tables, *torch_columns), 0, lambda r: f"PyTorch `nn.{r[0].upper()}`")
    add(
        find_table(tables, *torch_columns, occurrence=1),
        0,
        lambda r: "PyTorch `nn.LSTM` with oneDNN off",
    )
    add(
        find_table(tables, "cell", "reference", "hidden"),
        0,
        lambda r: f"skrnn's {CELL_NAMES.get(r[1], r[1])}",
    )
    header = ["cell", "compared with", "time ratio", "sizes measured"]
    return rst_table(header, rows, widths="20 35 15 30")


def write_benchmark_results(app):
    """Write the performance page's tables into generated/*.rst.inc."""
    readme = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    tables = markdown_tables(readme)
    torch_columns = ("cell", "hidden", "T", "skrnn ms/epoch", "torch ms/epoch")
    pages = {
        "speed_summary.rst.inc": speed_summary(tables),
        "speed_torch.rst.inc": rst_table(*find_table(tables, *torch_columns)),
        "speed_torch_aten.rst.inc": rst_table(
            *find_table(tables, *torch_columns, occurrence=1)
        ),
        "speed_cells.rst.inc": rst_table(
            *find_table(tables, "cell", "reference", "hidden")
        ),
        "memory_bptt.rst.inc": rst_table(*find_table(tables, "steps", "bptt_steps")),
        "speed_esn.rst.inc": rst_table(*find_table(tables, "benchmark", "skrnn (s)")),
        "accuracy_adding.rst.inc": rst_table(*find_table(tables, "cell", "test MSE")),
        "accuracy_esn.rst.inc": rst_table(*find_table(tables, "settings")),
    }
    for name, text in pages.items():
        target = HERE / "generated" / name
        target.parent.mkdir(exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def check_api_reference(app):
    """Warn (an error with -W) about a public name missing from api.rst.

    Public names are those of ``skrnn.__all__`` and, for each public
    submodule there (``datasets``, ``preprocessing``), its ``__all__``.
    """
    api = (HERE / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+(\w+)\s*$", api, re.M))
    public = []
    for name in skrnn.__all__:
        value = getattr(skrnn, name)
        if isinstance(value, types.ModuleType):
            public.extend(getattr(value, "__all__", []))
        else:
            public.append(name)
    for name in public:
        if name not in listed:
            logger.warning("%s is public but not listed in docs/api.rst", name)


def link_fitted_attributes(app, doctree):
    """Make each entry of a class's Attributes section a link target.

    numpydoc lists a fitted attribute such as ``params_`` as a term of the
    class's "Attributes" field; it has no object of its own (only properties
    such as ``weights_`` do), so ``:attr:`params_``` would not resolve. Give
    each such term the id ``module.Class.name`` and record it in the Python
    domain as an attribute: references to it then link to its entry, and it
    appears in the search index and in objects.inv.
    """
    python = app.env.get_domain("py")
    for desc in doctree.findall(addnodes.desc):
        if desc.get("objtype") != "class":
            continue
        signature = desc[0] if isinstance(desc[0], addnodes.desc_signature) else None
        if signature is None or not signature["ids"]:
            continue
        classname = signature["ids"][0]
        for field in desc.findall(nodes.field):
            if field[0].astext() != "Attributes":
                continue
            for term in field.findall(nodes.term):
                if not term.children or not isinstance(term[0], nodes.strong):
                    continue  # a property, linked to its own entry by numpydoc
                fullname = f"{classname}.{term[0].astext()}"
                if fullname in python.objects:
                    continue
                term["ids"].append(fullname)
                python.note_object(fullname, "attribute", fullname, location=term)


def setup(app):
    app.connect("builder-inited", write_benchmark_results)
    app.connect("builder-inited", check_api_reference)
    app.connect("doctree-read", link_fitted_attributes)
