"""The documentation builds without a warning, examples and API pages included.

The build runs every example of the gallery (``examples/``) and validates the
docstrings of the public API with numpydoc; ``-W`` makes any warning fail it.
It works on a copy of ``docs/`` in a temporary directory, so the source tree
stays clean.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
EXAMPLES = sorted(
    p.relative_to(REPO / "examples") for p in REPO.glob("examples/**/*.py")
)
# Left behind by a build in the source tree; never copied.
GENERATED = ("_build", "auto_examples", "generated", "sg_execution_times.rst")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None,
    reason="sphinx is not installed (pip install -e '.[docs]')",
)


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    source, out = tmp / "docs", tmp / "html"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns(*GENERATED))
    env = {**os.environ, "SGDSELECT_REPO": str(REPO), "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-j", "1"]
    command += ["-b", "html", str(source), str(out)]
    start = time.perf_counter()
    build = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    log = build.stdout + build.stderr
    assert build.returncode == 0, f"sphinx-build failed:\n{log[-6000:]}"
    print(f"docs built in {elapsed:.1f} s")
    return out


def test_gallery_images_rendered(html):
    images = sorted(p.name for p in (html / "_images").glob("*.png"))
    for example in EXAMPLES:
        if example.name.startswith("plot_"):
            stem = example.stem
            figures = [
                n for n in images if re.fullmatch(f"sphx_glr_{stem}_\\d+\\.png", n)
            ]
            assert figures, f"no figure rendered for examples/{example}"
    for example in EXAMPLES:
        page = html / "auto_examples" / example.with_suffix(".html")
        assert page.is_file(), page


def test_api_page_lists_the_public_api(html):
    import sgdselect
    import sgdselect.plotting

    api = (html / "api.html").read_text()
    estimators = [name for name in sgdselect.__all__ if name != "__version__"]
    names = estimators + sgdselect.plotting.__all__
    names += ["sgdselect.datasets", "sgdselect.metrics"]
    for name in names:
        assert name in api, name
    import sgdselect.datasets
    import sgdselect.metrics

    for module in (sgdselect.plotting, sgdselect.datasets, sgdselect.metrics):
        for name in module.__all__:
            page = html / "generated" / f"{module.__name__}.{name}.html"
            assert page.is_file(), page
    methods = {"fit", "transform", "get_support", "score"}
    for name in estimators:
        page = (html / "generated" / f"sgdselect.{name}.html").read_text()
        documented = set(re.findall(rf'id="sgdselect\.{name}\.(\w+)"', page))
        assert methods <= documented, (name, documented)
        if name != "SGDSupportSelectorCV":
            assert "partial_fit" in documented, (name, documented)
        assert "Parameters" in page and "Attributes" in page


def test_pages_present(html):
    for page in ["index", "getting_started", "user_guide", "benchmarks"]:
        assert (html / f"{page}.html").is_file(), page
    for md in DOCS.glob("benchmarks/*.md"):
        assert (html / "benchmarks" / f"{md.stem}.html").is_file(), md
