"""Scaling out (issue 15): model selection on a dask.distributed cluster, and
the echo state estimators on dask arrays chunked along samples.

One real ``LocalCluster`` (two worker processes, one thread each) serves the
whole module. Without dask and distributed the cluster tests skip; the
import tests run everywhere.
"""

import logging
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from joblib import parallel_backend
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
)

from skrnn import EchoStateClassifier, EchoStateRegressor, RNNRegressor

BLAS_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def run_python(code):
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=True)


def test_import_skrnn_never_imports_dask():
    run_python(
        """
        import sys
        import numpy as np
        import skrnn
        X, y = np.random.rand(20, 6), np.random.rand(20)
        model = skrnn.EchoStateRegressor(20, random_state=0).fit(X, y)
        model.partial_fit(X, y).predict(X)
        skrnn.EchoStateClassifier(20).fit(X, y > 0.5).predict_proba(X)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
        assert not loaded, loaded
        """
    )


def test_nothing_changes_without_dask():
    # None in sys.modules makes every import of dask fail, as if it were
    # not installed.
    run_python(
        """
        import sys
        sys.modules["dask"] = sys.modules["distributed"] = None
        import numpy as np
        from skrnn import EchoStateRegressor
        X, y = np.random.rand(20, 6), np.random.rand(20)
        model = EchoStateRegressor(20, random_state=0).fit(X, y)
        assert model.predict(X).shape == (20,)
        """
    )


# -- the cluster ---------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (extra 'distributed')"
    )
    pytest.importorskip("dask.array", reason="dask[array] is not installed")
    # The workers start from an environment that sets no BLAS threads,
    # whatever the one running the tests sets: they get the Nanny's default.
    with pytest.MonkeyPatch.context() as patch:
        for name in BLAS_VARIABLES:
            patch.delenv(name, raising=False)
        cluster = distributed.LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def da(client):
    import dask.array

    return dask.array


def on_cluster(client, search):
    """Run ``search()`` through joblib's dask backend; its result and the
    number of tasks the workers ran."""
    from distributed import get_task_stream

    with get_task_stream(client) as stream, parallel_backend("dask"):
        result = search()
    assert stream.data, "no task ran on the cluster"
    return result


def assert_same_search(local, remote):
    assert remote.best_params_ == local.best_params_
    for key in ("params", "mean_test_score", "std_test_score", "rank_test_score"):
        assert_array_equal(remote.cv_results_[key], local.cv_results_[key])


