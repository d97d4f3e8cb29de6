"""EchoStateRegressor: sklearn compatibility, exactness and error messages."""

import pickle

import numpy as np
import pytest
from scipy.sparse.linalg import eigs
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from skrnn._echo_state import EchoStateRegressor
from skrnn.datasets import lag_windows, mackey_glass


@parametrize_with_checks(
    [EchoStateRegressor(), EchoStateRegressor(feedback=True, leak_rate=0.3)]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def windows():
    return lag_windows(mackey_glass(700), n_lags=12)


def test_grid_search_parallel(windows):
    X, y = windows
    grid = GridSearchCV(
        EchoStateRegressor(n_reservoir=60, random_state=0),
        {"spectral_radius": [0.8, 1.0], "leak_rate": [0.3, 1.0]},
        n_jobs=2,
        cv=3,
    ).fit(X, y)
    assert grid.best_score_ > 0.9


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


@pytest.mark.parametrize("alpha, atol", [(1e-4, 1e-10), (1e-10, 1e-6)])
def test_partial_fit_on_chunks_equals_fit(windows, alpha, atol):
    # Chunks sum the normal equations in another order than one batch; the
    # readouts agree to rounding times the conditioning of the ridge problem,
    # which on Mackey-Glass windows with the default alpha is ~1e8.
    X, y = windows
    params = dict(n_reservoir=50, alpha=alpha, random_state=0)
    full = EchoStateRegressor(**params).fit(X, y)
    part = EchoStateRegressor(**params)
    for chunk in np.array_split(np.arange(len(X)), 4):
        part.partial_fit(X[chunk], y[chunk])
    np.testing.assert_allclose(part.predict(X), full.predict(X), rtol=0, atol=atol)


def test_readout_equals_sklearn_ridge(windows):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=50, alpha=1e-2, random_state=0).fit(X, y)
    states, last_u = model._harvest(X[:, :, None], np.full(len(X), X.shape[1]))
    features = np.hstack([last_u, states])
    ridge = Ridge(alpha=1e-2, fit_intercept=True).fit(features, y)
    np.testing.assert_allclose(model.coef_[:, 0], ridge.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(model.predict(X), ridge.predict(features), atol=1e-8)


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
    assert np.sqrt(np.mean((out - truth) ** 2)) / series.std() < 0.05


def test_forecast_sliding_window(windows):
    X, y = windows
    model = EchoStateRegressor(n_reservoir=100, random_state=0).fit(X, y)
    out = model.forecast(X[:5], 4)
    assert out.shape == (5, 4)
    np.testing.assert_allclose(out[:, 0], model.predict(X[:5]))


def test_errors(windows):
    X, y = windows
    with pytest.raises(Exception, match="not fitted"):
        EchoStateRegressor().forecast(X, 3)
    model = EchoStateRegressor(n_reservoir=30, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="n_steps must be"):
        model.forecast(X, 0)
    bad = X.copy()
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.predict(bad)
    bad[0, 3] = np.inf
    with pytest.raises(ValueError, match="inf"):
        model.fit(bad, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :5])
    two = EchoStateRegressor(n_reservoir=20).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="must be equal"):
        two.forecast(X, 2)


def test_chunking_does_not_change_states():
    # Harvesting cuts time into chunks of about chunk_samples (step,
    # sequence) pairs and drops finished sequences between segments; the
    # states must not depend on where the cuts fall.
    from skrnn._reservoir import harvest

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


def test_forecast_equals_feeding_predictions_back():
    series = mackey_glass(400)
    model = EchoStateRegressor(
        n_reservoir=80, return_sequences=True, leak_rate=0.7, random_state=0
    ).fit(series[np.newaxis, :300, None], series[np.newaxis, 1:301, None])
    contexts = np.stack([series[:150], series[100:250]])[:, :, None]
    out = model.forecast(contexts, 5)
    context = contexts
    for s in range(5):
        step = model.predict(context)[:, -1]
        np.testing.assert_allclose(out[:, s], step, rtol=1e-10, atol=1e-12)
        context = np.concatenate([context, step[:, None, :]], axis=1)


def test_sample_weight_solves_the_weighted_ridge(windows):
    # Fractional and zero weights take the sqrt(w) product (compared with
    # sklearn's Ridge), negative ones the general product (compared with the
    # weighted normal equations, which Ridge does not accept).
    X, y = windows
    n = len(X)
    alpha = 1e-1
    positive = np.random.default_rng(0).uniform(0, 3, size=n) * (np.arange(n) % 5 > 0)
    negative = np.where(np.arange(n) % 7 == 0, -0.1, 1.0)
    for weight in (positive, negative):
        model = EchoStateRegressor(n_reservoir=40, alpha=alpha, random_state=0)
        model.fit(X, y, sample_weight=weight)
        states, last_u = model._harvest(X[:, :, None], np.full(n, X.shape[1]))
        features = np.hstack([np.ones((n, 1)), last_u, states])
        penalty = alpha * np.eye(features.shape[1])
        penalty[0, 0] = 0.0
        w_out = np.linalg.solve(
            features.T @ (weight[:, None] * features) + penalty,
            features.T @ (weight * y),
        )
        np.testing.assert_allclose(model.predict(X), features @ w_out, atol=1e-7)
    ridge = Ridge(alpha=alpha).fit(features[:, 1:], y, sample_weight=positive)
    model.fit(X, y, sample_weight=positive)
    np.testing.assert_allclose(
        model.predict(X), ridge.predict(features[:, 1:]), atol=1e-7
    )


def test_readout_sums_per_step_equal_sums_per_chunk(monkeypatch):
    # Wide batches add one syrk per step (upper triangle only); narrow or
    # weighted ones copy the chunk into one matrix. Same readout either way.
    import skrnn._echo_state as echo_state

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 30, 2))
    y = np.tanh(X.cumsum(axis=1))
    params = dict(
        n_reservoir=30, return_sequences=True, washout=5, alpha=1e-4, random_state=0
    )
    wide = EchoStateRegressor(**params).fit(X, y)
    monkeypatch.setattr(echo_state, "_SLAB_SYRK_WIDTH", 10**9)
    copied = EchoStateRegressor(**params).fit(X, y)
    np.testing.assert_allclose(wide.coef_, copied.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(wide.predict(X), copied.predict(X), atol=1e-10)
