"""EchoStateRegressor: exactness, layouts, defaults on raw data, errors."""

import pickle
import warnings

import numpy as np
import pytest
from scipy.sparse.linalg import eigs
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV

from skrnn import EchoStateRegressor
from skrnn._reservoir import harvest
from skrnn.datasets import lag_windows, mackey_glass


@pytest.fixture(scope="module")
def windows():
    return lag_windows(mackey_glass(700), n_lags=12)


@pytest.fixture(scope="module")
def per_step():
    """Three sequences of different lengths with next-value targets."""
    series = mackey_glass(400)
    lengths = (120, 70, 95)
    X = [series[i * 100 : i * 100 + L, None] for i, L in enumerate(lengths)]
    y = [series[i * 100 + 1 : i * 100 + L + 1] for i, L in enumerate(lengths)]
    return X, y


def padded(sequences):
    """A list of (T_i, ...) arrays as one array, NaN after each end."""
    T = max(len(s) for s in sequences)
    out = np.full((len(sequences), T) + np.shape(sequences[0])[1:], np.nan)
    for row, s in zip(out, sequences):
        row[: len(s)] = s
    return out


def test_grid_search_parallel(windows):
    X, y = windows
    grid = GridSearchCV(
        EchoStateRegressor(n_reservoir=60, random_state=0),
        {"spectral_radius": [0.8, 1.0], "leak_rate": [0.3, 1.0]},
        n_jobs=2,
        cv=3,
    ).fit(X, y)
    assert grid.best_score_ > 0.99


def test_pickle_and_reproducibility(windows):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=80, random_state=3).fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.predict(X), clone.predict(X))
    again = EchoStateRegressor(n_reservoir=80, random_state=3).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), again.predict(X))
    other = EchoStateRegressor(n_reservoir=80, random_state=4).fit(X, y)
    assert not np.array_equal(model.predict(X), other.predict(X))


def test_spectral_radius_is_the_requested_one():
    model = EchoStateRegressor(n_reservoir=300, spectral_radius=0.7, random_state=0)
    model.fit(np.random.default_rng(0).normal(size=(20, 5)), np.arange(20.0))
    W = model.reservoir_.W
    assert W.format == "csr"
    rho = np.abs(np.linalg.eigvals(W.toarray())).max()
    assert rho == pytest.approx(0.7, rel=1e-6)
    assert abs(
        eigs(W, k=1, ncv=64, v0=np.ones(300), return_eigenvectors=False)[0]
    ) == pytest.approx(0.7)


@pytest.mark.parametrize("feedback", [False, True])
def test_padded_batch_equals_sequences_alone(feedback):
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(L, 2)) for L in (30, 12, 25, 1)]
    targets = [rng.normal(size=(len(s), 2)) for s in seqs]
    model = EchoStateRegressor(
        n_reservoir=40,
        return_sequences=True,
        washout=0,
        feedback=feedback,
        random_state=0,
    ).fit(seqs, targets)
    together = model.predict(seqs)
    assert isinstance(together, list)
    for s, out in zip(seqs, together):
        np.testing.assert_allclose(model.predict([s])[0], out, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "alpha, input_window, atol",
    [(1e-4, 0, 1e-10), ("auto", 0, 1e-6), (1e-4, "auto", 1e-7), ("auto", "auto", 1e-6)],
)
def test_partial_fit_on_chunks_equals_fit(windows, alpha, input_window, atol):
    # Without standardisation, chunks sum the same normal equations as one
    # batch in another order: the readouts agree to rounding times the
    # conditioning of the ridge problem (large with the tiny penalty that
    # "auto" chooses on noise-free Mackey-Glass windows, and with the
    # unpenalised window of 12 nearly collinear lags: its Gram matrix has a
    # condition number of about 1e11).
    X, y = windows
    params = dict(
        n_reservoir=50,
        alpha=alpha,
        input_window=input_window,
        standardize=False,
        random_state=0,
    )
    full = EchoStateRegressor(**params).fit(X, y)
    part = EchoStateRegressor(**params)
    for chunk in np.array_split(np.arange(len(X)), 4):
        part.partial_fit(X[chunk], y[chunk])
    assert part.alpha_ == full.alpha_
    np.testing.assert_allclose(part.predict(X), full.predict(X), rtol=0, atol=atol)