def regression_data(n=240, T=24, seed=0):
    """Raw-scale inputs (standardize has work to do) and noisy targets (GCV
    has a clear minimum, so the chosen alpha does not hang on rounding)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, 2)) * [3.0, 0.1] + [5.0, -1.0]
    y = np.tanh(X[:, -3:, 0].mean(1) - 5) + 10 * X[:, :, 1].mean(1)
    return X, y + 0.1 * rng.normal(size=n)


def test_grid_search_on_cluster_equals_n_jobs_1(client):
    X, y = regression_data()
    grid = {
        "spectral_radius": [0.5, 0.9],
        "leak_rate": [0.3, 1.0],
        "pooling": ["last", "mean"],
    }

    def search(**kw):
        return GridSearchCV(
            EchoStateRegressor(40, random_state=0), grid, cv=3, **kw
        ).fit(X, y)

    local = search()
    remote = on_cluster(client, lambda: search(n_jobs=-1))
    assert_same_search(local, remote)
    assert_array_equal(remote.predict(X), local.predict(X))


def test_randomized_search_of_rnn_on_cluster_equals_n_jobs_1(client):
    X, y = regression_data(n=60, T=8)
    space = {"cell": ["rnn", "gru", "lstm"], "hidden_layer_sizes": [(4,), (8,)]}

    def search(**kw):
        model = RNNRegressor(max_iter=3, random_state=0)
        return RandomizedSearchCV(
            model, space, n_iter=4, cv=2, random_state=1, **kw
        ).fit(X, y)

    assert_same_search(search(), on_cluster(client, lambda: search(n_jobs=-1)))


def test_cross_val_score_on_cluster_equals_n_jobs_1(client):
    X, y = regression_data()
    labels = np.where(y > np.median(y), "up", "down")
    model = EchoStateClassifier(40, random_state=0)
    cv = KFold(4, shuffle=True, random_state=0)
    local = cross_val_score(model, X, labels, cv=cv)
    remote = on_cluster(
        client, lambda: cross_val_score(model, X, labels, cv=cv, n_jobs=-1)
    )
    assert_array_equal(remote, local)
    assert local.mean() > 0.6  # a model that learnt something, not chance


def test_workers_use_one_blas_thread(client):
    # The Nanny sets OMP/MKL/OPENBLAS_NUM_THREADS=1 before it starts a worker
    # (distributed.nanny.pre-spawn-environ), unless the environment sets them
    # (the cluster fixture starts it without them): two workers on two cores
    # do not oversubscribe them.

    def blas_threads():
        from threadpoolctl import threadpool_info

        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    for threads in client.run(blas_threads).values():
        assert threads and set(threads) == {1}


# -- echo state networks on dask arrays ----------------------------------------
def fit_both(da, model, X, y, chunks=50, **fit_kw):
    """``model`` fitted in memory and on ``X`` chunked along samples."""
    from sklearn.base import clone

    local = clone(model).fit(X, y, **fit_kw)
    dask_kw = {
        k: da.from_array(v, chunks=chunks) for k, v in fit_kw.items() if v is not None
    }
    remote = clone(model).fit(
        da.from_array(X, chunks=(chunks,) + X.shape[1:]),
        da.from_array(y, chunks=(chunks,) + np.shape(y)[1:]),
        **dask_kw,
    )
    return local, remote


def assert_same_readout(local, remote, rtol=1e-7):
    # The chunked sums add the same terms in another order; the solve
    # amplifies the last bits by its condition number (intercepts 1.2e-9
    # apart with mean pooling on an AMD EPYC's OpenBLAS kernels). A chunk
    # lost or counted twice moves the readout by far more than 1e-7.
    assert remote.alpha_ == local.alpha_
    assert_allclose(remote.input_mean_, local.input_mean_, rtol=1e-12)
    assert_allclose(remote.input_scale_, local.input_scale_, rtol=1e-12)
    assert_allclose(remote.intercept_, local.intercept_, rtol=rtol, atol=1e-12)
    assert_allclose(
        remote.coef_, local.coef_, rtol=rtol, atol=1e-9 * abs(local.coef_).max()
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"input_window": 6},  # the last 6 steps read directly, unpenalised
        {"pooling": "mean"},
        {"pooling": "steps", "washout": "auto"},
        {"leak_rate": 0.5, "washout": 3, "pooling": "steps"},
    ],
)
def test_chunked_regressor_fit_equals_in_memory(da, params):
    X, y = regression_data()
    model = EchoStateRegressor(60, random_state=0, **params)
    local, remote = fit_both(da, model, X, y, chunks=45)  # the last chunk is short
    assert_same_readout(local, remote)
    assert_allclose(remote.target_mean_, local.target_mean_, rtol=1e-12)
    assert_allclose(remote.target_scale_, local.target_scale_, rtol=1e-12)
    assert remote.n_features_in_ == local.n_features_in_ == 2


def test_chunked_fit_per_step_with_padding_and_weights(da):
    X, y = regression_data(n=150)
    Y = np.cumsum(X[..., 1], axis=1) + 0.1 * np.random.default_rng(1).normal(
        size=X.shape[:2]
    )
    X[::3, 18:] = np.nan  # a third of the sequences end early
    Y[::3, 18:] = np.nan
    weights = np.random.default_rng(2).uniform(0, 3, size=len(X))
    model = EchoStateRegressor(50, return_sequences=True, random_state=0)
    local, remote = fit_both(da, model, X, Y, chunks=40, sample_weight=weights)
    assert_same_readout(local, remote)
    assert_allclose(remote.target_scale_, local.target_scale_, rtol=1e-12)


def test_chunked_classifier_fit_equals_in_memory(da):
    X, y = regression_data()
    # The first chunk holds one class only: classes come from every chunk.
    labels = np.where(
        np.arange(len(y)) < 60, "low", np.where(y > np.median(y), "high", "mid")
    )
    model = EchoStateClassifier(60, class_weight={"low": 2.0}, random_state=0)
    local, remote = fit_both(da, model, X, labels, chunks=60)
    assert_array_equal(remote.classes_, ["high", "low", "mid"])
    assert_same_readout(local, remote)
    proba = remote.predict_proba(da.from_array(X, chunks=(70, 24, 2)))
    assert_allclose(proba.compute(), local.predict_proba(X), atol=1e-9)


def test_predict_is_lazy_and_blockwise(da):
    X, y = regression_data()
    model = EchoStateRegressor(40, random_state=0).fit(X, y)
    calls = []

    def watched(block):
        calls.append(len(block))
        return block

    Xd = da.from_array(X, chunks=(100, 24, 2)).map_blocks(
        watched, meta=np.empty((0, 0, 0), dtype=X.dtype)
    )
    prediction = model.predict(Xd)
    assert isinstance(prediction, da.Array)
    assert prediction.chunks == ((100, 100, 40),)
    assert calls == []  # nothing computed yet
    assert_allclose(prediction.compute(scheduler="sync"), model.predict(X), rtol=1e-12)
    assert sorted(calls) == [40, 100, 100]


def test_partial_fit_on_dask_chunks_equals_partial_fit_in_memory(da):
    X, y = regression_data()
    local, remote = (EchoStateRegressor(40, random_state=0) for _ in range(2))
    for part in (slice(0, 120), slice(120, None)):
        local.partial_fit(X[part], y[part])
        remote.partial_fit(
            da.from_array(X[part], chunks=(50, 24, 2)),
            da.from_array(y[part], chunks=50),
        )
    assert_same_readout(local, remote)


def test_noise_is_reproducible_for_a_chunking(da):
    X, y = regression_data()
    Xd, yd = da.from_array(X, chunks=(60, 24, 2)), da.from_array(y, chunks=60)
    first, second = (
        EchoStateRegressor(40, noise=0.05, alpha=1e-2, random_state=0).fit(Xd, yd)
        for _ in range(2)
    )
    assert_array_equal(first.coef_, second.coef_)
    quiet = EchoStateRegressor(40, alpha=1e-2, random_state=0).fit(Xd, yd)
    assert not np.allclose(first.coef_, quiet.coef_)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (
            lambda da, X, y: (da.from_array(X, chunks=(50, 12, 2)), y),
            ValueError,
            r"chunked along axis 1 \(time steps\).*X.rechunk\(\{1: -1\}\)",
        ),
        (
            lambda da, X, y: (da.from_array(X, chunks=(50, 24, 1)), y),
            ValueError,
            r"along axis 2 \(features\)",
        ),
        (
            lambda da, X, y: (da.from_array(X, chunks=50), y[:-1]),
            ValueError,
            "240 sequences but y has 239",
        ),
        (
            lambda da, X, y: (da.from_array(X[:, :, 0], chunks=50), None),
            ValueError,
            "requires y",
        ),
        (
            lambda da, X, y: (da.from_array(X[..., None], chunks=50), y),
            ValueError,
            r"2D \(n_samples, n_timesteps\) or 3D",
        ),
    ],
)
def test_bad_dask_input_is_a_clear_error_and_keeps_the_model(da, make, error, match):
    X, y = regression_data()
    model = EchoStateRegressor(30, random_state=0).fit(X[:50], y[:50])
    before = model.predict(X[:5])
    with pytest.raises(error, match=match):
        model.fit(*make(da, X, y))
    assert_array_equal(model.predict(X[:5]), before)


def test_balanced_class_weight_is_refused_on_dask(da):
    X, y = regression_data()
    model = EchoStateClassifier(30, class_weight="balanced")
    with pytest.raises(ValueError, match="'balanced' is not supported on a dask array"):
        model.fit(da.from_array(X, chunks=60), y > 0)


def test_error_on_a_worker_reaches_the_caller(da):
    X, y = regression_data()
    X[130, 5, 0] = np.inf  # in the third chunk only
    with pytest.raises(
        ValueError, match=r"In samples 120 to 179 of X .*contains inf \(sample 10,"
    ):
        EchoStateRegressor(30).fit(da.from_array(X, chunks=60), y)
