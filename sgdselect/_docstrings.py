"""The parameter and attribute entries the selectors' docstrings share.

Written once here and formatted into each estimator's docstring, so that the
SGD, GD and cross-validated selectors describe a shared parameter in the
same words. Measured figures live on the benchmark pages of the
documentation, not here: an entry gives the reason in a line.
"""

PARAMETERS_THAT_MATTER = """
    The parameters that matter most: ``batch_size`` and ``learning_rate``
    set the strength of the implicit regularization (it grows with their
    ratio, η / b); ``max_iter`` must leave time for its slow second phase
    (check ``importances_history_``); ``threshold`` decides the cut
    (``"auto"`` finds it, see Notes); ``task`` says whether ``y`` holds
    classes or quantities. The defaults were chosen by measurement on
    synthetic and real data (the documentation's benchmark pages).
"""

AUTO_THRESHOLD_NOTES = """
    ``feature_importances_`` are the first-layer column norms averaged over
    the last 20% of the epochs. ``threshold="auto"`` works on their logs: SGD's
    shrinkage is multiplicative, which makes the shrunk mass a tight cluster
    in log space. It keeps the larger of two sets: the features more than 3
    robust standard deviations (1.4826 times the median absolute deviation)
    above the median and more than 1.5 times the median importance, and the
    upper group of the split into two groups with
    the least within-group variance (Otsu's rule) when that group holds at
    most half the features and its weakest feature is at least 1.5 times the
    strongest one below.

    When at most one feature stands out, the cut is weak: typical of real
    data whose relevant features are many and of graded strength, where one
    strong column hides a dozen weaker ones, and of noise, whose largest
    column can pass the bar by chance. The same holds when there is no
    clear gap and the weakest feature standing out is less than 6 robust
    standard deviations above the median: a graded mass. ``fit`` then
    tests the features:
    it trains rounds of 3 fresh networks (same parameters), each on ``X``
    with shadows appended: copies of every column with their rows permuted,
    which keep each column's distribution and lose its relation to the
    target, ``ceil(100 / n_features)`` per column (at least 100), the same
    shadows in the 3 networks of a round and a fresh draw of them in each
    round: 8 rounds where they fit in a fixed amount of training (rows times
    columns with their shadows times epochs), fewer on larger tables, at
    least 3. A feature is scored by its geometric mean importance over every
    network of every round, a shadow by its geometric mean over its round's
    3; a feature's p-value (``pvalues_``) is the upper tail of a normal law
    fitted to the scores of all the rounds' shadows (their median, and the
    spread of their upper tail). A feature is kept when its p-value is at
    most 0.01 and passes the Benjamini-Hochberg step at a false discovery
    rate of 0.2. The rounds make the selection stable: on a small table the
    networks fit the shadows' chance relations to ``y``, so one draw of the
    shadows moves the features' scores, and a rerun with another seed kept
    other columns; each round more steadies the columns whose p-values lie
    near the bar (docs/benchmarks/archive/shadow_rounds.md and
    shadow_budget.md). ``feature_importances_`` is then the geometric mean
    over the test's networks, ``shadow_importances_`` holds the shadows',
    and ``coefs_`` stays the network trained without them. With mini-batches
    the test's networks train at 4 times ``learning_rate``, at most 0.8 (or
    ``learning_rate`` where that is higher): SGD's pull on the columns that
    carry nothing grows with the learning rate, and the shadows fall further
    below the features that hold. They train for as many times fewer epochs
    (``max_iter`` times ``learning_rate`` over their rate, rounded up): as
    long as the first network in learning rate times steps. This costs 9 to
    24 more fits (3 to 8 times 3/4 of the first network's steps at the
    defaults), each on ``(1 + ceil(100 / n_features)) * n_features`` columns
    (one round's held in memory beside ``X`` at a time); ``partial_fit`` and
    warm-started fits do not do it. If no feature passes, the network
    learned nothing about ``y`` that a shuffled column does not give: it
    keeps the most important feature and warns that the fit found nothing.
"""