def test_partial_fit_standardizes_with_the_first_chunks_statistics():
    # What the docstring promises: partial_fit with standardize=True equals
    # one fit, without standardisation, of data scaled with the first
    # chunk's statistics (outputs mapped back with them).
    rng = np.random.default_rng(0)
    series = 400 + 150 * np.sin(np.arange(800) / 6) + 5 * rng.normal(size=800)
    X, y = lag_windows(series, 10)
    chunks = np.array_split(np.arange(len(X)), 3)
    part = EchoStateRegressor(n_reservoir=60, alpha=1e-3, random_state=0)
    for chunk in chunks:
        part.partial_fit(X[chunk], y[chunk])
    first_X, first_y = X[chunks[0]], y[chunks[0]]
    mx, sx, my, sy = first_X.mean(), first_X.std(), first_y.mean(), first_y.std()
    np.testing.assert_allclose(part.input_mean_, [mx])
    np.testing.assert_allclose(part.target_scale_, [sy])
    plain = EchoStateRegressor(
        n_reservoir=60, alpha=1e-3, standardize=False, random_state=0
    ).fit((X - mx) / sx, (y - my) / sy)
    np.testing.assert_allclose(
        part.predict(X), plain.predict((X - mx) / sx) * sy + my, rtol=1e-9
    )
    # ... and differs from one standardised fit on all the data.
    full = EchoStateRegressor(n_reservoir=60, alpha=1e-3, random_state=0).fit(X, y)
    assert not np.allclose(full.predict(X), part.predict(X), rtol=1e-6)


