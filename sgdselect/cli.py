"""The ``sgdselect`` command.

With no arguments (or ``sgdselect demo``) it runs the main job on a built-in
problem with a known support (Friedman #1 with noise columns) and prints what
it selected against the truth, the importances with a bar per feature, and the
time it took.

``sgdselect select DATA --target COLUMN`` selects the feature columns of a CSV
or Parquet table for the target column, as the table comes: text columns are
categories, empty cells are missing, rows without a target are left out with a
note. It reports per original column on stdout (a table, or JSON with
``--json``), writes the kept columns as read with ``--output`` and the figures
with ``--plot``. Errors are one line on stderr, ``sgdselect: error: ...``, with
exit status 2 for a wrong command line and 1 for data that cannot be read or
fitted; warnings are one line each, ``sgdselect: warning: ...``; Ctrl-C exits
with 130.
"""

import argparse
import difflib
import json
import math
import os
import re
import sys
import time
import warnings
from pathlib import Path

# NumPy, scikit-learn, Numba and the estimators are imported where they are
# used, not here: ``sgdselect --help`` and usage errors answer without them.

_BAR_WIDTH = 40
_PROG = "sgdselect"
_IO_EXTRA = 'pip install "sgdselect[io]"'
_PLOT_EXTRA = 'pip install "sgdselect[plot]"'
# Table formats by extension; pandas infers these compressions from the name.
_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zip")
_PLOT_FORMATS = (".png", ".pdf", ".svg", ".jpg", ".jpeg")
# The estimator's parameter -> the option that sets it, for error messages.
_OPTIONS = {
    "batch_size": "--batch-size",
    "learning_rate": "--learning-rate",
    "max_iter": "--max-iter",
    "weight_decay": "--weight-decay",
    "max_features": "--max-features",
    "threshold": "--threshold",
    "device": "--device",
    "n_jobs": "--n-jobs",
    "random_state": "--random-state",
    "task": "--task",
}
# task="auto" reads a numeric target of more distinct whole numbers than this
# as a quantity (the estimator's rule, _targets.MAX_CLASSES; written out here
# so that --help needs no estimator).
_MANY_CLASSES = 20
# SGDSupportSelector's defaults that the options show in --help, written out so
# that --help needs no import of the estimator (a test holds them equal).
_DEFAULTS = {
    "batch_size": 4,
    "learning_rate": 0.2,
    "max_iter": 300,
    "weight_decay": "auto",
}
# Column names an error lists in full; beyond, the first and the last ones.
_NAMES_SHOWN = 12


