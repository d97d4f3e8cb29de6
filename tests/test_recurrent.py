"""RNNClassifier and RNNRegressor: behaviour, integration and reproducibility."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RNNClassifier, RNNRegressor
from skrnn._convolution import ConvFrontEnd
from skrnn.cells import CELLS

SMALL = {
    "hidden_layer_sizes": (16,),
    "max_iter": 10,
    "learning_rate_init": 0.01,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X.reshape(-1, 8, 8)[:400] / 16, y[:400]


def sum_task(n_samples=120, n_steps=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_samples, n_steps))
    return X, X.sum(axis=1)


def test_grid_search_over_cells_in_parallel(digits):
    X, y = digits
    search = GridSearchCV(
        RNNClassifier(**SMALL), {"cell": ["rnn", "lstm", "gru"]}, cv=2, n_jobs=2
    )
    search.fit(X, y)
    assert search.best_params_["cell"] in CELLS
    # 10 classes (chance is 0.1). Ten epochs of 16 units on 200 images per
    # fold reach 0.29-0.43 with random_state=0 (the classifier's default max
    # pooling; 0.42-0.50 with the last state); a network that learns nothing
    # scores about 0.1.
    assert search.cv_results_["mean_test_score"].min() > 0.25


def test_pipeline_with_scaler_on_2d_data():
    X, y = sum_task()
    model = make_pipeline(
        StandardScaler(), RNNRegressor(cell="gru", max_iter=60, random_state=0)
    )
    model.fit(X, y)
    assert model.score(X, y) > 0.8


def test_cross_val_score(digits):
    X, y = digits
    scores = cross_val_score(RNNClassifier(**SMALL), X, y, cv=3)
    assert scores.shape == (3,)
    # 10 classes: 0.37-0.51 with random_state=0 and max pooling (chance is
    # 0.1).
    assert scores.min() > 0.3


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_pickle_round_trip(Estimator, digits):
    X, y = digits
    model = Estimator(cell="lstm", bidirectional=True, **SMALL).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.predict(X), restored.predict(X))


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_same_random_state_gives_identical_predictions(cell, digits):
    X, y = digits
    a = RNNClassifier(cell=cell, **SMALL).fit(X, y).predict_proba(X)
    b = RNNClassifier(cell=cell, **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = (
        RNNClassifier(cell=cell, **{**SMALL, "random_state": 1})
        .fit(X, y)
        .predict_proba(X)
    )
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("bidirectional", [False, True])
# With the front end, lengths 1 and 3 are not longer than the kernel (3) and
# pooling by 2 leaves partial last windows for the odd lengths.
@pytest.mark.parametrize(
    "conv", [{}, {"conv_filters": 3, "conv_pool": 2}], ids=["no-conv", "conv"]
)
def test_padded_batch_equals_each_sequence_alone(cell, bidirectional, conv):
    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(length, 2)) for length in (5, 1, 3, 7)]
    y = np.arange(4.0)
    model = RNNRegressor(
        cell=cell,
        hidden_layer_sizes=(4, 8),
        bidirectional=bidirectional,
        max_iter=3,
        random_state=0,
        **conv,
    ).fit(sequences, y)
    together = model.predict(sequences)
    alone = [model.predict(s[np.newaxis])[0] for s in sequences]
    np.testing.assert_allclose(together, alone, rtol=1e-12)
    # The same sequences as a NaN-padded 3D array.
    padded = np.full((4, 9, 2), np.nan)
    for i, s in enumerate(sequences):
        padded[i, : len(s)] = s
    np.testing.assert_allclose(model.predict(padded), together, rtol=1e-12)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_float32_trains_and_predicts_in_float32(Estimator, digits):
    X, y = digits
    model = Estimator(**SMALL).fit(X.astype(np.float32), y)
    assert model.params_.dtype == np.float32
    if Estimator is RNNRegressor:
        assert model.predict(X.astype(np.float32)).dtype == np.float32
    else:
        assert model.predict_proba(X.astype(np.float32)).dtype == np.float32
    # float64 input trains in float32 too (see test_dtype.py).
    assert Estimator(**SMALL).fit(X, y).params_.dtype == np.float32


def test_divergence_error_keeps_the_fitted_model():
    X, y = sum_task()
    model = RNNRegressor(cell="rnn", max_iter=3, random_state=0).fit(X, y)
    before = model.predict(X)
    params = model.params_.copy()
    # Steps so large that the loss overflows at once (a finite loss spike is
    # recovered from instead; see test_training.py).
    model.set_params(learning_rate_init=1e300, solver="sgd")
    with pytest.raises(ValueError, match="Lower learning_rate_init .* clip_norm"):
        model.fit(X, y)
    np.testing.assert_array_equal(model.params_, params)
    np.testing.assert_array_equal(model.predict(X), before)


def test_bad_input_keeps_the_fitted_model():
    X, y = sum_task()
    model = RNNRegressor(**SMALL).fit(X, y)
    before = model.predict(X)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.full((4, 3, 2), np.nan), np.ones(4))
    assert model.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(model.predict(X), before)


def test_invalid_cell_name_is_reported():
    with pytest.raises(ValueError, match="'cell' parameter .* must be a str among"):
        RNNClassifier(cell="lstn").fit(np.ones((4, 3)), [0, 1, 0, 1])


def test_clip_norm_keeps_a_too_large_step_finite():
    X, y = sum_task()
    model = RNNRegressor(
        cell="rnn",
        solver="sgd",
        learning_rate_init=0.5,
        clip_norm=1.0,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    assert np.isfinite(model.loss_curve_).all()


def test_multilabel_classification(digits):
    X, y = digits
    Y = np.column_stack([y % 2, y > 4])
    model = RNNClassifier(**{**SMALL, "max_iter": 30}).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert model.predict_proba(X).shape == Y.shape
    assert model.score(X, Y) > 0.5


def test_binary_classification_with_string_labels(digits):
    X, y = digits
    labels = np.where(y > 4, "high", "low")
    model = RNNClassifier(**{**SMALL, "max_iter": 30}).fit(X, labels)
    assert set(model.predict(X)) <= {"high", "low"}
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba))
    assert model.score(X, labels) > 0.7


def test_multioutput_regression():
    X, y = sum_task()
    Y = np.column_stack([y, -2 * y])
    model = RNNRegressor(cell="gru", max_iter=50, random_state=0).fit(X, Y)
    assert model.predict(X).shape == (len(X), 2)
    assert model.score(X, Y) > 0.7


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_other_solvers_learn(solver):
    X, y = sum_task()
    model = RNNRegressor(
        cell="gru", solver=solver, learning_rate_init=0.05, max_iter=60, random_state=0
    ).fit(X, y)
    assert model.score(X, y) > 0.5
    assert model.n_iter_ <= 60


def test_partial_fit_runs_one_epoch_and_continues(digits):
    X, y = digits
    model = RNNClassifier(**SMALL)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        model.partial_fit(X, y, classes=np.arange(5))
    model.partial_fit(X, y, classes=np.arange(10))
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 1
    model.partial_fit(X, y)
    assert model.n_iter_ == 2
    assert model.loss_curve_[1] < model.loss_curve_[0]
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        RNNClassifier(solver="lbfgs").partial_fit


def test_warm_start_continues_from_the_previous_solution():
    X, y = sum_task()
    model = RNNRegressor(**SMALL, warm_start=True).fit(X, y)
    first = model.loss_curve_[-1]
    model.fit(X, y)
    # The curve goes on from the first fit, without a jump back up.
    assert len(model.loss_curve_) == 20
    assert model.loss_curve_[10] < first * 1.05


def test_early_stopping_keeps_the_best_validation_parameters(digits):
    X, y = digits
    model = RNNClassifier(
        cell="gru",
        hidden_layer_sizes=(16,),
        early_stopping=True,
        n_iter_no_change=2,
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_loss_ is None


def test_verbose_prints_the_loss(capsys):
    X, y = sum_task()
    RNNRegressor(**{**SMALL, "max_iter": 2}, verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out


def test_sample_weight_zero_equals_dropping_samples():
    X, y = sum_task(40)
    weights = np.ones(len(X))
    weights[::2] = 0
    # In float64, where the two sums agree to 1e-10 whatever their order.
    params = dict(
        cell="gru",
        hidden_layer_sizes=(4,),
        max_iter=5,
        random_state=0,
        shuffle=False,
        dtype="float64",
    )
    a = RNNRegressor(**params).fit(X, y, sample_weight=weights)
    b = RNNRegressor(**params).fit(X[1::2], y[1::2])
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-10)


def test_weights_are_inspectable():
    X, y = sum_task()
    model = RNNRegressor(
        cell="lstm", hidden_layer_sizes=(5, 4), bidirectional=True, max_iter=1
    ).fit(X, y)
    weights = model.weights_
    assert len(weights) == 2 and len(weights[0]) == 2
    assert weights[0][0]["W"].shape == (1, 20)
    assert weights[1][1]["U"].shape == (4, 16)
    assert weights[1][0]["W"].shape == (10, 16)
    assert model.output_weights_["W"].shape == (8, 1)
    assert np.shares_memory(weights[0][0]["W"], model.params_)


def test_sequential_digits_accuracy(digits):
    # A quick learning check; the full accuracy figures are in
    # benchmarks/bench_accuracy.py.
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8) / 16
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    model = RNNClassifier(cell="gru", max_iter=40, random_state=0)
    model.fit(X_train.astype(np.float32), y_train)
    assert model.score(X_test.astype(np.float32), y_test) > 0.9


def test_clock_periods_reach_the_clockwork_cells():
    # Six units cannot form the default four groups; they can form two, and
    # the slow group (period 3) then reads only from itself.
    X, y = sum_task()
    reg = RNNRegressor(
        cell="clockwork", hidden_layer_sizes=(6,), clock_periods=(1, 3), max_iter=2
    ).fit(X, y)
    U = reg.weights_[0][0]["U"]
    assert np.all(U[:3, 3:] == 0)
    assert np.all(U[:, :3] != 0)


@pytest.mark.parametrize("pool", [1, 2, 3])
def test_conv_front_end_matches_a_direct_causal_convolution(pool):
    # The im2col forward against the formula, step by step: causal windows
    # with zeros before the start (sequences of 1 and 2 steps are shorter
    # than the kernel), ReLU, max over each pooling window of the sequence's
    # own steps, zeros after each output sequence's end.
    rng = np.random.RandomState(0)
    k, F, C = 3, 2, 4
    front_end = ConvFrontEnd(F, C, k, pool)
    params = {"W": rng.normal(size=(k, F, C)), "b": rng.normal(size=C)}
    lengths = np.array([7, 5, 2, 1])
    X = rng.normal(size=(7, 4, F)) * (np.arange(7)[:, None] < lengths)[..., None]
    U, out_lengths, _ = front_end.forward(params, X, lengths)
    np.testing.assert_array_equal(out_lengths, -(-lengths // pool))
    for b, length in enumerate(lengths):
        x = np.vstack([np.zeros((k - 1, F)), X[:length, b]])
        a = np.array(
            [
                np.maximum(
                    params["b"] + np.einsum("jf,jfc->c", x[t : t + k], params["W"]), 0
                )
                for t in range(length)
            ]
        )
        expected = [a[s : s + pool].max(axis=0) for s in range(0, length, pool)]
        np.testing.assert_allclose(U[: out_lengths[b], b], expected, rtol=1e-12)
        assert not U[out_lengths[b] :, b].any()


def test_conv_weights_are_inspectable_and_penalised():
    X, y = sum_task()
    model = RNNRegressor(
        cell="gru",
        hidden_layer_sizes=(5,),
        conv_filters=6,
        conv_kernel_size=4,
        max_iter=1,
    ).fit(X[:, :, np.newaxis].repeat(2, axis=2).astype(np.float32), y)
    conv = model.conv_weights_
    assert conv["W"].shape == (4, 2, 6) and conv["b"].shape == (6,)
    assert conv["W"].dtype == np.float32
    assert np.shares_memory(conv["W"], model.params_)
    assert model.weights_[0][0]["W"].shape == (6, 15)
    # alpha penalises the filters, not their biases.
    network, flat = model._network, np.arange(model.params_.size)
    mask = network.weight_mask
    assert mask[network.unpack_conv(flat)["W"]].all()
    assert not mask[network.unpack_conv(flat)["b"]].any()
    assert RNNRegressor(max_iter=1).fit(X, y).conv_weights_ is None


@pytest.mark.parametrize(
    "params",
    [{"conv_filters": -1}, {"conv_kernel_size": 0}, {"conv_pool": 0}],
)
def test_invalid_conv_hyperparameters_are_reported(params):
    X, y = sum_task()
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"'{name}' parameter of RNNRegressor"):
        RNNRegressor(**params).fit(X, y)