def test_readout_equals_sklearn_ridge(windows):
    X, y = windows
    model = EchoStateRegressor(
        n_reservoir=50, alpha=1e-2, input_window=0, standardize=False, random_state=0
    ).fit(X, y)
    states, last_u = harvest(
        model.reservoir_, X[:, :, None], np.full(len(X), X.shape[1]), leak_rate=1.0
    )
    features = np.hstack([last_u, states])
    ridge = Ridge(alpha=1e-2, fit_intercept=True).fit(features, y)
    np.testing.assert_allclose(model.coef_[:, 0], ridge.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(model.predict(X), ridge.predict(features), atol=1e-8)


def test_alpha_auto_is_the_gcv_minimiser(windows):
    # GCV computed the long way, from the feature rows: the hat matrix of a
    # ridge with an unpenalised constant has trace 1 + tr(Zc (Zc'Zc + aI)^-1 Zc').
    X, y = windows
    noise = 0.05 * np.random.default_rng(0).normal(size=150)
    X, y = X[:150], y[:150] + noise
    alphas = np.logspace(-8, 2, 11)
    model = EchoStateRegressor(
        n_reservoir=40, alphas=alphas, input_window=0, standardize=False, random_state=0
    ).fit(X, y)
    states, u = harvest(model.reservoir_, X[:, :, None], np.full(150, 12), leak_rate=1)
    Z = np.hstack([u, states])
    Zc, yc = Z - Z.mean(0), y - y.mean()
    scores = []
    for a in alphas:
        H = Zc @ np.linalg.solve(Zc.T @ Zc + a * np.eye(Z.shape[1]), Zc.T)
        residual = yc - H @ yc
        scores.append(150 * residual @ residual / (150 - 1 - np.trace(H)) ** 2)
    assert model.alpha_ == alphas[np.argmin(scores)]
    assert 0 < np.argmin(scores) < len(alphas) - 1  # an interior minimum
    fixed = EchoStateRegressor(
        n_reservoir=40,
        alpha=model.alpha_,
        input_window=0,
        standardize=False,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_allclose(fixed.coef_, model.coef_, rtol=1e-6, atol=1e-9)
    assert fixed.alpha_ == model.alpha_


def test_alpha_auto_regularises_noisy_data_and_not_clean_data():
    rng = np.random.default_rng(0)
    X, y = lag_windows(mackey_glass(600), 10)
    clean = EchoStateRegressor(n_reservoir=100, random_state=0).fit(X, y)
    noisy = EchoStateRegressor(n_reservoir=100, random_state=0)
    noisy.fit(X, y + 0.2 * rng.normal(size=len(y)))
    assert clean.alpha_ <= 1e-9
    assert noisy.alpha_ >= 1e-2


@pytest.mark.parametrize(
    "param, value",
    [
        ("n_reservoir", True),
        ("washout", True),
        ("alpha", False),
        ("alphas", [1e-3, True]),
    ],
)
def test_booleans_are_not_numbers(windows, param, value):
    X, y = windows
    with pytest.raises(ValueError, match=f"'{param}' parameter.*not a boolean"):
        EchoStateRegressor(n_reservoir=10).set_params(**{param: value}).fit(X, y)


@pytest.mark.parametrize("bad", [[], [1.0, -1.0], [[1.0, 2.0]], [0.0]])
def test_bad_alphas(windows, bad):
    X, y = windows
    with pytest.raises(ValueError, match="alphas"):
        EchoStateRegressor(n_reservoir=10, alphas=bad).fit(X, y)


def test_return_sequences_layouts_and_forecast():
    series = mackey_glass(1200)
    X, y = series[np.newaxis, :-1], series[np.newaxis, 1:]
    model = EchoStateRegressor(n_reservoir=200, return_sequences=True, random_state=0)
    model.fit(X[:, :1000], y[:, :1000])
    assert model.predict(X[:, :1000]).shape == (1, 1000)
    contexts = np.stack([series[i : i + 300] for i in (100, 400, 700)])
    out = model.forecast(contexts[:, :, np.newaxis], 20)
    assert out.shape == (3, 20)
    truth = np.stack([series[i + 300 : i + 320] for i in (100, 400, 700)])
    assert np.sqrt(np.mean((out - truth) ** 2)) / series.std() < 0.01


def test_forecast_sliding_window(windows):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=100, random_state=0).fit(X, y)
    out = model.forecast(X[:5], 4)
    assert out.shape == (5, 4)
    np.testing.assert_allclose(out[:, 0], model.predict(X[:5]))
    # The second step is the prediction of the window slid by one.
    slid = np.hstack([X[:5, 1:], out[:, :1]])
    np.testing.assert_allclose(out[:, 1], model.predict(slid), rtol=1e-12)


@pytest.mark.parametrize("feedback", [False, True])
def test_forecast_equals_feeding_predictions_back(feedback):
    series = 10 + 3 * mackey_glass(400)  # off zero: the scalings matter
    model = EchoStateRegressor(
        n_reservoir=80,
        return_sequences=True,
        leak_rate=0.7,
        feedback=feedback,
        random_state=0,
    ).fit(series[np.newaxis, :300, None], series[np.newaxis, 1:301, None])
    contexts = np.stack([series[:150], series[100:250]])[:, :, None]
    out = model.forecast(contexts, 5)
    context = contexts
    for s in range(5):
        step = model.predict(context)[:, -1]
        if not feedback:  # with feedback, predict runs free from the start
            np.testing.assert_allclose(out[:, s], step, rtol=1e-10)
        context = np.concatenate([context, step[:, None, :]], axis=1)
    assert np.abs(out[..., 0] - series[[150, 250]][:, None]).max() < 1


def test_raw_lag_windows_work_with_defaults():
    # Values 100-600 without scaling by hand: fit, score and forecast.
    rng = np.random.default_rng(0)
    t = np.arange(300)
    series = 350 + 200 * np.sin(2 * np.pi * t / 12) + 10 * rng.normal(size=300)
    X, y = lag_windows(series[:240], 12)
    model = EchoStateRegressor(random_state=0).fit(X, y)
    X_test, y_test = lag_windows(series[228:], 12)
    assert model.score(X_test, y_test) > 0.98
    forecast = model.forecast(series[None, 228:240], 48)[0]
    assert np.sqrt(np.mean((forecast - series[240:288]) ** 2)) < 20
    ridge = Ridge().fit(X, y)
    assert model.score(X_test, y_test) >= ridge.score(X_test, y_test) - 0.01


def test_closed_loop_runaway_warns():
    rng = np.random.default_rng(0)
    X, y = lag_windows(rng.normal(size=300).cumsum(), 5)
    model = EchoStateRegressor(
        n_reservoir=50,
        alpha=1e-12,
        input_scaling=3.0,
        spectral_radius=1.4,
        random_state=0,
    ).fit(X[:40], y[:40])
    with pytest.warns(
        UserWarning, match="running away.*alpha.*spectral_radius.*input_window=0"
    ):
        model.forecast(X[-1:], 200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EchoStateRegressor(n_reservoir=50, random_state=0).fit(X, y).forecast(X[-1:], 3)


def test_failed_fit_leaves_the_model_usable(windows):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=30, standardize=False, random_state=0)
    model.fit(X, y)
    before = model.predict(X)
    state = pickle.dumps(model)
    huge = X.copy()
    huge[0, -1] = 1e200  # the last step: an input the readout reads
    for call in (model.fit, model.partial_fit):
        with pytest.raises(ValueError, match="too large"):
            call(huge, y)
        np.testing.assert_array_equal(model.predict(X), before)
    assert pickle.dumps(model) == state
    # A later partial_fit works and stays finite (no NaN sums were kept).
    model.partial_fit(X[:50], y[:50])
    assert np.isfinite(model.coef_).all()


def test_interrupted_partial_fit_leaves_the_model_as_it_was(windows, monkeypatch):
    import skrnn._readout as readout

    X, y = windows
    model = EchoStateRegressor(n_reservoir=30, noise=1e-3, random_state=0).fit(X, y)
    state = pickle.dumps(model)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(readout.ReadoutSums, "add", interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.partial_fit(X, y)
    assert pickle.dumps(model) == state  # sums, noise generator and all


def test_partial_fit_of_a_read_only_model(windows):
    # A loaded model whose arrays cannot be written (memory-mapped, say)
    # still learns: partial_fit writes its sums into new arrays.
    X, y = windows
    model = pickle.loads(pickle.dumps(EchoStateRegressor(n_reservoir=30).fit(X, y)))
    for holder in (model, model._sums):
        for value in vars(holder).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    model.partial_fit(X[:50], y[:50])
    assert model._sums.n_rows == len(X) + 50


@pytest.mark.parametrize("value", [1e200, 1.7e308])
@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("where", ["early step", "last step", "target"])
def test_huge_finite_values_raise_or_stay_finite(windows, value, standardize, where):
    # Never a silent NaN model: a clear error, or a finite model. (A huge
    # value early in a window only saturates the tanh units it reaches;
    # standardised, huge values become ordinary ones.)
    X, y = windows[0].copy(), windows[1].copy()
    if where == "target":
        y[3] = value
    else:
        X[3, 2 if where == "early step" else -1] = value
    model = EchoStateRegressor(n_reservoir=20, standardize=standardize)
    try:
        model.fit(X, y)
    except ValueError as error:
        assert "too large" in str(error)
        assert not hasattr(model, "coef_")
        return
    assert standardize or where == "early step"
    assert np.isfinite(model.coef_).all() and np.isfinite(model.predict(X)).all()


def test_memory_estimates_name_the_parameter(windows):
    X, y = windows
    with pytest.raises(ValueError, match="lower n_reservoir"):
        EchoStateRegressor(n_reservoir=10**6).fit(X, y)
    model = EchoStateRegressor(n_reservoir=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="lower n_steps"):
        model.forecast(X[:2], 10**12)


@pytest.mark.parametrize("n_steps", [True, np.True_, 2.0, "3", 0, -1])
def test_forecast_n_steps_must_be_an_integer(windows, n_steps):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="n_steps must be an integer"):
        model.forecast(X[:2], n_steps)


def test_dates_as_targets_are_refused(windows):
    X, y = windows
    dates = np.datetime64("2020-01-01") + np.arange(len(y)).astype("timedelta64[D]")
    for bad in (dates, dates - dates[0]):
        with pytest.raises(TypeError, match="datetime64 or timedelta64"):
            EchoStateRegressor(n_reservoir=10).fit(X, bad)


def test_washout_auto_fits_short_sequences():
    # A 107-step monthly series: the old washout of 100 left 7 steps.
    rng = np.random.default_rng(0)
    series = 100 + 30 * np.sin(np.arange(108) * np.pi / 6) + rng.normal(size=108)
    model = EchoStateRegressor(n_reservoir=50, return_sequences=True, random_state=0)
    model.fit(series[None, :-1, None], series[None, 1:, None])
    assert model._sums.n_rows == 107 - 26  # a quarter washed out
    long = EchoStateRegressor(n_reservoir=50, return_sequences=True, random_state=0)
    long.fit(mackey_glass(1000)[None, :, None], mackey_glass(1001)[None, 1:, None])
    assert long._sums.n_rows == 900  # at most 100 steps


def test_nothing_left_after_the_washout(per_step):
    X, y = per_step
    model = EchoStateRegressor(n_reservoir=20, return_sequences=True, washout=200)
    with pytest.raises(ValueError, match="No time step is left.*washout of 200"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="No time step is left"):
        model.partial_fit(X, y)
    assert not hasattr(model, "coef_")
    # A partial_fit call whose data fall inside the washout adds nothing:
    # an error, and the model stays as it was.
    model = EchoStateRegressor(
        n_reservoir=20, return_sequences=True, washout=80, random_state=0
    ).fit(X, y)
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match="No time step is left"):
        model.partial_fit([X[1]], [y[1]])
    np.testing.assert_array_equal(model.coef_, coef)


