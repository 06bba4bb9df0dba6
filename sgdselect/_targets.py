"""What the network is trained to predict: the task, classes, scaling and loss.

:func:`encode_targets` reads ``y`` once and returns a small frozen
:class:`Targets` (the task, the classes or the target standardization, the
loss) with the training matrix ``Y``; :meth:`Targets.score` scores a network
output against labels or values. Streams encode their first chunk with
:func:`encode_stream_targets` and later ones with :meth:`Targets.next_chunk`.
"""

import warnings
from dataclasses import dataclass, replace

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from sgdselect._preprocessing import column_stats, combine_moments

_CLASSIFICATION_TARGETS = ("binary", "multiclass")
_REGRESSION_TARGETS = ("continuous", "continuous-multioutput")
# Above this many distinct whole values, a numeric target is a quantity.
MAX_CLASSES = 20
# Within this factor of MAX_CLASSES either way, task="auto" says what it chose.
_CLOSE = 2


@dataclass(frozen=True)
class Targets:
    """The encoding of ``y`` a network trains on.

    ``task`` is ``"classification"`` (one-hot targets, cross-entropy) or
    ``"regression"`` (targets standardized by ``y_mean`` and ``y_scale``,
    squared error). For classification ``classes`` holds the sorted labels
    and ``y_mean``/``y_scale`` are 0 and 1; ``y_std`` is the targets' raw
    standard deviation (regression only), which streaming pools.
    """

    task: str
    y_mean: np.ndarray
    y_scale: np.ndarray
    classes: np.ndarray | None = None
    y_std: np.ndarray | None = None

    @classmethod
    def for_classes(cls, classes):
        k = len(classes)
        return cls("classification", np.zeros(k), np.ones(k), classes=classes)

    @classmethod
    def for_values(cls, Y):
        y_mean, y_std = column_stats(Y, "y")
        return cls("regression", y_mean, np.where(y_std > 0, y_std, 1.0), y_std=y_std)

    @property
    def loss(self):
        return "log_loss" if self.task == "classification" else "squared_error"

    def one_hot(self, y):
        """One-hot targets of labels ``y`` among ``classes``."""
        y = column_or_1d(y, warn=True)
        unseen = np.setdiff1d(y, self.classes)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen[:5].tolist()!r} that are not among "
                f"classes={self.classes.tolist()!r}; pass every label of the stream "
                "in classes on the first call to partial_fit."
            )
        index = np.searchsorted(self.classes, y)
        return np.eye(len(self.classes), dtype=np.float32)[index]

    def score(self, out, y):
        """Accuracy or R² of the network output ``out`` against ``y``."""
        if self.task == "classification":
            return accuracy_score(y, self.classes[np.argmax(out, axis=1)])
        pred = out * self.y_scale + self.y_mean
        y = np.asarray(y, dtype=np.float64)
        return r2_score(y, pred.reshape(y.shape) if y.ndim == 1 else pred)

    def next_chunk(self, y, classes):
        """The training matrix ``Y`` of a later chunk of a stream, in this
        encoding's task and classes (``classes``: as passed to that call)."""
        if self.task == "regression":
            if classes is not None:
                raise ValueError(
                    "classes was passed to partial_fit, but the selector was "
                    "first trained for regression."
                )
            try:
                Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    "the selector was trained for regression, but y is not numeric."
                ) from exc
            if Y.shape[1] != len(self.y_mean):
                raise ValueError(
                    f"y has {Y.shape[1]} output(s), but the selector was trained "
                    f"with {len(self.y_mean)}."
                )
            return Y
        if classes is not None and not np.array_equal(
            np.unique(np.asarray(classes)), self.classes
        ):
            raise ValueError(
                f"classes={list(np.unique(classes))!r} differs from the classes "
                f"of the first call, {self.classes.tolist()!r}; pass the same "
                "classes to every partial_fit call (or none after the first)."
            )
        return self.one_hot(y)

    def pooled(self, Y, n_seen):
        """The regression encoding with chunk ``Y`` pooled into the target
        statistics of ``n_seen`` earlier rows (classification: unchanged)."""
        if self.task != "regression":
            return self
        y_mean, y_std = combine_moments(
            (n_seen, self.y_mean, self.y_std), (Y.shape[0], *column_stats(Y, "y"))
        )
        y_scale = np.where(y_std > 0, y_std, 1.0)
        return replace(self, y_mean=y_mean, y_scale=y_scale, y_std=y_std)


