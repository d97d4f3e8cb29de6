"""EchoStateClassifier: layouts, partial_fit, class weights, probabilities."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.utils.class_weight import compute_class_weight

from skrnn import EchoStateClassifier


@pytest.fixture(scope="module")
def waves():
    """Three classes of noisy sine waves of varying length (a list)."""
    rng = np.random.default_rng(0)
    X, y = [], []
    for i in range(90):
        label = i % 3
        length = int(rng.integers(30, 60))
        t = np.arange(length)
        X.append(
            np.sin(t / (2 + label) + rng.uniform(0, 6)) + 0.2 * rng.normal(size=length)
        )
        y.append(["low", "mid", "high"][label])
    return X, np.array(y)


def padded(sequences):
    T = max(len(s) for s in sequences)
    out = np.full((len(sequences), T), np.nan)
    for row, s in zip(out, sequences):
        row[: len(s)] = s
    return out


@pytest.mark.parametrize("pooling", ["mean", "last", "steps"])
def test_learns_waves_in_every_layout(waves, pooling):
    X, y = waves
    clf = EchoStateClassifier(n_reservoir=100, pooling=pooling, random_state=0)
    clf.fit(X[:60], y[:60])
    assert list(clf.classes_) == ["high", "low", "mid"]
    accuracy = clf.score(X[60:], y[60:])
    if pooling != "last":  # the last state of a wave says little of its period
        assert accuracy >= 0.9
    # A list and its NaN-padded array are the same sequences.
    np.testing.assert_allclose(
        clf.decision_function(X[60:]), clf.decision_function(padded(X[60:])), atol=1e-12
    )
    assert clf.score(padded(X[60:]), y[60:]) == accuracy


def test_probabilities(waves):
    X, y = waves
    clf = EchoStateClassifier(n_reservoir=80, random_state=0).fit(X[:60], y[:60])
    proba = clf.predict_proba(X)
    decision = clf.decision_function(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba > 0).all()
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X))
    # The readout's outputs sum to one; the documented map keeps them where
    # they are clearly positive and makes the others small and positive.
    np.testing.assert_allclose(decision.sum(axis=1), 1.0, atol=1e-9)
    positive = 0.01 * np.log1p(np.exp(decision / 0.01))
    np.testing.assert_allclose(proba, positive / positive.sum(1, keepdims=True))
    clear = decision > 0.1
    np.testing.assert_allclose(positive[clear], decision[clear], rtol=1e-3)


def test_binary_decision_function_and_probabilities_agree(waves):
    X, y = waves
    binary = y != "mid"
    clf = EchoStateClassifier(n_reservoir=80, random_state=0).fit(
        [x for x, b in zip(X, binary) if b], y[binary]
    )
    decision = clf.decision_function(X)
    assert decision.shape == (90,)
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[(decision > 0).astype(int)]
    )
    order = np.argsort(decision)
    assert np.all(np.diff(clf.predict_proba(X)[order, 1]) >= 0)


@pytest.mark.parametrize("standardize", [False, True])
def test_partial_fit_equals_fit(waves, standardize):
    X, y = waves
    params = dict(n_reservoir=60, standardize=standardize, random_state=0)
    part = EchoStateClassifier(**params)
    chunks = np.array_split(np.arange(90), 3)
    for chunk in chunks:
        part.partial_fit(
            [X[i] for i in chunk], y[chunk], classes=["high", "low", "mid"]
        )
    X_full = X
    if standardize:
        # The first chunk's statistics: one fit on data scaled with them.
        first = np.concatenate([X[i] for i in chunks[0]])
        mean, scale = first.mean(), first.std()
        np.testing.assert_allclose(part.input_scale_, [scale])
        X_full = [(x - mean) / scale for x in X]
        params["standardize"] = False
    full = EchoStateClassifier(**params).fit(X_full, y)
    assert part.alpha_ == full.alpha_
    # To rounding: the sums are added in another order.
    np.testing.assert_allclose(
        part.decision_function(X), full.decision_function(X_full), rtol=0, atol=1e-7
    )


def test_partial_fit_classes(waves):
    X, y = waves
    clf = EchoStateClassifier(n_reservoir=30, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X[:10], y[:10])
    clf.partial_fit(X[:3], ["low", "low", "low"], classes=["high", "low", "mid"])
    assert list(clf.classes_) == ["high", "low", "mid"]
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X[:2], ["low", "other"])
    coef = clf.coef_.copy()
    clf.partial_fit(X[3:30], y[3:30])
    assert not np.allclose(clf.coef_, coef)


def test_class_weight_weighs_rows_like_a_sample_weight(waves):
    # With a fixed penalty, a class weight is a sample weight per class,
    # and the two multiply.
    X, y = waves
    weights = {"low": 3.0, "mid": 0.5}
    per_sample = np.array([weights.get(label, 1.0) for label in y])
    sample_weight = np.linspace(0.5, 2, 90)
    params = dict(n_reservoir=40, alpha=1e-2, random_state=0)
    for given in (None, sample_weight):
        weighted = EchoStateClassifier(class_weight=weights, **params)
        weighted.fit(X, y, sample_weight=given)
        factor = per_sample if given is None else per_sample * given
        plain = EchoStateClassifier(**params).fit(X, y, sample_weight=factor)
        np.testing.assert_allclose(
            weighted.decision_function(X), plain.decision_function(X), atol=1e-9
        )
    # But class weights add no observations: GCV counts the sample weights.
    auto = EchoStateClassifier(n_reservoir=40, class_weight={"low": 1000.0})
    assert auto.fit(X, y)._sums.n_observations == 90
    repeated = EchoStateClassifier(n_reservoir=40)
    repeated.fit(X, y, sample_weight=np.where(y == "low", 1000.0, 1.0))
    assert repeated._sums.n_observations == 30 * 1000 + 60


def test_balanced_class_weight(waves):
    X, y = waves
    keep = np.r_[0:90:3, 1:90:3, 2:60:3]  # "mid" under-represented
    Xk, yk = [X[i] for i in keep], y[keep]
    balanced = EchoStateClassifier(
        n_reservoir=40, class_weight="balanced", random_state=0
    )
    balanced.fit(Xk, yk)
    factors = compute_class_weight("balanced", classes=balanced.classes_, y=yk)
    manual = EchoStateClassifier(
        n_reservoir=40,
        class_weight=dict(zip(balanced.classes_, factors)),
        random_state=0,
    ).fit(Xk, yk)
    np.testing.assert_allclose(
        balanced.decision_function(Xk), manual.decision_function(Xk), atol=1e-9
    )
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        EchoStateClassifier(class_weight="balanced").partial_fit(
            Xk, yk, classes=balanced.classes_
        )


def test_return_sequences_one_label_per_step(waves):
    X, _ = waves
    # The label of a step: is the signal above zero there?
    labels = [np.where(x > 0, "up", "down") for x in X]
    clf = EchoStateClassifier(
        n_reservoir=60, return_sequences=True, washout=0, random_state=0
    ).fit(X[:60], labels[:60])
    predicted = clf.predict(X[60:])
    assert isinstance(predicted, list)
    assert [len(p) for p in predicted] == [len(x) for x in X[60:]]
    assert clf.score(X[60:], labels[60:]) > 0.95
    as_array = clf.predict(padded(X[60:]))
    assert as_array.shape == padded(X[60:]).shape
    assert as_array[0, len(X[60]) :].tolist() == [None] * (
        as_array.shape[1] - len(X[60])
    )
    proba = clf.predict_proba(padded(X[60:]))
    assert proba.shape == padded(X[60:]).shape + (2,)
    assert np.isnan(proba[0, len(X[60]) :]).all()
    # Per-step class weights count steps.
    weighted = EchoStateClassifier(
        n_reservoir=60,
        return_sequences=True,
        washout=0,
        class_weight={"up": 2.0},
        random_state=0,
    ).fit(X[:60], labels[:60])
    assert not np.allclose(weighted.coef_, clf.coef_)


def test_grid_search(waves):
    X, y = waves
    grid = GridSearchCV(
        EchoStateClassifier(n_reservoir=50, random_state=0),
        {"pooling": ["mean", "last"], "leak_rate": [0.5, 1.0]},
        cv=3,
        n_jobs=2,
    ).fit(padded(X), y)
    assert grid.best_params_["pooling"] == "mean"
    assert grid.best_score_ > 0.85


def test_float32_in_float32_out(waves):
    X, y = waves
    X32 = padded(X).astype(np.float32)
    clf = EchoStateClassifier(n_reservoir=30, random_state=0).fit(X32, y)
    assert clf.predict_proba(X32).dtype == np.float32
    assert clf.decision_function(X32).dtype == np.float32
    assert clf.predict_proba(padded(X)).dtype == np.float64


def test_errors(waves):
    X, y = waves
    with pytest.raises(ValueError, match="at least 2 classes.*1 class"):
        EchoStateClassifier(n_reservoir=10).fit(X[:5], ["a"] * 5)
    with pytest.raises(ValueError, match="Unknown label type"):
        EchoStateClassifier(n_reservoir=10).fit(X[:5], np.linspace(0, 1, 5))
    with pytest.raises(ValueError, match="Multilabel"):
        EchoStateClassifier(n_reservoir=10).fit(X[:5], np.eye(5, 2, dtype=int))
    clf = EchoStateClassifier(n_reservoir=10, random_state=0).fit(X, y)
    coef = clf.coef_.copy()
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X[:3], ["low", "new", "mid"])
    np.testing.assert_array_equal(clf.coef_, coef)


def _rescaled(X, seed=1):
    """Each sequence times its own positive factor, plus its own offset."""
    rng = np.random.default_rng(seed)
    return [x * 10 ** rng.uniform(-1, 2) + rng.uniform(-50, 50) for x in X]


def test_standardize_sequence_channels():
    from skrnn._scaling import LOG_SCALE_FLOOR, standardize_each_sequence
    from skrnn._sequences import Sequences

    values = np.zeros((3, 4, 2))
    values[0] = [[1, 2], [3, 4], [5, 6], [7, 8]]
    values[1, :2] = [[5, 5], [5, 5]]  # constant, then padding
    values[2, :3] = [[-1e6, 0], [1e6, 0], [0, 3e6]]
    lengths = np.array([4, 2, 3])
    out = standardize_each_sequence(Sequences(values, lengths)).values
    assert out.shape == (3, 4, 4)
    for row, (seq, length) in enumerate(zip(values, lengths)):
        real = seq[:length]
        shape = out[row, :length, :2]
        np.testing.assert_allclose(out[row, :length, 2], real.mean())
        np.testing.assert_allclose(
            out[row, :length, 3], np.log(max(real.std(), LOG_SCALE_FLOOR))
        )
        if real.std() > 0:
            np.testing.assert_allclose(shape, (real - real.mean()) / real.std())
        else:
            np.testing.assert_array_equal(shape, 0.0)
        np.testing.assert_array_equal(out[row, length:], 0.0)


def test_standardize_sequence_reservoir_reads_the_shape_only(waves):
    X, y = waves
    clf = EchoStateClassifier(n_reservoir=60, random_state=0).fit(X, y)
    assert clf.standardize == "sequence"
    W_in = clf.reservoir_.W_in
    assert W_in.shape == (60, 3)
    np.testing.assert_array_equal(W_in[:, 1:], 0.0)
    assert np.all(W_in[:, 0] != 0)


def test_standardize_sequence_keeps_level_and_amplitude(waves):
    # The same shapes; the class is the amplitude alone.
    X, _ = waves
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, len(X))
    X = [x * (1 + 9 * label) + rng.normal(0, 0.05) for x, label in zip(X, y)]
    clf = EchoStateClassifier(n_reservoir=60, random_state=0)
    assert clf.fit(X[:60], y[:60]).score(X[60:], y[60:]) >= 0.95


def test_standardize_sequence_wins_when_level_and_amplitude_are_noise(waves):
    X, y = waves
    X = _rescaled(X)
    scores = {
        standardize: EchoStateClassifier(
            n_reservoir=100, standardize=standardize, random_state=0
        )
        .fit(X[:60], y[:60])
        .score(X[60:], y[60:])
        for standardize in ("sequence", True)
    }
    assert scores["sequence"] >= 0.9
    assert scores["sequence"] > scores[True] + 0.2


def test_standardize_sequence_constant_and_padded_sequences(waves):
    X, y = waves
    X = [np.full(10, 3.0), *X[1:]]
    clf = EchoStateClassifier(n_reservoir=30, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    # A constant sequence is centred, never divided by zero; the NaN-padded
    # form of the list gives the same answers.
    assert np.isfinite(clf.decision_function([np.full(10, -7.0)])).all()
    np.testing.assert_allclose(
        clf.decision_function(padded(X)), clf.decision_function(X), atol=1e-12
    )


def test_standardize_sequence_is_the_classifiers_option_only():
    from sklearn.utils._param_validation import InvalidParameterError

    from skrnn import EchoStateRegressor

    X, y = np.random.default_rng(0).normal(size=(10, 5)), np.arange(10.0)
    with pytest.raises(InvalidParameterError, match="standardize"):
        EchoStateRegressor(n_reservoir=10, standardize="sequence").fit(X, y)