@pytest.mark.parametrize("layout", ["list", "padded", "3d"])
def test_per_step_score_and_predictions_in_every_layout(per_step, layout):
    X, y = per_step
    model = EchoStateRegressor(
        n_reservoir=60, return_sequences=True, washout=10, random_state=0
    ).fit(X, y)
    rows = np.concatenate(y)
    predicted_rows = np.concatenate(model.predict(X))
    expected = 1 - np.sum((rows - predicted_rows) ** 2) / np.sum(
        (rows - rows.mean()) ** 2
    )
    if layout == "list":
        X_, y_ = X, y
    elif layout == "padded":
        X_, y_ = padded(X), padded(y)
    else:
        X_, y_ = padded(X), padded([v[:, None] for v in y])
    assert model.score(X_, y_) == pytest.approx(expected, rel=1e-12)
    out = model.predict(X_)
    if layout != "list":
        # NaN after each sequence's end, like RNNRegressor.
        assert np.isnan(out[1, 70:]).all() and np.isfinite(out[1, :70]).all()


def test_grid_search_over_a_per_step_model(per_step):
    # Each fold's score is R² over the real steps of its held-out sequence
    # (the steps of the washout included: the state starts at zero there).
    X, y = per_step
    grid = GridSearchCV(
        EchoStateRegressor(n_reservoir=40, return_sequences=True, random_state=0),
        {"leak_rate": [0.5, 1.0]},
        cv=3,
    ).fit(padded(X), padded(y))
    for i, leak in enumerate([0.5, 1.0]):
        scores = []
        for test in range(3):
            train = [j for j in range(3) if j != test]
            model = EchoStateRegressor(
                n_reservoir=40, return_sequences=True, leak_rate=leak, random_state=0
            ).fit([X[j] for j in train], [y[j] for j in train])
            scores.append(model.score([X[test]], [y[test]]))
        assert grid.cv_results_["mean_test_score"][i] == pytest.approx(np.mean(scores))