class _CommandError(Exception):
    """A failure to report as one line on stderr, with an exit status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------- demo
def demo_problem(n_samples=2000, n_noise=20, random_state=0):
    """Friedman #1 with noise columns: a problem with a known support.

    Parameters
    ----------
    n_samples : int, default=2000
        Number of rows.
    n_noise : int, default=20
        Number of irrelevant columns after the 5 relevant ones.
    random_state : int, default=0
        Seed of the data.

    Returns
    -------
    X : ndarray of shape (n_samples, 5 + n_noise)
        The features; ``y`` depends on columns 0-4 only, nonlinearly.
    y : ndarray of shape (n_samples,)
        The target.
    support : ndarray of shape (5 + n_noise,), dtype=bool
        The true support: True for columns 0-4.

    Examples
    --------
    >>> from sgdselect.cli import demo_problem
    >>> X, y, support = demo_problem(n_samples=100, n_noise=3)
    >>> X.shape, support.nonzero()[0].tolist()
    ((100, 8), [0, 1, 2, 3, 4])
    """
    import numpy as np
    from sklearn.datasets import make_friedman1

    X, y = make_friedman1(
        n_samples=n_samples, n_features=5 + n_noise, random_state=random_state
    )
    support = np.zeros(X.shape[1], dtype=bool)
    support[:5] = True
    return X, y, support


def importance_table(importances, selected, truth=None, names=None):
    """The importances as text: one line per feature, with a bar.

    Parameters
    ----------
    importances : array-like of shape (n_features,)
        Non-negative importances; the largest gets the full bar.
    selected : array-like of bool of shape (n_features,)
        The selected features, marked ``selected``.
    truth : array-like of bool of shape (n_features,) or None, default=None
        The true support, when known; its features are marked ``(relevant)``.
    names : list of str or None, default=None
        Feature names; ``None`` gives ``x0``, ``x1``, ...

    Returns
    -------
    str
        The table: one line per feature: name, importance, bar and marks.

    Examples
    --------
    >>> import numpy as np
    >>> from sgdselect.cli import importance_table
    >>> print(importance_table(np.array([2.0, 0.5]), [True, False], names=["a", "b"]))
    a     2.000  ########################################  selected
    b     0.500  ##########
    """
    import numpy as np

    top = max(float(np.max(importances)), np.finfo(float).tiny)
    names = names if names is not None else [f"x{i}" for i in range(len(importances))]
    width = max(len(str(n)) for n in names)
    lines = []
    for i, value in enumerate(importances):
        bar = "#" * int(round(_BAR_WIDTH * value / top))
        mark = "selected" if selected[i] else ""
        if truth is not None:
            mark += " (relevant)" if truth[i] else ""
        line = f"{names[i]:>{width}}  {value:8.3f}  {bar:<{_BAR_WIDTH}}  {mark}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def run_demo(random_state=0, out=None, verbose=0):
    """Select on Friedman #1 with noise columns and print the result.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the data and of the selector.
    out : file-like or None, default=None
        Where to print; ``None`` is ``sys.stdout``.
    verbose : int, default=0
        Passed to the selector: 1 shows a progress bar on stderr.

    Returns
    -------
    int
        The exit status: 0 when the selection is exactly the true support, else 1.
    """
    import numpy as np

    from sgdselect import SGDSupportSelector

    out = sys.stdout if out is None else out
    X, y, truth = demo_problem(random_state=random_state)
    print(
        f"Friedman #1: {X.shape[0]} samples, {X.shape[1]} features, of which "
        f"{truth.sum()} are relevant (x0-x4).",
        file=out,
    )
    selector = SGDSupportSelector(random_state=random_state, verbose=verbose)
    elapsed, interrupted = _fit(selector, X, y)
    selected = selector.get_support()
    hits = int((selected & truth).sum())
    print(
        f"Selected {selected.sum()} features: {np.flatnonzero(selected).tolist()} "
        f"({hits} of {truth.sum()} relevant, {int((selected & ~truth).sum())} "
        f"noise) in {elapsed:.1f} s.",
        file=out,
    )
    print(importance_table(selector.feature_importances_, selected, truth), file=out)
    if interrupted:
        return 130
    return 0 if (selected == truth).all() else 1


# ------------------------------------------------------------- the parser
class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line under the command's name."""

    def error(self, message):
        self.exit(2, f"{_PROG}: error: {message} (see '{self.prog} --help')\n")


def _batch_size(text):
    if text.lower() in ("full", "none"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number or 'full', got {text!r}"
        ) from None


def _weight_decay(text):
    if text.lower() == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or 'auto', got {text!r}"
        ) from None


