"""Sphinx configuration of the sgdselect documentation.

Build (from the repository root; ``-W`` turns warnings, numpydoc validation
errors included, into errors)::

    python -m sphinx -W --keep-going -j 1 -b html docs docs/_build/html
"""

import os
import re
import sys
import warnings
from pathlib import Path

# Examples run in this process: one thread for every numerical library, set
# before any of them is imported (the machines that build the docs are shared).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

# The repository: the package and the examples. tests/test_docs.py builds a
# copy of docs/ elsewhere and points here with SGDSELECT_REPO.
ROOT = Path(os.environ.get("SGDSELECT_REPO", Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent / "sphinxext"))

import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import sgdselect  # noqa: E402

torch.set_num_threads(1)
_limits = threadpool_limits(1)

# -- Project ------------------------------------------------------------------
project = "sgdselect"
author = "the sgdselect developers"
copyright = "2026, the sgdselect developers"
version = release = sgdselect.__version__

# -- General ------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md"]
# Doctest-style prompts in docstrings; no network (no intersphinx): the build
# must pass on machines without internet.
default_role = "obj"
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": False}

# Markdown (the benchmark pages that benchmarks/*.py write): heading anchors
# so that in-page links resolve.
myst_heading_anchors = 3

# -- numpydoc -----------------------------------------------------------------
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Every check, except these (each a deliberate style choice, as in
# scikit-learn):
numpydoc_validation_checks = {
    "all",
    # The summary starts on the line of the opening quotes (PEP 257).
    "GL01",
    # An extended summary, a See Also section and Examples are welcome but not
    # required of every method (scikit-learn's own methods go without them).
    "ES01",
    "SA01",
    "EX01",
    # Returns entries are named ("self : object"), as in scikit-learn.
    "RT02",
}
# Checks waived for some docstrings, matched by their text:
numpydoc_validation_overrides = {
    # A dataclass documents its fields once, as Attributes, not again as the
    # parameters of its generated ``__init__``.
    "PR01": [r"^One named problem of"],
}

# Methods that the selectors inherit from scikit-learn's mixins and that only
# wire scikit-learn's machinery (metadata routing, output containers): their
# docstrings point at pages of scikit-learn's own site, so they stay out of
# ours. get_params, set_params, transform, get_support and the rest are shown.
_SKIPPED_METHODS = re.compile(r"get_metadata_routing|set_output|set_\w+_request")


def _skip_member(app, what, name, obj, skip, options):
    if what == "class" and _SKIPPED_METHODS.fullmatch(name):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


# -- sphinx-gallery -----------------------------------------------------------


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Run every example, whatever its name, and fail the build on an error.
    "filename_pattern": r"/",
    "abort_on_example_error": True,
    "within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey",
    "reset_modules": ("matplotlib", "gallery_hooks.reset_threads"),
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_signature": False,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sgdselect {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
}
html_static_path = []
html_show_sourcelink = False

warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg",
)