def test_float32_in_float32_out(windows, per_step):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=30, random_state=0).fit(X, y)
    X32 = X.astype(np.float32)
    assert model.predict(X32).dtype == np.float32
    assert model.forecast(X32[:2], 3).dtype == np.float32
    assert model.predict(X).dtype == np.float64
    # Input rounding (6e-8) times the weights of the unpenalised window of
    # nearly collinear lags (their absolute sum is about 400 here).
    np.testing.assert_allclose(model.predict(X32), model.predict(X), atol=1e-4)
    Xs, ys = per_step
    steps = EchoStateRegressor(n_reservoir=30, return_sequences=True, random_state=0)
    steps.fit([s.astype(np.float32) for s in Xs], ys)
    assert steps.predict(padded(Xs).astype(np.float32)).dtype == np.float32


def test_verbose_reports_harvests_and_forecasts(capsys, per_step):
    X, y = per_step
    model = EchoStateRegressor(
        n_reservoir=30, return_sequences=True, verbose=1, random_state=0
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "Harvest: 285 of 285 steps (100%)" in out
    assert "alpha_=" in out and len(out.splitlines()) <= 12
    model.forecast(X[:1], 1000)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("Forecast: 1,000 of 1,000 steps (100%)")
    assert len(lines) == 10
    model.set_params(verbose=0).predict(X)
    assert capsys.readouterr().out == ""


def test_set_params_after_fit_changes_nothing_until_the_next_fit(windows):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=30, random_state=0).fit(X, y)
    before = model.predict(X)
    model.set_params(leak_rate=0.2, pooling="mean", return_sequences=True)
    np.testing.assert_array_equal(model.predict(X), before)
    with pytest.raises(ValueError, match="partial_fit adds data.*leak_rate was 1.0"):
        model.partial_fit(X, y)
    model.set_params(leak_rate=1.0, pooling="last", return_sequences=False)
    model.set_params(alpha=1e-3).partial_fit(X[:5], y[:5])  # alpha may change
    assert model.alpha_ == 1e-3