_COMMON_PARAMETERS = """
    activation : {{"relu", "tanh", "linear"}}, default="tanh"
        Activation of the hidden layers. ``"linear"`` gives the deep linear
        network of the paper's synthetic protocol.
    learning_rate : float, default={lr}
        The step size η. The implicit regularization grows with η / batch size.
    max_iter : int, default={max_iter}
        Number of epochs (passes over the data). {epochs_note}
    weight_decay : "auto" or float, default="auto"
        L2 penalty on the weights (not the biases), applied after clipping as
        ``torch.optim.SGD`` does: the paper's explicit-regularization
        reference. A little of it pulls the columns of irrelevant inputs
        down further than the gradient noise alone. ``"auto"`` uses
        ``2 / n`` for a training call on ``n`` rows (each fold's rows in a
        search, the chunk's rows in ``partial_fit``), as scikit-learn's
        ``MLPRegressor`` divides ``alpha`` by ``n``: one epoch of SGD then
        decays the weights by ``2 * learning_rate / batch_size`` whatever
        ``n``. The value used is ``weight_decay_``.
    max_grad_norm : float or None, default=1.0
        Clip the gradient of each step to this Euclidean norm, as the paper
        does; ``None`` disables clipping.
    init_scale : float, default=0.3
        Multiplier of the Kaiming-normal initialization of the weights.
    input_squares : bool, default=True
        Feed the network each standardized feature ``z`` and its centred
        square ``z**2 - 1``, scaled to unit variance (``square_scale_``); a
        feature's importance is then the norm of its two first-layer rows
        together. A target that depends on a feature through an even
        function (``x**2``, ``|x|``, a ring) is uncorrelated with the feature
        itself, and among many noise columns SGD's shrinkage wins before a
        network reading only ``z`` finds it; the square carries it at first
        order. It doubles the first layer's inputs (computed on the fly, not
        stored). ``False`` gives the paper's network.
    input_map : {{"rank_gauss", "standardize"}}, default="rank_gauss"
        How the network reads a raw column. ``"rank_gauss"``: the normal
        score of its rank in the training data (ties share their mean rank),
        then standardized: only the order of a column's values counts, so a
        monotone transform of a column (its log, its ranks) changes nothing,
        and skew, heavy tails and outlying cells stay in bounds, as for a
        tree. Quantiles come from at most 100,000 rows and 1,000 values per
        column; with ``partial_fit``, from the first chunk (later values are
        placed among them). ``"standardize"``: its value minus the mean over
        the standard deviation, which keeps distances (the paper's network).
        The default was chosen on synthetic and real cases together
        (docs/benchmarks/recovery.md).
    label_noise : float, default=0.0
        Standard deviation of Gaussian noise added afresh to the standardized
        regression targets at every visit (ignored for classification). It
        keeps the gradient noise that shrinks irrelevant columns alive after
        the loss has been fitted (label-noise SGD, Blanc et al., 2020).
    early_stopping : bool, default=False
        Stop once the selected support has not changed, and the importances
        relative to the largest have moved by at most ``tol``, for
        ``n_iter_no_change`` consecutive epochs. The networks of
        ``threshold="auto"``'s shadow test train for all their epochs.
    tol : float, default=1e-3
        Largest change of the relative importances that counts as still.
    n_iter_no_change : int, default=10
        Epochs the support must hold still before early stopping.
    task : {{"auto", "regression", "classification"}}, default="auto"
        What ``y`` holds. ``"auto"`` infers it as scikit-learn does: binary or
        multiclass labels (strings included) give classification with the
        cross-entropy loss; real values give regression with the squared
        error on standardized targets. A numeric target of whole numbers
        (integers, or floats such as 151.0) is read as class labels up to 20
        distinct values and as a quantity beyond, with a warning when the
        count is near that line (11 to 40); force the task where it reads
        yours wrong.
    threshold : str or float, default="auto"
        Importance cut. ``"auto"`` finds the gap between the features that
        stand out and the shrunk mass, and where there is none (or what
        stands out does so only marginally), ``fit`` trains again beside
        permuted copies of the columns and keeps the features that beat them
        all (see Notes); a float is an absolute cut;
        ``"mean"``, ``"median"`` and scaled words such as ``"1.5*mean"`` mean
        what they mean in :class:`~sklearn.feature_selection.SelectFromModel`.
    max_features : int or None, default=None
        Keep at most this many features (the most important ones above the
        threshold; ties broken by column order).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
        Read only in ``fit``; the fitted attributes are NumPy arrays whatever
        the device, so a selector trained on a GPU unpickles without one.
    n_jobs : int or None, default=None
        CPU threads that share out the rows of a step whose batch holds a few
        thousand rows or more (full-batch gradient descent, large batches),
        and the networks of ``threshold="auto"``'s shadow test, which train
        side by side. ``-1`` uses all cores, ``None`` means 1. A network of
        smaller batches runs on one thread, its steps being too short to
        share. The result does not depend on it: the parts of a batch's
        gradient are added in the same order whatever the thread count, and
        the shadow test's networks are independent.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization and the batch order. A fixed value gives
        identical results on one machine and build; on another CPU the last
        bits may differ, and clear-cut selections do not.
    verbose : int, default=0
        0: silent. 1: a progress bar over the epochs on stderr (tqdm), with
        the current loss. 2 or more: one line per epoch with the loss and the
        time elapsed, on stdout.
    warm_start : bool, default=False
        Continue training the previous network (and batch order) on ``fit``.
    feature_groups : list of lists of int or str, or None, default=None
        Columns selected together, as one decision: each group is a list of
        column indices, or of column names when ``X`` is a DataFrame (e.g.
        the one-hot columns of one variable, or measurements of one
        instrument). A group's importance is the root mean square of its
        columns' importances (their norm would grow with the group's size,
        and let a large group that carries nothing beat the shadows);
        ``threshold`` and ``max_features`` count groups, not columns; with
        shadows, a group's columns are permuted together. Each column of a
        group then holds its group's importance (and p-value) in
        ``feature_importances_`` and ``importances_history_``, and
        ``get_support`` keeps or drops all of a group's columns. Columns
        in no group are groups of their own. A column in two groups, an
        unknown column or an empty group is an error.
"""