def _threshold(text):
    import numpy as np

    from sgdselect._support import resolve_threshold

    try:
        value = float(text)
    except ValueError:
        value = text
    try:
        # A word is resolved only after training: check it now.
        resolve_threshold(np.ones(2), value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _build_parser():
    parser = _Parser(
        prog=_PROG,
        description="Feature selection by the implicit regularization of SGD. "
        "With no arguments, runs on a built-in problem with a known support "
        "(Friedman #1 with noise columns).",
        epilog="Run 'sgdselect select --help' for the options of a selection. "
        "Exit status: 0 done, 1 data or fit error, 2 usage error, 130 interrupted.",
    )
    parser.add_argument(
        "--random-state", type=int, default=0, help="seed of the demo (default 0)"
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo,select}")
    demo = commands.add_parser(
        "demo",
        help="run on the built-in problem (the default)",
        description="Select on Friedman #1 with 20 noise columns (2000 samples) "
        "and print the result against the true support. Exits 1 when the "
        "selection misses it.",
    )
    demo.add_argument(
        "--random-state",
        type=int,
        default=argparse.SUPPRESS,
        metavar="SEED",
        help="seed of the data and the selector (default 0)",
    )
    demo.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _add_select_parser(commands)
    return parser


def _add_select_parser(commands):
    sel = commands.add_parser(
        "select",
        help="select the feature columns of a CSV or Parquet table",
        description="Train SGDSupportSelector on the columns of DATA (.csv, "
        ".tsv, .parquet or .pq, optionally compressed) to predict the target "
        "column, and report the columns it keeps. Text columns are read as "
        "categories and empty cells as missing; rows without a target are left "
        f"out. Needs pandas and pyarrow: {_IO_EXTRA}.",
        epilog="Exit status: 0 done, 1 data or fit error, 2 usage error, "
        "130 interrupted (with the report of the training so far when it "
        "happened during training).",
    )
    sel.add_argument(
        "data", metavar="DATA", help="the table to read; - reads CSV from stdin"
    )
    sel.add_argument(
        "--target", "-t", required=True, metavar="COLUMN", help="the target column"
    )
    sel.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a column to leave out of the features (repeat for several)",
    )
    est = sel.add_argument_group("selector (see SGDSupportSelector)")
    est.add_argument(
        "--task",
        choices=("auto", "regression", "classification"),
        default="auto",
        help="what the target holds; auto: a numeric column of more than "
        f"{_MANY_CLASSES} distinct whole numbers, or of fractions, is a quantity "
        "(regression), any other holds class labels (classification) "
        "(default auto)",
    )
    defaults = _DEFAULTS
    est.add_argument(
        "--batch-size",
        type=_batch_size,
        default=defaults["batch_size"],
        metavar="B",
        help="mini-batch size, or 'full' for gradient descent "
        f"(default {defaults['batch_size']})",
    )
    est.add_argument(
        "--learning-rate",
        type=float,
        default=defaults["learning_rate"],
        metavar="LR",
        help=f"SGD step size (default {defaults['learning_rate']})",
    )
    est.add_argument(
        "--max-iter",
        type=int,
        default=defaults["max_iter"],
        metavar="N",
        help=f"epochs (default {defaults['max_iter']})",
    )
    est.add_argument(
        "--weight-decay",
        type=_weight_decay,
        default=defaults["weight_decay"],
        metavar="WD",
        help="L2 penalty on the weights: a number, or auto for 2 / n on n "
        f"rows (default {defaults['weight_decay']})",
    )
    est.add_argument(
        "--threshold",
        type=_threshold,
        default="auto",
        metavar="T",
        help="importance cut: a number, auto, mean, median or e.g. 1.5*mean "
        "(default auto)",
    )
    est.add_argument(
        "--max-features", type=int, default=None, metavar="K", help="keep at most K"
    )
    est.add_argument(
        "--no-squares",
        dest="input_squares",
        action="store_false",
        help="the network reads the features only, as in the paper, not also "
        "their squares (which find even dependences such as x**2 or |x|)",
    )
    est.add_argument(
        "--device", default="cpu", help="cpu, cuda, cuda:N or auto (default cpu)"
    )
    est.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="CPU threads that share out the rows of large batches (full batch, "
        "thousands of rows; same result); -1: all cores (default 1)",
    )
    est.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the initialization and batch order (default 0)",
    )
    out = sel.add_argument_group("output")
    out.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the selected columns, as read, and the target (.csv, .tsv, "
        ".parquet)",
    )
    out.add_argument(
        "--json", action="store_true", help="print a JSON report instead of a table"
    )
    out.add_argument(
        "--plot",
        metavar="FILE",
        help="save the importances and their history over the epochs (.png, "
        f".pdf, .svg; {_PLOT_EXTRA})",
    )
    out.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress bar; print only the selected columns, one per line",
    )