def test_errors(windows):
    X, y = windows
    with pytest.raises(Exception, match="not fitted"):
        EchoStateRegressor().forecast(X, 3)
    model = EchoStateRegressor(n_reservoir=30, random_state=0).fit(X, y)
    bad = X.copy()
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.predict(bad)
    bad[0, 3] = np.inf
    with pytest.raises(ValueError, match="inf"):
        model.fit(bad, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError, match="2 outputs"):
        model.partial_fit(X, np.c_[y, y])
    two = EchoStateRegressor(n_reservoir=20).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="must be equal"):
        two.forecast(X, 2)
    with pytest.raises(ValueError, match="Negative values"):
        model.fit(X, y, sample_weight=np.where(np.arange(len(y)) == 3, -1.0, 1.0))
    with pytest.raises(ValueError, match="at least one non-zero"):
        model.fit(X, y, sample_weight=np.zeros(len(y)))


def test_chunking_does_not_change_states():
    # Harvesting cuts time into chunks of about chunk_samples (step,
    # sequence) pairs and drops finished sequences between segments; the
    # states must not depend on where the cuts fall.
    rng = np.random.default_rng(1)
    model = EchoStateRegressor(n_reservoir=30, leak_rate=0.6, random_state=0)
    model.fit(rng.normal(size=(5, 9)), rng.normal(size=5))
    values = rng.normal(size=(4, 23, 1))
    lengths = np.array([23, 5, 17, 23])
    kept = []
    reference = harvest(
        model.reservoir_, values, lengths, leak_rate=0.6, sink=lambda *a: kept.append(a)
    )
    for chunk in (1, 7, 50):
        pieces = []
        states, inputs = harvest(
            model.reservoir_,
            values,
            lengths,
            leak_rate=0.6,
            sink=lambda *a: pieces.append(a),
            chunk_samples=chunk,
        )
        np.testing.assert_allclose(states, reference[0], rtol=1e-13, atol=1e-13)
        np.testing.assert_array_equal(inputs, values[np.arange(4), lengths - 1])
        # Every real step is seen exactly once by the sink.
        assert sum(Z.shape[0] * Z.shape[2] for _, _, Z in pieces) == lengths.sum()