RAW_TABLES_NOTES = """
    ``fit`` takes a pandas DataFrame as it comes. Where a column is text or
    categories (``category``, ``object`` or string dtypes) or a cell is
    missing (NaN, None, ``pd.NA``), each column is encoded into network
    inputs: a number or boolean as itself with missing cells at the median
    of the column; a category as one 0/1 input per level seen in at least 10
    rows, plus, where some levels are rarer, one input for them and for
    those first seen later (so an identifier, one level per row, is constant
    and never selected); and for a column with missing cells, an input that
    is 1 where the cell is missing, so that missingness itself can carry the
    signal. The selection is still over the original columns:
    ``n_features_in_``, ``feature_names_in_``, ``get_support`` and
    ``transform`` speak of them, and ``transform`` returns a DataFrame's
    kept columns as they are. A column mixing Python types, one with no
    observed value and a category of more than 100 such levels are errors
    naming the column and the remedy. ``partial_fit`` takes such tables too,
    encoded as its first chunk fixes; numeric input without missing cells is
    read as before.
"""

PARTIAL_FIT = """Train on one chunk of data: a single pass over ``(X, y)``.

        Streams data larger than memory through the network, one chunk per
        call. The first call draws the network from ``random_state``; every
        call updates running standardization statistics of ``X`` (and of
        regression targets) and re-expresses the network in the new units,
        so what it computes is unchanged by the update.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One chunk of training data (a single row is allowed).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        classes : array-like of shape (n_classes,), default=None
            Every class label of the whole stream, for classification. Pass it
            on the first call when the first chunk may not hold every class:
            by default the classes are those of the first chunk, and a later
            chunk with a label outside them is an error. It must not change
            on later calls. Leave it out for regression.

        Returns
        -------
        self : object
            The selector, trained one more pass.

        Notes
        -----
        A chunk smaller than ``batch_size`` is one batch. ``early_stopping``
        and ``max_iter`` do not apply: the caller decides how many passes to
        make. ``n_iter_`` counts the passes (calls and epochs of ``fit``).

        Chunks may be DataFrames with text, category and bool columns and
        missing cells, as for ``fit``; the first chunk fixes their encoding:
        a text column keeps the levels seen in at least 10 of its rows, a
        ``category`` column every level its dtype declares, and a later level
        not kept goes to the column's pooled input; a column gets a missing
        indicator when the first chunk has missing cells in it (later ones
        are filled). A stream begun on numbers without missing cells refuses
        a chunk with text or missing cells.

        Examples
        --------
        >>> import numpy as np
        >>> from sgdselect import SGDSupportSelector
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(1000, 6))
        >>> y = np.sin(X[:, 0]) + X[:, 1] ** 2
        >>> selector = SGDSupportSelector(random_state=0)
        >>> for epoch in range(40):
        ...     for chunk in np.array_split(np.arange(1000), 4):
        ...         selector = selector.partial_fit(X[chunk], y[chunk])
        >>> selector.n_iter_, selector.n_samples_seen_
        (160, 40000)
        >>> selector.get_support(indices=True)
        array([0, 1])
        """