def target_type(y):
    """``type_of_target``, quiet about huge values (it casts them to int), with
    numeric targets of many distinct whole values read as real values: a
    count, an amount or a measure that happens to be rounded (diabetes'
    151.0, 75.0, ...) is not a classification with hundreds of classes."""
    kind = _labels_type(y)
    if kind == "multiclass" and _n_whole_values(y) > MAX_CLASSES:
        return "continuous"
    return kind


def _labels_type(y):
    """``type_of_target`` as scikit-learn reads it, whole numbers as labels."""
    with np.errstate(invalid="ignore", over="ignore"):
        return type_of_target(y, input_name="y")


def _n_whole_values(y):
    """How many distinct values a numeric (not bool) ``y`` of whole numbers
    holds; 0 for labels of any other kind."""
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        return 0
    values = np.unique(y)
    if y.dtype.kind == "f" and not np.array_equal(values, np.round(values)):
        return 0
    return values.size


def _warn_if_close(y, task):
    """Say what ``task="auto"`` chose when ``y``'s count of distinct whole
    values is near the line between labels and a quantity."""
    n = _n_whole_values(y)
    if not MAX_CLASSES // _CLOSE < n <= MAX_CLASSES * _CLOSE:
        return
    if task == "classification":
        read, kind, other = f"as {n} classes", "quantities", "regression"
    else:
        read, kind, other = "as a quantity", "class labels", "classification"
    warnings.warn(
        f"y holds {n} distinct whole numbers, which task='auto' reads {read}; "
        f"if they are {kind} (counts, ratings, amounts are quantities), pass "
        f"task='{other}'.",
        UserWarning,
        stacklevel=5,
    )


def _resolve_task(task, kind):
    if task != "auto":
        return task
    if kind in _CLASSIFICATION_TARGETS:
        return "classification"
    if kind in _REGRESSION_TARGETS:
        return "regression"
    raise ValueError(
        f"Unknown label type: the target type {kind!r} is not "
        "supported; pass class labels (binary or multiclass) or real "
        "values (one or several columns)."
    )


def encode_targets(y, task):
    """``(targets, Y)``: the :class:`Targets` of ``y`` under ``task`` and the
    training matrix ``Y`` (n_samples, n_outputs)."""
    kind = target_type(y)
    if task == "auto":
        task = _resolve_task(task, kind)
        _warn_if_close(y, task)
    elif task == "classification" and kind == "continuous":
        # Forced: many whole numbers are labels when the caller says so.
        kind = _labels_type(y)
    if task == "classification":
        if kind not in _CLASSIFICATION_TARGETS:
            raise ValueError(
                f"task='classification' needs class labels, but y is {kind!r}; "
                "use task='regression' for real-valued targets."
            )
        y = column_or_1d(y, warn=True)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                "classification needs samples of at least 2 classes in the "
                "data, but the data contains only one class: "
                f"{encoder.classes_[0]!r}."
            )
        k = len(encoder.classes_)
        Y = np.eye(k, dtype=np.float32)[encoder.transform(y)]
        return Targets.for_classes(encoder.classes_), Y
    try:
        Y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"task='regression' needs numeric targets, but y is {kind!r}."
        ) from exc
    Y = Y.reshape(len(Y), -1)
    return Targets.for_values(Y), Y


def encode_stream_targets(y, task, classes):
    """:func:`encode_targets` for the first chunk of a stream: the classes
    come from ``classes`` when given, since one chunk need not hold them all."""
    if classes is None:
        # As fit: a classification stream takes its classes from the first
        # chunk; a later chunk with a new label is an error.
        return encode_targets(y, task)
    if task == "regression":
        raise ValueError(
            "classes was passed to partial_fit but task='regression'; "
            "drop classes, or set task='classification' or 'auto'."
        )
    classes = np.unique(np.asarray(classes))
    if len(classes) < 2:
        raise ValueError(
            f"classes must hold at least 2 labels, got {classes.tolist()!r}."
        )
    targets = Targets.for_classes(classes)
    return targets, targets.one_hot(y)