# -------------------------------------------------------------------- I/O
def _table_format(path, what):
    """The format of ``path`` from its extension, after any compression."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    compressed = bool(suffixes) and suffixes[-1] in _COMPRESSIONS
    if compressed:
        suffixes.pop()
    fmt = _FORMATS.get(suffixes[-1] if suffixes else "")
    # Parquet compresses inside the file; pandas reads .csv.gz, not .parquet.gz.
    if fmt is None or (compressed and fmt == "parquet"):
        raise _CommandError(
            f"cannot tell the format of {what} {str(path)!r} from its extension; "
            "use .csv, .tsv (optionally .gz, .bz2, .xz, .zst, .zip), .parquet or .pq",
            status=2,
        )
    return fmt


def _pandas():
    try:
        import pandas
    except ImportError:
        raise _CommandError(f"reading tables needs pandas: {_IO_EXTRA}") from None
    return pandas


def _read_table(path):
    """The table at ``path``; ``-`` reads CSV from standard input."""
    fmt = "csv" if path == "-" else _table_format(path, "DATA")
    pd = _pandas()
    if path != "-" and not os.path.exists(path):
        raise _CommandError(f"{path}: no such file")
    source = sys.stdin if path == "-" else path
    try:
        if fmt == "parquet":
            return pd.read_parquet(source)
        return pd.read_csv(source, sep="\t" if fmt == "tsv" else ",")
    except ImportError:
        raise _CommandError(f"reading Parquet needs pyarrow: {_IO_EXTRA}") from None
    except OSError as exc:
        raise _CommandError(f"{path}: {exc.strerror or exc}") from None
    except Exception as exc:  # pandas and pyarrow raise many kinds
        raise _CommandError(
            f"{path}: cannot be read as {fmt.upper()}: {_one_line(exc)}"
        ) from None


def _write_table(frame, path, fmt):
    try:
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False, sep="\t" if fmt == "tsv" else ",")
    except ImportError:
        raise _CommandError(f"writing Parquet needs pyarrow: {_IO_EXTRA}") from None
    except OSError as exc:
        raise _CommandError(f"{path}: {exc.strerror or exc}") from None


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text if len(text) <= 400 else text[:397] + "..."


def _in_option_terms(text):
    """The estimator's message in the command's terms: ``task='regression'``
    becomes ``--task regression``, ``learning_rate`` becomes ``--learning-rate``.

    Only ``name=value`` forms and names with an underscore are rewritten, as
    the others (threshold, task, device) are also plain words.
    """
    names = "|".join(_OPTIONS)
    text = re.sub(
        rf"\b({names})=(?:'([^']*)'|([^\s,;)]+))",
        lambda m: f"{_OPTIONS[m[1]]} {m[2] if m[2] is not None else m[3]}",
        text,
    )
    underscored = "|".join(name for name in _OPTIONS if "_" in name)
    return re.sub(rf"(?<![-\w])({underscored})\b", lambda m: _OPTIONS[m[1]], text)


def _names(columns, limit=_NAMES_SHOWN):
    """The names, quoted; beyond ``limit``, the first and the last few (a
    table's target is often its last column)."""
    quoted = [repr(str(c)) for c in columns]
    if len(quoted) <= limit:
        return ", ".join(quoted)
    head, tail = quoted[: limit - 4], quoted[-3:]
    middle = len(quoted) - len(head) - len(tail)
    return f"{', '.join(head)}, ... ({middle} more) ..., {', '.join(tail)}"


def _did_you_mean(name, columns):
    """The columns closest to ``name``, case-insensitively: a case slip
    first, then near spellings."""
    lowered = {}
    for column in columns:
        lowered.setdefault(column.lower(), column)
    if name.lower() in lowered:
        return [lowered[name.lower()]]
    # difflib.get_close_matches's measure and cut-off, with ties in the
    # table's order rather than reverse alphabetical.
    matcher = difflib.SequenceMatcher(b=name.lower())
    scored = []
    for order, low in enumerate(lowered):
        matcher.set_seq1(low)
        if matcher.ratio() >= 0.6:
            scored.append((-matcher.ratio(), order, lowered[low]))
    return [column for _, _, column in sorted(scored)[:3]]


def _delimiter_hint(columns, source):
    """Why a table may have been read as one column: a header that holds
    another delimiter than the one its name promised ("" if none)."""
    if len(columns) != 1:
        return ""
    header = columns[0]
    is_tsv = ".tsv" in [s.lower() for s in Path(str(source)).suffixes]
    if not is_tsv and "\t" in header:
        return "its header holds tabs: is this a TSV? Name it .tsv"
    if ";" in header:
        return (
            "its header holds semicolons: is it separated by ';'? Save it with "
            "',' (.csv) or tabs (.tsv)"
        )
    if is_tsv and "," in header:
        return "its header holds commas: is this a CSV? Name it .csv"
    return ""


# ------------------------------------------------------------------- data
def _split(frame, target, drop, source):
    """The feature columns and the target of ``frame``, checked."""
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    missing = [c for c in [target, *drop] if c not in columns]
    if missing:
        close = _did_you_mean(missing[0], columns)
        hint = _delimiter_hint(columns, source)
        if hint:
            where = hint
        else:
            where = f"its {len(columns)} columns are {_names(columns)}"
            if close:
                guess = " or ".join(map(repr, close))
                where = f"did you mean {guess}? I{where[1:]}"
        raise _CommandError(f"no column {missing[0]!r} in {source}; {where}")
    X = frame.drop(columns=[target, *drop])
    if X.shape[1] == 0:
        raise _CommandError("no feature column left besides the target")
    y = frame[target]
    missing = y.isna().to_numpy()
    if missing.all():
        raise _CommandError(
            f"the target column {target!r} has no value in any of the "
            f"{len(y)} rows: is it the right column?"
        )
    if missing.any():
        _stderr(
            f"{_PROG}: note: {int(missing.sum())} of {len(y)} rows have no "
            f"{target!r} (an empty cell): trained on the other "
            f"{int((~missing).sum())}"
        )
        X, y = X.loc[~missing], y.loc[~missing]
    _check_finite(X, "feature")
    return X, y


def _check_finite(X, what):
    """No infinite cell in the numeric columns (a missing cell, text and
    categories are for the estimator to encode)."""
    import numpy as np
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    numeric = [
        c for c, t in X.dtypes.items() if is_numeric_dtype(t) and not is_bool_dtype(t)
    ]
    values = X[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(values).any(axis=0)
    if bad.any():
        columns = [c for c, b in zip(numeric, bad, strict=True) if b]
        raise _CommandError(
            f"infinite values in {what} columns {_names(columns)}; clip them, "
            "empty those cells (read as missing) or drop the columns first"
        )


def _describe_columns(X):
    """``"3 text, 2 with empty cells"``: how many columns the selector reads
    as categories and how many have missing cells ("" if none)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    text = sum(
        not (is_numeric_dtype(t) or is_bool_dtype(t)) for t in X.dtypes.to_list()
    )
    holes = int((X.isna().sum() > 0).sum())
    parts = []
    if text:
        parts.append(f"{text} text")
    if holes:
        parts.append(f"{holes} with empty cells")
    return ", ".join(parts)


# -------------------------------------------------------------------- fit
def _training_loop_cached(dtype):
    """Whether the compiled training loop for ``X`` of ``dtype`` is ready:
    in this process already, or in Numba's on-disk cache for this CPU.

    Reads the cache's index as Numba keys it (the argument types, this
    machine's code generation, the function's bytecode); True where that
    cannot be read, so that a change in Numba's internals costs the note,
    never a wrong one.
    """
    import numpy as np
    from numba import typeof, types
    from numba.core.registry import cpu_target

    from sgdselect import _cpu_kernel

    kernel = _cpu_kernel.run_epoch_shared
    x_type = typeof(np.empty((1, 1), dtype=dtype))

    def reads_x(signature):
        # The kernel's first argument is its data tuple, X first.
        data = signature[0]
        return isinstance(data, types.BaseTuple) and data[0] == x_type

    if any(reads_x(signature) for signature in kernel.signatures):
        return True
    try:
        cache = kernel._cache
        _, machine, code = cache._index_key((), cpu_target.target_context.codegen())
        index = cache._cache_file._load_index()
    except Exception:  # Numba's internals moved: stay quiet
        return True
    return any(
        reads_x(key[0]) and key[1] == machine and key[2] == code for key in index
    )


def _warm_up(selector, dtype):
    """Compile the training loop for ``X`` of ``dtype`` (or load it from
    Numba's cache) on a tiny problem, so that the timed fit does not include
    it; on the first run, say on stderr that it is compiling."""
    import numpy as np
    from sklearn.base import clone

    from sgdselect._engine import resolve_device

    if resolve_device(selector.device) != "cpu":  # torch's GPU path: no Numba
        return
    if not _training_loop_cached(dtype):
        _stderr(f"{_PROG}: compiling the training loop (first run only)")
    X = np.random.default_rng(0).standard_normal((32, 2)).astype(dtype)
    # The same kernels, argument types and code path as the fit (regression
    # and classification share them); a fixed cut trains no shadows.
    tiny = clone(selector).set_params(
        max_iter=1,
        threshold=0.0,
        max_features=None,
        verbose=0,
        n_jobs=None,
        early_stopping=False,
        task="regression",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiny.fit(X, X[:, 0])


def _x_dtype(X):
    """The dtype the estimator trains ``X`` (a DataFrame or an array) in:
    float32 when every column is float32 or narrower, else float64."""
    import numpy as np

    dtypes = getattr(X, "dtypes", None)
    try:
        kinds = list(dtypes) if dtypes is not None else [X.dtype]
        common = np.result_type(*kinds)
    except TypeError:  # pandas extension dtypes
        return np.dtype(np.float64)
    return np.dtype(np.float32 if common == np.float32 else np.float64)


def _fit(selector, X, y):
    """Fit, with the estimator's warnings as one stderr line each.

    The training loop is compiled (or loaded) before the clock starts.
    Returns the time taken and whether training was interrupted (Ctrl-C).
    """
    _warm_up(selector, _x_dtype(X))
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        selector.fit(X, y)
    elapsed = time.perf_counter() - start
    interrupted = False
    for warning in caught:
        text = _in_option_terms(_one_line(warning.message))
        if text.startswith("training interrupted"):
            interrupted = True
            _stderr(
                f"{_PROG}: training was interrupted (Ctrl-C) after "
                f"{selector.n_iter_} epochs; the results are those of the network "
                "as trained so far"
            )
        else:
            _stderr(f"{_PROG}: warning: {text}")
    return elapsed, interrupted


def _parameter_error(exc):
    """A scikit-learn parameter error, phrased with the option's name."""
    text = _one_line(exc)
    found = re.match(
        r"The '(\w+)' parameter of \w+ must be (.*)\. Got (.*) instead", text
    )
    if found is None:
        return text
    name, rule, got = found.groups()
    option = _OPTIONS.get(name, name)
    # None is the option left out, not a value to type.
    rule = rule.removeprefix("None or ")
    return f"argument {option}: must be {rule}; got {got}"


def _make_selector(args, verbose):
    from sgdselect import SGDSupportSelector

    return SGDSupportSelector(
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        max_iter=args.max_iter,
        weight_decay=args.weight_decay,
        threshold=args.threshold,
        max_features=args.max_features,
        input_squares=args.input_squares,
        device=args.device,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        task=args.task,
        verbose=verbose,
    )


# ----------------------------------------------------------------- select
def _check_outputs(args):
    """Fail on an absent device or unusable output paths before a long fit."""
    if args.device != "cpu":  # the check imports torch
        from sgdselect._engine import resolve_device

        try:
            resolve_device(args.device)
        except ValueError as exc:
            message = _in_option_terms(_one_line(exc))
            raise _CommandError(message, status=2) from None
    paths = []
    if args.output:
        args.output_format = _table_format(args.output, "--output")
        paths.append(args.output)
    if args.plot:
        if Path(args.plot).suffix.lower() not in _PLOT_FORMATS:
            raise _CommandError(
                f"cannot tell the image format of --plot {args.plot!r}; use "
                + ", ".join(_PLOT_FORMATS),
                status=2,
            )
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise _CommandError(f"--plot needs matplotlib: {_PLOT_EXTRA}") from None
        paths.append(args.plot)
    for path in paths:
        parent = Path(path).parent
        if not parent.is_dir():
            raise _CommandError(f"{path}: no such directory {str(parent)!r}")


def run_select(args):
    """Run ``sgdselect select`` from parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line of ``sgdselect select``.

    Returns
    -------
    int
        The exit status: 0 when done, 130 when training was interrupted
        (the results of the network as trained so far are still reported and
        written).
    """
    from sklearn.utils._param_validation import InvalidParameterError

    _check_outputs(args)
    frame = _read_table(args.data)
    X, y = _split(frame, args.target, args.drop, args.data)
    args.rows_without_target = len(frame) - len(y)
    verbose = 1 if (not args.quiet and _isatty()) else 0
    selector = _make_selector(args, verbose)
    try:
        elapsed, interrupted = _fit(selector, X, y)
        selected = selector.get_support()
    except InvalidParameterError as exc:
        raise _CommandError(_parameter_error(exc), status=2) from None
    except (ValueError, FloatingPointError, MemoryError) as exc:
        raise _CommandError(_column_remedy(_in_option_terms(_one_line(exc)))) from None
    names = list(X.columns)
    kept = [n for n, s in zip(names, selected, strict=True) if s]
    for name in _row_numbers(frame, kept):
        _stderr(
            f"{_PROG}: warning: column {name!r} numbers the rows (1, 2, 3, ... "
            "or 0, 1, 2, ...): it was kept because the file's rows are ordered "
            "by something related to the target, which says nothing about the "
            f"data; leave it out with --drop {name}"
        )
    if args.output:
        _write_table(frame[[*kept, args.target]], args.output, args.output_format)
        if not args.quiet:
            _stderr(
                f"{_PROG}: wrote {args.output} (the {len(kept)} selected "
                f"column{'s' if len(kept) != 1 else ''} and {args.target!r})"
            )
    if args.plot:
        _save_plot(selector, args.plot)
        if not args.quiet:
            _stderr(
                f"{_PROG}: wrote {args.plot} (the importances and their history "
                "over the epochs)"
            )
    if args.json:
        report = _json_report(args, selector, X, kept, elapsed, interrupted)
        print(json.dumps(report, indent=2))
    elif args.quiet:
        for name in kept:
            print(name)
    else:
        print(_text_report(args, selector, X, kept, elapsed))
    return 130 if interrupted else 0


def _row_numbers(frame, columns):
    """The columns among ``columns`` that number the rows of ``frame`` in
    order, from 0 or 1 (a saved index, R's row names)."""
    import numpy as np

    found = []
    for name in columns:
        values = frame[name].to_numpy()
        if values.dtype.kind not in "iuf" or len(values) < 3:
            continue
        start = values[0]
        if start in (0, 1) and np.array_equal(values, start + np.arange(len(values))):
            found.append(name)
    return found


def _column_remedy(text):
    """The estimator's error about one column of X, with the option that
    leaves it out: ``column 'a' of X`` names a column of the file."""
    found = re.search(r"column '([^']+)' of X\b", text)
    if found is None:
        return text
    text = text.replace(found[0], f"column {found[1]!r}")
    return f"{text} (to leave it out: --drop {found[1]})"


def _text_report(args, selector, X, kept, elapsed):
    from sgdselect._shadows import rounds_of_networks

    task = selector.task_
    if task == "classification":
        task += f", {len(selector.classes_)} classes"
    shadows = selector.shadow_importances_
    against = ""
    if shadows is not None:
        against = (
            f", tested against {shadows.shape[-1]} shadows in "
            f"{rounds_of_networks(shadows)}"
        )
    kinds = _describe_columns(X)
    head = (
        f"{args.data}: {X.shape[0]} rows, {X.shape[1]} features"
        f"{f' ({kinds})' if kinds else ''}, target {args.target!r} ({task}).\n"
        f"Selected {len(kept)} of {X.shape[1]} features in {elapsed:.1f} s "
        f"({selector.n_iter_} epochs, threshold {selector.threshold_:.3g}"
        f"{against}): {', '.join(kept)}"
    )
    table = importance_table(
        selector.feature_importances_, selector.get_support(), names=list(X.columns)
    )
    return f"{head}\n{table}"


def _json_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _json_report(args, selector, X, kept, elapsed, interrupted):
    import numpy as np

    params = selector.get_params()
    hidden = np.atleast_1d(params["hidden_layer_sizes"])
    params["hidden_layer_sizes"] = [int(h) for h in hidden]
    return {
        "data": str(args.data),
        "target": args.target,
        "task": selector.task_,
        "n_samples": int(X.shape[0]),
        "rows_without_target": args.rows_without_target,
        "n_features": int(X.shape[1]),
        "selected": kept,
        "importances": dict(
            zip(
                map(str, X.columns),
                map(float, selector.feature_importances_),
                strict=True,
            )
        ),
        "threshold": _json_float(selector.threshold_),
        "shadow_importances": (
            None
            if selector.shadow_importances_ is None
            else selector.shadow_importances_.tolist()
        ),
        "pvalues": (None if selector.pvalues_ is None else selector.pvalues_.tolist()),
        "n_iter": int(selector.n_iter_),
        "weight_decay": float(selector.weight_decay_),
        "fit_time_s": round(elapsed, 4),
        "interrupted": interrupted,
        "parameters": params,
        "output": args.output,
        "plot": args.plot,
    }


def _figure(selector):
    """The figure of ``--plot``: the importances and the cut above, their
    history below."""
    from matplotlib.figure import Figure

    from sgdselect.plotting import plot_importance_history, plot_importances

    n = selector.n_features_in_
    fig = Figure(figsize=(max(6.0, min(0.35 * n, 14.0)), 8.0), layout="constrained")
    top, bottom = fig.subplots(2, 1)
    plot_importances(selector, ax=top)
    top.set_title("Importances at the end of training, and the cut")
    plot_importance_history(selector, ax=bottom)
    bottom.set_title("Importances over the epochs")
    return fig


def _save_plot(selector, path):
    try:
        _figure(selector).savefig(path)
    except OSError as exc:
        raise _CommandError(f"{path}: {exc.strerror or exc}") from None


# ------------------------------------------------------------------- main
def _stderr(line):
    print(line, file=sys.stderr, flush=True)


def _parse(argv):
    """Parsed arguments, or the exit status of argparse (usage error, --help)."""
    try:
        return _build_parser().parse_args(argv), None
    except SystemExit as exc:
        return None, exc.code if isinstance(exc.code, int) else 2


def main(argv=None):
    """Run the ``sgdselect`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 done, 1 data or fit error, 2 usage error (as
        argparse), 130 interrupted; the demo returns 1 when it misses the
        support.

    Examples
    --------
    The main job, as ``sgdselect demo``, on the built-in problem:

    >>> from sgdselect.cli import main
    >>> status = main(["demo", "--quiet"])  # doctest: +ELLIPSIS
    Friedman #1: 2000 samples, 25 features, of which 5 are relevant (x0-x4).
    Selected 5 features: [0, 1, 2, 3, 4] (5 of 5 relevant, 0 noise) in ...
    ...
    >>> status
    0
    """
    try:
        args, status = _parse(argv)
        if args is None:
            return status
        if args.command == "select":
            return run_select(args)
        verbose = 1 if (not getattr(args, "quiet", False) and _isatty()) else 0
        return run_demo(random_state=args.random_state, verbose=verbose)
    except _CommandError as exc:
        _stderr(f"{_PROG}: error: {exc}")
        return exc.status
    except KeyboardInterrupt:
        # On a terminal, start clear of the "^C" it echoed.
        _stderr(("\n" if _isatty() else "") + f"{_PROG}: interrupted (Ctrl-C)")
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as Unix tools do.
        _silence_stdout()
        return 1


def _isatty():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _silence_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
