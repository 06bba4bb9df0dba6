"""Every public class and function is documented and shown in use: in a
gallery example (built with the docs) or in a doctest of its own docstring
(run by ``pytest --doctest-modules``)."""

import doctest
import functools
from pathlib import Path

import pytest

import sgdselect
import sgdselect.datasets
import sgdselect.metrics
import sgdselect.plotting

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

PUBLIC = [
    (module, name)
    for module, names in [
        (sgdselect, [n for n in sgdselect.__all__ if n != "__version__"]),
        (sgdselect.plotting, sgdselect.plotting.__all__),
        (sgdselect.datasets, sgdselect.datasets.__all__),
        (sgdselect.metrics, sgdselect.metrics.__all__),
    ]
    for name in names
]


@functools.cache
def _examples_text():
    return "\n".join(p.read_text() for p in sorted(EXAMPLES.rglob("*.py")))


@pytest.mark.parametrize(
    "module, name", PUBLIC, ids=[f"{m.__name__}.{n}" for m, n in PUBLIC]
)
def test_public_name_documented_and_used(module, name):
    obj = getattr(module, name)
    doc = obj.__doc__ or ""
    assert len(doc.strip().splitlines()) >= 3, f"{name} has no real docstring"
    examples = doctest.DocTestParser().get_examples(doc)
    in_doctest = any(name in example.source for example in examples)
    assert in_doctest or name in _examples_text(), (
        f"{module.__name__}.{name} appears neither in a doctest of its docstring "
        "nor in a gallery example"
    )
