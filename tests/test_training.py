"""The training loop: best parameters kept, spikes, stopping, validation
splits, built-in scaling, class weights, and the state a fit leaves."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_sample_weight

from skrnn import RNNClassifier, RNNRegressor
from skrnn._sequences import validate_sequences
from skrnn._training import SPIKE_FACTOR, TrainingData, split_validation
from skrnn._workspace import Workspace

SMALL = dict(hidden_layer_sizes=(6,), random_state=0)


def sum_task(n=60, T=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, T, 2))
    return X, X.sum(axis=(1, 2))


def training_loss(model, X, y):
    """The loss of the returned parameters on the training data, scaled and
    rounded to the training dtype as the fit saw it."""
    dtype = model.params_.dtype
    sequences = model._scale_inputs(validate_sequences(model, X, reset=False), dtype)
    Y = model._scale_targets(model._encode_targets(y, False, np.float64), dtype)
    data = TrainingData(sequences, Y, np.ones(len(y)))
    return model._batch_loss(model.params_, data, Workspace())[0]


@pytest.fixture
def spiking_fit():
    """Full-batch Adam with a large step: the loss falls, then spikes."""
    X, y = sum_task()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = RNNRegressor(
            cell="gru", learning_rate_init=0.3, max_iter=60, **SMALL
        ).fit(X, y)
    return model, X, y


def test_a_spike_is_recovered_from_and_the_best_parameters_kept(spiking_fit):
    model, X, y = spiking_fit
    curve = np.array(model.loss_curve_)
    lowest = np.minimum.accumulate(curve)
    spikes = np.flatnonzero(curve[1:] > SPIKE_FACTOR * lowest[:-1] + model.tol)
    assert spikes.size, "the set-up should make the loss spike"
    # The spike did not end training: epochs ran after the first one.
    assert model.n_iter_ > spikes[0] + 2
    # With one batch per epoch each epoch's loss is exactly that of the
    # parameters it started from (and the last update is evaluated after
    # the loop): the ones kept are the best of them.
    assert model.loss_ == model.best_loss_ <= curve.min()
    np.testing.assert_allclose(training_loss(model, X, y), model.loss_, rtol=1e-10)


def test_stopping_at_max_iter_keeps_the_best(spiking_fit):
    model, X, y = spiking_fit
    short = RNNRegressor(cell="gru", learning_rate_init=0.3, max_iter=8, **SMALL)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        short.fit(X, y)
    assert short.loss_ <= min(short.loss_curve_)
    np.testing.assert_allclose(training_loss(short, X, y), short.loss_, rtol=1e-10)


def test_recurring_spikes_end_training_with_a_warning():
    X, y = sum_task()
    model = RNNRegressor(cell="rnn", solver="sgd", learning_rate_init=1e4, **SMALL)
    with pytest.warns(ConvergenceWarning, match="kept spiking"):
        model.fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert model.loss_ <= min(model.loss_curve_)


def test_early_stopping_keeps_the_best_validation_score():
    X, y = sum_task(n=80)
    model = RNNRegressor(
        early_stopping=True, validation_split="last", max_iter=30, **SMALL
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    validation = slice(72, 80)  # the last 10%, in order
    assert model.best_validation_score_ == max(model.validation_scores_)
    # Scored in the training dtype (float32) during the fit, in float64 here.
    np.testing.assert_allclose(
        model.score(X[validation], y[validation]),
        model.best_validation_score_,
        rtol=1e-5,
    )
    assert model.best_loss_ is None


def test_validation_split_last_holds_out_the_end_in_order():
    model = RNNRegressor(validation_fraction=0.25, validation_split="last")
    data = TrainingData(None, None, np.ones(10))
    train, validation = split_validation(model, data, None)
    np.testing.assert_array_equal(train, np.arange(7))
    np.testing.assert_array_equal(validation, [7, 8, 9])


def test_too_small_validation_set_is_a_clear_error():
    X, y = sum_task(n=9)
    model = RNNRegressor(early_stopping=True, validation_split="last", **SMALL)
    with pytest.raises(ValueError, match="validation set is too small .*1 of 9"):
        model.fit(X, y)


def test_partial_fit_ignores_early_stopping():
    X, y = sum_task()
    model = RNNRegressor(early_stopping=True, **SMALL).partial_fit(X, y)
    assert model.n_iter_ == 1 and model.validation_scores_ is None


# -- scaling --------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_predictions_do_not_depend_on_the_units_of_inputs_and_targets(cell):
    X, y = sum_task()
    params = dict(cell=cell, max_iter=15, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        unit = RNNRegressor(**params).fit(X, y)
        shifted = RNNRegressor(**params).fit(X * 250 + 1000, y * 40 - 7)
    np.testing.assert_allclose(
        shifted.predict(X * 250 + 1000), unit.predict(X) * 40 - 7, rtol=1e-7
    )
    np.testing.assert_allclose(shifted.input_mean_, X.mean(axis=(0, 1)) * 250 + 1000)
    np.testing.assert_allclose(shifted.target_scale_, [y.std() * 40])


def test_raw_scale_lag_windows_forecast_on_their_scale():
    """A monthly-like series in the hundreds: with defaults the closed loop
    stays on the data's scale; without scaling it does not learn."""
    t = np.arange(240)
    series = 350 + 150 * np.sin(2 * np.pi * t / 12)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 12)[:-24]
    y = series[12:-24]
    context = series[-36:-24][np.newaxis]
    truth = series[-24:]
    errors = {}
    for standardize in (True, False):
        model = RNNRegressor(
            cell="gru",
            standardize=standardize,
            hidden_layer_sizes=(16,),
            max_iter=100,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        forecast = model.forecast(context, n_steps=24)[0]
        errors[standardize] = np.sqrt(np.mean((forecast - truth) ** 2))
    assert errors[True] < 0.15 * series.std()
    assert errors[False] > 0.5 * series.std()


def test_constant_features_and_targets_do_not_divide_by_zero():
    X, _ = sum_task()
    X[:, :, 1] = 5.0
    y = np.full(len(X), 3.0)
    # L-BFGS reaches the constant in a few iterations whatever the cell's
    # initial outputs (a GRU's start further from zero than an LSTM's).
    model = RNNRegressor(solver="lbfgs", max_iter=10, **SMALL).fit(X, y)
    assert model.input_scale_[1] == 1.0 and model.target_scale_[0] == 1.0
    np.testing.assert_allclose(model.predict(X), 3.0, atol=0.2)


def test_partial_fit_and_warm_start_keep_the_first_statistics():
    X, y = sum_task()
    model = RNNRegressor(warm_start=True, max_iter=2, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        mean = model.input_mean_.copy()
        model.fit(X + 10, y + 10)
    np.testing.assert_array_equal(model.input_mean_, mean)
    streamed = RNNRegressor(**SMALL).partial_fit(X[:30], y[:30])
    mean = streamed.input_mean_.copy()
    streamed.partial_fit(X[30:] * 3, y[30:])
    np.testing.assert_array_equal(streamed.input_mean_, mean)


def test_standardize_false_leaves_no_statistics():
    X, y = sum_task()
    model = RNNRegressor(standardize=False, max_iter=2, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.input_mean_ is None and model.target_scale_ is None


# -- class weights ------------------------------------------------------------
@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 3.0, 2: 0.5}])
def test_class_weight_equals_the_matching_sample_weight(class_weight):
    X, y = sum_task()
    labels = np.digitize(y, [-1.0, 1.5])  # unbalanced: 3 classes
    sample_weight = np.linspace(0.5, 1.5, len(y))
    params = dict(max_iter=5, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = RNNClassifier(class_weight=class_weight, **params).fit(
            X, labels, sample_weight=sample_weight
        )
        manual = RNNClassifier(**params).fit(
            X,
            labels,
            sample_weight=sample_weight * compute_sample_weight(class_weight, labels),
        )
        unweighted = RNNClassifier(**params).fit(X, labels, sample_weight=sample_weight)
    np.testing.assert_allclose(weighted.params_, manual.params_, rtol=1e-10)
    assert not np.allclose(weighted.params_, unweighted.params_)


def test_balanced_class_weight_is_refused_by_partial_fit():
    X, y = sum_task()
    with pytest.raises(ValueError, match="partial_fit does not see"):
        RNNClassifier(class_weight="balanced", **SMALL).partial_fit(
            X, y > 0, classes=[False, True]
        )


# -- what a fit leaves behind ---------------------------------------------------
def test_errors_and_help_name_the_public_class():
    for Estimator in (RNNClassifier, RNNRegressor):
        with pytest.raises(TypeError, match=Estimator.__name__):
            Estimator(no_such_parameter=1)
        assert Estimator.__init__.__qualname__.startswith(Estimator.__name__)
    assert "class_weight" in RNNClassifier().get_params()
    assert "class_weight" not in RNNRegressor().get_params()


def test_warm_start_with_more_outputs_predicts_them():
    X, y = sum_task()
    model = RNNRegressor(warm_start=True, max_iter=1, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y).fit(X, np.c_[y, -y])
    assert model.predict(X).shape == (len(X), 2)


def test_warm_start_uses_the_current_optimizer_settings():
    X, y = sum_task()
    model = RNNRegressor(warm_start=True, max_iter=1, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        model.set_params(solver="sgd", learning_rate_init=0.05)
        model.fit(X, y)
    assert type(model._optimizer).__name__ == "SGDOptimizer"
    assert model._optimizer.learning_rate == 0.05


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_divergence_in_the_last_update_is_an_error(solver):
    X, y = sum_task()
    model = RNNRegressor(
        cell="gru", solver=solver, max_iter=1, learning_rate_init=1e308, **SMALL
    )
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="diverged"):
        model.partial_fit(X, y)


def test_negative_sample_weight_is_rejected():
    X, y = sum_task()
    with pytest.raises(ValueError, match="[Nn]egative"):
        RNNRegressor(**SMALL).fit(X, y, sample_weight=np.r_[-1.0, np.ones(59)])


@pytest.mark.parametrize(
    "solver, dtype, expected",
    [("adam", "auto", np.float32), ("lbfgs", "auto", np.float64)],
)
def test_float16_follows_the_dtype_rule(solver, dtype, expected):
    # float16 is validated to float64 (as scikit-learn does), then trains in
    # the dtype the rule gives: Adam's epsilon would underflow in float16.
    X, y = sum_task()
    model = RNNRegressor(max_iter=2, solver=solver, dtype=dtype, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X.astype(np.float16), y)
    assert model.params_.dtype == expected
    prediction = model.predict(X.astype(np.float16))
    assert prediction.dtype == np.float64
    assert np.isfinite(prediction).all()


@pytest.mark.parametrize("kind", ["datetime64[ns]", "timedelta64[s]"])
def test_times_are_rejected(kind):
    X, y = sum_task()
    times = np.arange(60 * 5).reshape(60, 5).astype(kind)
    with pytest.raises(TypeError, match="datetime64 or timedelta64"):
        RNNRegressor(**SMALL).fit(times, y)
    with pytest.raises(TypeError, match="datetime64 or timedelta64"):
        RNNRegressor(**SMALL).fit(X, y.astype("timedelta64[s]"))


def test_pooling_over_windows_is_a_clear_error():
    X, y = sum_task()
    with pytest.raises(ValueError, match="pooling='last' .* with bptt_steps"):
        RNNRegressor(pooling="mean", bptt_steps=2, **SMALL).fit(X, y)
    # "auto" reads the last state under truncated BPTT.
    model = RNNClassifier(bptt_steps=2, max_iter=1, **SMALL).fit(X, y > 0)
    assert model._network.pooling == "last"


@pytest.mark.parametrize(
    "params",
    [
        dict(max_iter=True),
        dict(hidden_layer_sizes=(True,)),
        dict(conv_filters=True),
        dict(cell="clockwork", hidden_layer_sizes=(4,), clock_periods=(1, True)),
    ],
)
def test_booleans_are_not_counts(params):
    X, y = sum_task()
    with pytest.raises((TypeError, ValueError), match="integer"):
        RNNRegressor(**{**SMALL, **params}).fit(X, y)


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(hidden_layer_sizes=(10**6,)), "hidden_layer_sizes"),
        (dict(conv_filters=10**9), "conv_filters"),
    ],
)
def test_a_fit_too_large_for_memory_names_what_to_lower(params, name):
    X, y = sum_task()
    model = RNNRegressor(**{**SMALL, **params})
    with pytest.raises(ValueError, match=f"needs about .* of memory.*lower .*{name}"):
        model.fit(X, y)
    assert not hasattr(model, "params_")


def test_forecast_steps_are_checked():
    X, _ = sum_task()
    model = RNNRegressor(return_sequences=True, max_iter=1, **SMALL)
    model.fit(X[:, :, :1], X[:, :, 0])
    with pytest.raises(ValueError, match="n_steps must be an integer"):
        model.forecast(X[:1, :, :1], n_steps=True)
    with pytest.raises(ValueError, match="forecast fewer steps per call"):
        model.forecast(X[:1, :, :1], n_steps=10**15)


def test_set_params_after_fit_changes_nothing_until_the_next_fit():
    X, y = sum_task()
    model = RNNClassifier(pooling="mean", max_iter=2, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y > 0)
    before = model.predict_proba(X)
    model.set_params(bptt_steps=2, pooling="last", standardize=False, cell="rnn")
    np.testing.assert_array_equal(model.predict_proba(X), before)
