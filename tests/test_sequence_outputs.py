"""Per-step outputs (return_sequences), forecasting and truncated BPTT."""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold

from skrnn import RNNClassifier, RNNRegressor
from skrnn.datasets import lag_windows

SMALL = {
    "hidden_layer_sizes": (8,),
    "max_iter": 5,
    "learning_rate_init": 0.01,
    "random_state": 0,
    "return_sequences": True,
}


def sign_memory_task(n_samples=60, n_steps=7, seed=0):
    """Label of step t: whether the input one step earlier was positive."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_steps))
    previous = np.concatenate([np.zeros((n_samples, 1)), X[:, :-1]], axis=1)
    return X, np.where(previous > 0, "up", "down")


def ragged(X, lengths):
    return [x[:length] for x, length in zip(X, lengths)]


def test_classifier_learns_a_per_step_task():
    X, y = sign_memory_task(n_samples=300)
    clf = RNNClassifier(**{**SMALL, "cell": "gru", "max_iter": 40}).fit(X, y)
    X_test, y_test = sign_memory_task(n_samples=100, seed=1)
    assert clf.predict(X_test).shape == y_test.shape
    assert clf.score(X_test, y_test) > 0.9


def test_conv_front_end_reads_the_previous_step():
    # The causal convolution keeps one output per input step, and a kernel
    # of 2 sees the previous input directly: the sign-memory task becomes
    # easy. Pooling would merge steps, so it is refused with per-step outputs.
    # (In 20 epochs the same network without the front end scores 0.73.)
    # The labels are signs of raw inputs, so the inputs are scaled per
    # feature only: each sequence's own centring would move the threshold.
    X, y = sign_memory_task(n_samples=300)
    X_test, y_test = sign_memory_task(n_samples=100, seed=1)
    clf = RNNClassifier(
        **{**SMALL, "max_iter": 20},
        conv_filters=4,
        conv_kernel_size=2,
        standardize=True,
    )
    assert clf.fit(X, y).score(X_test, y_test) > 0.9
    with pytest.raises(ValueError, match="conv_pool=1"):
        clf.set_params(conv_pool=2).fit(X, y)


def test_shapes_of_array_outputs():
    X, y = sign_memory_task()
    X3 = X[:, :, np.newaxis]
    clf = RNNClassifier(**SMALL).fit(X3, y)
    assert clf.predict(X3).shape == (60, 7)
    assert clf.predict_proba(X3).shape == (60, 7, 2)
    np.testing.assert_allclose(clf.predict_proba(X3).sum(axis=2), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X3), np.log(clf.predict_proba(X3)))
    Y = np.stack([X, -X], axis=2)
    reg = RNNRegressor(**SMALL).fit(X3, Y)
    assert reg.predict(X3).shape == (60, 7, 2)
    assert RNNRegressor(**SMALL).fit(X3, X).predict(X3).shape == (60, 7)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["lstm", "clockwork"])
def test_list_in_list_out_and_each_sequence_alone(cell, bidirectional):
    X, y = sign_memory_task()
    lengths = np.random.RandomState(0).randint(1, 8, size=len(X))
    X_list, y_list = ragged(X, lengths), ragged(y, lengths)
    clf = RNNClassifier(
        **SMALL, cell=cell, bidirectional=bidirectional, clock_periods=(1, 2)
    ).fit(X_list, y_list)
    together = clf.predict_proba(X_list)
    assert [len(p) for p in together] == list(lengths)
    for i in (0, 3, 7):
        alone = clf.predict_proba([X_list[i]])[0]
        np.testing.assert_allclose(together[i], alone, rtol=1e-10, atol=1e-12)


def test_padded_array_outputs_hold_nan_after_each_end():
    X, _ = sign_memory_task()
    lengths = np.random.RandomState(1).randint(1, 8, size=len(X))
    padded = X.copy()[:, :, np.newaxis]
    target = X.copy()
    for i, length in enumerate(lengths):
        padded[i, length:] = np.nan
        target[i, length:] = np.nan  # ignored: only real steps count
    reg = RNNRegressor(**SMALL).fit(padded, target)
    predicted = reg.predict(padded)
    assert predicted.shape == (60, 7)
    np.testing.assert_array_equal(np.isnan(predicted), np.isnan(target))
    alone = reg.predict([X[5, : lengths[5]]])[0]
    np.testing.assert_allclose(predicted[5, : lengths[5]], alone, rtol=1e-10)
    # String labels have no NaN: padded steps hold None.
    labels = np.where(X > 0, "up", "down")
    clf = RNNClassifier(**SMALL).fit(padded, labels)
    predicted = clf.predict(padded)
    assert predicted[0, lengths[0] - 1] in ("up", "down")
    if lengths[0] < 7:
        assert predicted[0, -1] is None


def test_score_averages_over_real_steps():
    X, y = sign_memory_task()
    lengths = np.random.RandomState(2).randint(1, 8, size=len(X))
    X_list, y_list = ragged(X, lengths), ragged(y, lengths)
    weights = np.random.RandomState(3).uniform(0.5, 2, size=len(X))
    clf = RNNClassifier(**SMALL).fit(X_list, y_list)
    expected = accuracy_score(
        np.concatenate(y_list),
        np.concatenate(clf.predict(X_list)),
        sample_weight=np.repeat(weights, lengths),
    )
    assert clf.score(X_list, y_list, sample_weight=weights) == pytest.approx(expected)
    reg = RNNRegressor(**SMALL).fit(X_list, ragged(X, lengths))
    expected = r2_score(
        np.concatenate(ragged(X, lengths)), np.concatenate(reg.predict(X_list))
    )
    assert reg.score(X_list, ragged(X, lengths)) == pytest.approx(expected)


def test_padding_steps_never_enter_the_loss():
    # Changing targets after a sequence's end changes nothing.
    X, y = sign_memory_task()
    X3 = X[:, :, np.newaxis].copy()
    X3[:10, 5:] = np.nan
    y_other = y.copy()
    y_other[:10, 5:] = "up"
    a = RNNClassifier(**SMALL).fit(X3, y)
    b = RNNClassifier(**SMALL).fit(X3, y_other)
    np.testing.assert_array_equal(a.params_, b.params_)


def step_accuracy(y_true, y_pred, lengths):
    """Accuracy over the real steps of per-step labels, by hand."""
    hits = [np.mean(t[:n] == p[:n]) * n for t, p, n in zip(y_true, y_pred, lengths)]
    return np.sum(hits) / np.sum(lengths)


def test_pickle_and_grid_search():
    X, y = sign_memory_task()
    clf = RNNClassifier(**SMALL).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # Sequences of 2 to 7 steps, NaN-padded, whose labels after each end
    # are all "up": a score that counted them would be off.
    lengths = np.random.RandomState(5).randint(2, 8, size=len(X))
    padded, labels = X[:, :, np.newaxis].copy(), y.copy()
    for i, length in enumerate(lengths):
        padded[i, length:] = np.nan
        labels[i, length:] = "up"
    search = GridSearchCV(
        RNNClassifier(**SMALL), {"cell": ["rnn", "gru"]}, cv=2, n_jobs=2
    ).fit(padded, labels)
    # The cross-validated score of every cell, by hand: per-step labels are
    # multiclass-multioutput, so cv=2 is KFold(2), and each fold's score is
    # the accuracy over the real steps of its held-out sequences.
    for cell, score in zip(
        search.cv_results_["param_cell"], search.cv_results_["mean_test_score"]
    ):
        folds = []
        for train, test in KFold(2).split(padded):
            model = RNNClassifier(**SMALL, cell=cell).fit(padded[train], labels[train])
            predicted = model.predict(padded[test])
            folds.append(step_accuracy(labels[test], predicted, lengths[test]))
        assert score == pytest.approx(np.mean(folds), abs=1e-12)
    assert search.best_score_ == search.cv_results_["mean_test_score"].max()
    assert search.predict(padded).shape == y.shape


def test_early_stopping_scores_steps():
    X, y = sign_memory_task(n_samples=100)
    lengths = np.random.RandomState(4).randint(2, 8, size=len(X))
    X_list, y_list = ragged(X, lengths), ragged(y, lengths)
    clf = RNNClassifier(
        **{**SMALL, "early_stopping": True, "max_iter": 8}, validation_split="last"
    ).fit(X_list, y_list)
    assert len(clf.validation_scores_) == clf.n_iter_
    # validation_split="last" holds out the last 10 sequences; the kept
    # parameters are those of the best score, which is the accuracy over the
    # real steps of those sequences.
    held_out = slice(90, None)
    expected = step_accuracy(
        y_list[held_out], clf.predict(X_list[held_out]), lengths[held_out]
    )
    assert clf.best_validation_score_ == pytest.approx(expected, abs=1e-12)
    assert clf.best_validation_score_ == max(clf.validation_scores_)


@pytest.mark.parametrize(
    "y, message",
    [
        (np.zeros(60), "one target per time step"),
        (np.zeros((60, 5)), "has 5 time steps but X has 7"),
        (np.zeros((59, 7)), "60 sequences"),
    ],
)
def test_targets_that_do_not_match_the_steps(y, message):
    X, _ = sign_memory_task()
    with pytest.raises(ValueError, match=message):
        RNNRegressor(**SMALL).fit(X, y)


def test_list_targets_must_match_each_length():
    X, _ = sign_memory_task()
    X_list = ragged(X, np.full(60, 4))
    y_list = ragged(X, np.full(60, 4))
    y_list[2] = y_list[2][:3]
    with pytest.raises(ValueError, match=r"y\[2\] has 3 steps, but sequence 2"):
        RNNRegressor(**SMALL).fit(X_list, y_list)


# -- truncated backpropagation through time ------------------------------------
def test_windows_as_long_as_the_sequences_change_nothing():
    X, y = sign_memory_task()
    full = RNNClassifier(**SMALL, cell="lstm").fit(X, y)
    windowed = RNNClassifier(**SMALL, cell="lstm", bptt_steps=7).fit(X, y)
    np.testing.assert_array_equal(full.params_, windowed.params_)
    short = RNNClassifier(**SMALL, cell="lstm", bptt_steps=2).fit(X, y)
    assert not np.array_equal(full.params_, short.params_)
    # Prediction runs in windows too, with the same result.
    np.testing.assert_allclose(
        short.predict_proba(X),
        short.set_params(bptt_steps=None).predict_proba(X),
        rtol=1e-12,
    )


def test_truncated_training_learns_a_long_sequence():
    # Ten windows of 20 steps, each from the state the one before ended in
    # (R² 0.99 with 200 steps as with 400).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4, 200))
    previous = np.concatenate([np.zeros((4, 1)), X[:, :-1]], axis=1)
    reg = RNNRegressor(
        cell="gru",
        hidden_layer_sizes=(8,),
        bptt_steps=20,
        return_sequences=True,
        max_iter=150,
        learning_rate_init=0.02,
        random_state=0,
    ).fit(X, previous)
    assert reg.score(X, previous) > 0.9


def test_bptt_needs_one_direction():
    X, y = sign_memory_task()
    with pytest.raises(ValueError, match="bidirectional"):
        RNNClassifier(**SMALL, bidirectional=True, bptt_steps=3).fit(X, y)


# -- forecasting ---------------------------------------------------------------
def sine(n, period=25):
    return np.sin(2 * np.pi * np.arange(n) / period)


def nrmse(predicted, truth):
    return np.sqrt(np.mean((predicted - truth) ** 2)) / np.std(truth)


def test_forecast_of_a_window_model_follows_a_sine():
    series = sine(1100)
    X, y = lag_windows(series[:1000], 25)
    reg = RNNRegressor(
        cell="gru", hidden_layer_sizes=(16,), max_iter=40, random_state=0
    ).fit(X, y)
    forecast = reg.forecast(series[975:1000][np.newaxis], n_steps=100)
    assert forecast.shape == (1, 100)
    assert nrmse(forecast[0], series[1000:]) < 0.05


def test_forecast_of_a_sequence_model_follows_a_sine():
    series = sine(1100)
    starts = np.arange(0, 940, 5)
    X = np.stack([series[s : s + 50] for s in starts])[:, :, np.newaxis]
    y = np.stack([series[s + 1 : s + 51] for s in starts])
    reg = RNNRegressor(
        cell="gru",
        hidden_layer_sizes=(16,),
        return_sequences=True,
        batch_size=16,
        max_iter=40,  # NRMSE 0.05 (0.09 after 60 epochs)
        random_state=0,
    ).fit(X, y)
    forecast = reg.forecast(series[950:1000, np.newaxis][np.newaxis], n_steps=100)
    assert forecast.shape == (1, 100)
    assert (
        nrmse(forecast[0], series[1000:]) < 0.15
    )  # a sine of the wrong phase or amplitude: above 1


@pytest.mark.parametrize("return_sequences", [False, True])
# With the front end, contexts of 1 step are shorter than its kernel (3).
@pytest.mark.parametrize("conv", [{}, {"conv_filters": 3}], ids=["no-conv", "conv"])
def test_forecasts_together_equal_each_alone(return_sequences, conv):
    X = np.random.RandomState(0).normal(size=(30, 6, 2))
    y = X[:, :, ::-1] if return_sequences else X[:, -1, ::-1]
    reg = RNNRegressor(
        **{**SMALL, "cell": "clockwork", "clock_periods": (1, 3)}, **conv
    ).set_params(return_sequences=return_sequences)
    reg.fit(X, y)
    contexts = [X[0], X[1, :4], X[2, :1], X[3, :4]]
    together = reg.forecast(contexts, n_steps=5)
    assert together.shape == (4, 5, 2)
    for i, context in enumerate(contexts):
        alone = reg.forecast([context], n_steps=5)[0]
        np.testing.assert_allclose(together[i], alone, rtol=1e-10, atol=1e-12)


def test_forecast_errors():
    X, _ = sign_memory_task()
    with pytest.raises(NotFittedError):
        RNNRegressor().forecast(X, 3)
    reg = RNNRegressor(**SMALL).fit(X, X)
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1"):
        reg.forecast(X, 0)
    two_outputs = RNNRegressor(**SMALL).fit(X, np.stack([X, X], axis=2))
    with pytest.raises(ValueError, match="predict its own next input"):
        two_outputs.forecast(X, 3)
    both_ways = RNNRegressor(**SMALL, bidirectional=True).fit(X, X)
    with pytest.raises(ValueError, match="bidirectional"):
        both_ways.forecast(X, 3)