def test_sample_weight_solves_the_weighted_ridge(windows):
    X, y = windows
    n = len(X)
    alpha = 1e-1
    weight = np.random.default_rng(0).uniform(0, 3, size=n) * (np.arange(n) % 5 > 0)
    model = EchoStateRegressor(
        n_reservoir=40, alpha=alpha, input_window=0, standardize=False, random_state=0
    ).fit(X, y, sample_weight=weight)
    states, last_u = harvest(
        model.reservoir_, X[:, :, None], np.full(n, 12), leak_rate=1
    )
    features = np.hstack([last_u, states])
    ridge = Ridge(alpha=alpha).fit(features, y, sample_weight=weight)
    np.testing.assert_allclose(model.predict(X), ridge.predict(features), atol=1e-7)


def test_readout_sums_per_step_equal_sums_per_chunk(monkeypatch):
    # Wide batches add one syrk per step (upper triangle only); narrow or
    # weighted ones copy the chunk into one matrix. Same readout either way.
    import skrnn._state_features as state_features

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 30, 2))
    y = np.tanh(X.cumsum(axis=1))
    params = dict(
        n_reservoir=30, return_sequences=True, washout=5, alpha=1e-4, random_state=0
    )
    wide = EchoStateRegressor(**params).fit(X, y)
    monkeypatch.setattr(state_features, "SLAB_SYRK_WIDTH", 10**9)
    copied = EchoStateRegressor(**params).fit(X, y)
    np.testing.assert_allclose(wide.coef_, copied.coef_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(wide.predict(X), copied.predict(X), atol=1e-10)


def test_input_window_reads_the_last_inputs_unpenalised(windows):
    # Rows of 12 lags: "auto" reads all of them directly, unpenalised, next
    # to the last state; the readout is the ridge with no penalty on them.
    X, y = windows
    # Noisy lags: the windows of noise-free Mackey-Glass are so collinear
    # that the explicit solve below would be the less accurate side.
    noisy = 0.05 * np.random.default_rng(0).normal(size=(200, 12))
    X, y = X[:200] + noisy, y[:200]
    model = EchoStateRegressor(
        n_reservoir=30, alpha=0.5, standardize=False, random_state=0
    ).fit(X, y)
    assert model.input_window_ == 12 and model.coef_.shape == (12 + 30, 1)
    states, _ = harvest(model.reservoir_, X[:, :, None], np.full(200, 12), leak_rate=1)
    Z = np.hstack([np.ones((200, 1)), X, states])
    penalty = 0.5 * np.diag(np.r_[np.zeros(13), np.ones(30)])
    exact = np.linalg.solve(Z.T @ Z + penalty, Z.T @ y)
    np.testing.assert_allclose(model.intercept_, exact[:1], rtol=1e-5)
    np.testing.assert_allclose(model.coef_[:, 0], exact[1:], rtol=1e-6, atol=1e-6)
    # The closed loop reads the window too: its first step is predict's.
    np.testing.assert_allclose(
        model.forecast(X[:3], 2)[:, 0], model.predict(X[:3]), rtol=1e-12
    )


def test_input_window_auto_and_its_limits(windows):
    X, y = windows
    short = EchoStateRegressor(n_reservoir=20, random_state=0)
    assert short.fit(X[:, -4:], y).input_window_ == 4
    assert short.fit(np.repeat(X, 3, axis=1), y).input_window_ == 0  # 36 steps
    steps = EchoStateRegressor(n_reservoir=20, return_sequences=True, random_state=0)
    assert steps.fit(X[:5, :, None], X[:5, :, None]).input_window_ == 0
    fixed = EchoStateRegressor(n_reservoir=20, input_window=3, random_state=0)
    assert fixed.fit(X, y).coef_.shape == (3 + 20, 1)
    with pytest.raises(ValueError, match="input_window=3 reads the last steps"):
        fixed.set_params(pooling="mean").fit(X, y)


def test_last_inputs_read_zeros_before_a_short_sequence_starts():
    from skrnn._state_features import last_inputs

    values = np.arange(24, dtype=float).reshape(2, 4, 3)
    window = last_inputs(values, np.array([4, 2]), 3)
    np.testing.assert_array_equal(window[0], values[0, 1:].ravel())
    np.testing.assert_array_equal(window[1], np.r_[np.zeros(3), values[1, :2].ravel()])