ATTRIBUTES = """
    Attributes
    ----------
    feature_importances_ : ndarray of shape (n_features,)
        Euclidean norm of each input's first-layer weight column, in
        standardized units, averaged over the last 20% of the epochs
        (``importances_history_``), which smooths the noisy floor that SGD
        leaves the irrelevant columns on. Constant columns get exactly 0.
        A column that spreads over several network inputs (a text or
        category column of a DataFrame, one with missing cells) gets the
        root mean square of its varying inputs' importances (a constant
        input does not count); a group of ``feature_groups`` that of its
        columns' inputs, repeated in each.
    importances_history_ : ndarray of shape (n_epochs, n_features)
        The same norms recorded after every epoch: the second phase of
        training, where the irrelevant columns shrink, made visible.
    shadow_importances_ : ndarray of shape (n_rounds, n_networks, n_shadows) or None
        Importances of the shadows (copies of the columns with their rows
        permuted, ``ceil(100 / n_features)`` per column, at least 100 in all)
        in each network trained beside them, when ``threshold="auto"`` found
        its cut weak and tested the features: 3 to 8 rounds of 3 networks
        (the most on small tables), each round with its own draw of the
        shadows (shadow ``j`` of one round is
        another permutation than shadow ``j`` of the next). Then
        ``feature_importances_`` is the geometric mean over all those
        networks; every other fitted attribute comes from the network trained
        without them. None otherwise.
    pvalues_ : ndarray of shape (n_features,) or None
        The p-values of that test (see Notes), None where it did not run.
        With ``threshold="auto"`` the selection is then the features that
        pass it (at most 0.01, and the Benjamini-Hochberg step at 0.2),
        whatever their importance.
    threshold_ : float
        The importance cut actually used, resolved from ``threshold``;
        where the shadow test selected, the weakest kept importance.
    weight_decay_ : float
        The L2 strength the last training call used, resolved from
        ``weight_decay`` (``"auto"``: 2 / its number of rows).
    loss_curve_ : list of float
        Mean training loss of each epoch (on standardized targets).
    n_iter_ : int
        Number of epochs run.
    coefs_ : list of ndarray
        Weight matrices of the network, ``coefs_[i]`` of shape
        ``(n_inputs_i, n_outputs_i)``. With ``input_squares``, ``coefs_[0]``
        has ``2 * n_features_in_`` rows: feature ``j``'s at ``j`` and its
        square's at ``n_features_in_ + j``. After a fit on a DataFrame with
        text, category or missing cells, its rows are those of the network
        inputs the columns were encoded into (a level each, an "other"
        input and a missing indicator), not of the columns.
    intercepts_ : list of ndarray
        Bias vectors of the network.
    n_samples_seen_ : int
        Number of samples behind ``mean_`` and ``scale_``: those of ``fit``,
        or of every chunk so far with ``partial_fit``.
    mean_ : ndarray of shape (n_features,)
        Column means used to standardize ``X`` (with
        ``input_map="rank_gauss"``, of its normal scores).
    scale_ : ndarray of shape (n_features,)
        Column standard deviations used to standardize ``X`` (0 for constant
        columns; with ``input_map="rank_gauss"``, of its normal scores).
    square_scale_ : ndarray of shape (n_features,) or None
        With ``input_squares``: the standard deviation of each standardized
        column's square ``z**2``, which scales the square input ``(z**2 - 1)
        / square_scale_`` to unit variance (0, and a zero input, where the
        square does not vary). From ``fit``'s data, or from the first chunk
        with ``partial_fit``. None without ``input_squares``.
    task_ : str
        ``"classification"`` or ``"regression"``, as resolved from ``task``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classification only).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
"""


def parameters(exclude=(), **values):
    """The shared parameter entries, formatted, without those in ``exclude``.

    An entry starts at a line indented by four spaces and runs to the next.
    """
    entries, current = [], None
    for line in _COMMON_PARAMETERS.format(**values).strip("\n").splitlines():
        if not line.startswith("     "):
            current = [line]
            entries.append(current)
        else:
            current.append(line)
    kept = [e for e in entries if e[0].split(" : ")[0].strip() not in exclude]
    # The template's own "    {common}" line gives the first entry its indent.
    return "\n".join(line for entry in kept for line in entry).lstrip()


def format_docstring(cls, **values):
    """Fill ``cls``'s docstring placeholders ``{matter}``, ``{common}``
    (with ``values`` and ``exclude``), ``{attributes}``, ``{auto_notes}``
    and ``{table_notes}``."""
    exclude = values.pop("exclude", ())
    cls.__doc__ = cls.__doc__.format(
        matter=PARAMETERS_THAT_MATTER.strip("\n").lstrip(),
        auto_notes=AUTO_THRESHOLD_NOTES.strip("\n").lstrip(),
        table_notes=RAW_TABLES_NOTES.strip("\n").lstrip(),
        common=parameters(exclude=exclude, **values),
        attributes=ATTRIBUTES.rstrip("\n"),
    )
    return cls
