"""Echo state estimators against an independent plain-numpy reference.

The reference below shares nothing with skrnn but the random weights it
reads from ``reservoir_``: a step-by-step loop for the states (leak below 1,
bias, feedback), the washout, and the ridge on ``[1, u, x(, y_prev)]`` solved
with ``numpy.linalg.solve``. A swapped leak, an off-by-one washout or a
mixing term ``x·a`` in place of ``x·(1 - a)`` each make these tests fail (see
the issue 14 mutation check in the benchmarks README).
"""

import numpy as np
import pytest

from skrnn import EchoStateClassifier, EchoStateRegressor


def reference_states(reservoir, u, leak, y_prev=None):
    """States x_1..x_T of one sequence u (T, F), x_0 = 0, by the formula."""
    W = reservoir.W.toarray()
    x = np.zeros(W.shape[0])
    states = []
    for t in range(len(u)):
        pre = reservoir.W_in @ u[t] + W @ x + reservoir.bias
        if reservoir.W_fb is not None:
            pre = pre + reservoir.W_fb @ y_prev[t]
        x = (1 - leak) * x + leak * np.tanh(pre)
        states.append(x)
    return np.array(states)


def reference_ridge(Z, Y, alpha):
    """Ridge on rows Z (with a leading column of ones, not penalised)."""
    penalty = alpha * np.eye(Z.shape[1])
    penalty[0, 0] = 0.0
    return np.linalg.solve(Z.T @ Z + penalty, Z.T @ Y)


def previous_outputs(y):
    """y_{t-1} at every step t, zero at t = 0."""
    return np.vstack([np.zeros((1, y.shape[1])), y[:-1]])


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=(3, 40, 2))
    y = np.tanh(np.cumsum(u, axis=1)[..., :1] / 4) + 0.1 * u[..., 1:]
    return u, y


@pytest.mark.parametrize("feedback", [False, True])
def test_per_step_readout_and_predictions(series, feedback):
    u, y = series
    leak, alpha, washout = 0.3, 1e-3, 7
    model = EchoStateRegressor(
        n_reservoir=30,
        leak_rate=leak,
        alpha=alpha,
        washout=washout,
        feedback=feedback,
        bias_scaling=0.5,
        standardize=False,
        return_sequences=True,
        random_state=0,
    ).fit(u, y)
    res = model.reservoir_
    rows, targets = [], []
    for ui, yi in zip(u, y):
        prev = previous_outputs(yi)
        x = reference_states(res, ui, leak, prev if feedback else None)
        parts = [np.ones((len(ui), 1)), ui, x] + ([prev] if feedback else [])
        rows.append(np.hstack(parts)[washout:])
        targets.append(yi[washout:])
    w = reference_ridge(np.vstack(rows), np.vstack(targets), alpha)
    np.testing.assert_allclose(model.intercept_, w[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.coef_, w[1:], rtol=1e-6, atol=1e-8)

    # Prediction runs free: with feedback, each output is fed back.
    predicted = model.predict(u)
    for ui, out in zip(u, predicted):
        outputs, prev = [], np.zeros(1)
        W = res.W.toarray()
        x = np.zeros(30)
        for t in range(len(ui)):
            pre = res.W_in @ ui[t] + W @ x + res.bias
            if feedback:
                pre += res.W_fb @ prev
            x = (1 - leak) * x + leak * np.tanh(pre)
            z = np.concatenate([[1.0], ui[t], x] + ([prev] if feedback else []))
            prev = z @ w
            outputs.append(prev)
        np.testing.assert_allclose(out, np.array(outputs), rtol=1e-6, atol=1e-8)


def test_washout_counts_exactly_the_first_steps(series):
    # Targets of the washed-out steps must not matter at all, and the first
    # read step must: an off-by-one washout fails one of the two.
    u, y = series
    params = dict(
        n_reservoir=20,
        alpha=1e-2,
        washout=5,
        standardize=False,
        return_sequences=True,
        random_state=0,
    )
    base = EchoStateRegressor(**params).fit(u, y)
    washed = y.copy()
    washed[:, :5] += 100.0
    np.testing.assert_allclose(
        EchoStateRegressor(**params).fit(u, washed).coef_, base.coef_, rtol=1e-9
    )
    read = y.copy()
    read[:, 5] += 1.0
    assert not np.allclose(EchoStateRegressor(**params).fit(u, read).coef_, base.coef_)


@pytest.mark.parametrize("pooling", ["last", "mean", "steps"])
def test_sequence_features_and_readout(series, pooling):
    # One target per sequence, different lengths (a list), default washout
    # ("auto": none for the mean; a quarter of each length, at most 100
    # steps, for the rows of "steps").
    u, _ = series
    rng = np.random.default_rng(1)
    sequences = [ui[: 40 - 7 * i] for i, ui in enumerate(np.vstack([u, u]))]
    y = rng.normal(size=(len(sequences), 2))
    leak, alpha = 0.4, 1e-2
    model = EchoStateRegressor(
        n_reservoir=25,
        leak_rate=leak,
        alpha=alpha,
        pooling=pooling,
        standardize=False,
        random_state=0,
    ).fit(sequences, y)
    rows, targets = [], []
    for s, target in zip(sequences, y):
        x = reference_states(model.reservoir_, s, leak)
        Z = np.hstack([np.ones((len(s), 1)), s, x])
        start = min(100, len(s) // 4) if pooling == "steps" else 0
        if pooling == "last":
            rows.append(Z[-1:])
            targets.append(target[None])
        elif pooling == "mean":
            rows.append(Z[start:].mean(axis=0, keepdims=True))
            targets.append(target[None])
        else:  # every step after the washout, each with the sequence's target
            rows.append(Z[start:])
            targets.append(np.repeat(target[None], len(s) - start, axis=0))
    w = reference_ridge(np.vstack(rows), np.vstack(targets), alpha)
    np.testing.assert_allclose(model.coef_, w[1:], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, w[0], rtol=1e-6, atol=1e-9)
    # A sequence's output is the readout of its pooled features.
    pooled = [
        np.hstack(
            [np.ones((len(s), 1)), s, reference_states(model.reservoir_, s, leak)]
        )
        for s in sequences
    ]
    if pooling == "last":
        features = np.array([Z[-1] for Z in pooled])
    else:
        start = (lambda L: min(100, L // 4)) if pooling == "steps" else (lambda L: 0)
        features = np.array([Z[start(len(Z)) :].mean(0) for Z in pooled])
    np.testing.assert_allclose(model.predict(sequences), features @ w, atol=1e-8)


def test_forecast_feeds_back_on_the_models_scale():
    # Raw series far from zero: the closed loop must standardise each fed
    # back prediction with the input statistics, and map outputs back with
    # the target statistics.
    rng = np.random.default_rng(0)
    t = np.arange(400)
    series = 300 + 100 * np.sin(2 * np.pi * t / 23) + rng.normal(size=400)
    leak, alpha = 0.5, 1e-4
    model = EchoStateRegressor(
        n_reservoir=40,
        leak_rate=leak,
        alpha=alpha,
        return_sequences=True,
        random_state=0,
    ).fit(series[None, :-1, None], series[None, 1:, None])
    res, W = model.reservoir_, model.reservoir_.W.toarray()
    mu_x, s_x = model.input_mean_, model.input_scale_
    mu_y, s_y = model.target_mean_, model.target_scale_
    context = series[350:380]
    x = reference_states(res, (context[:, None] - mu_x) / s_x, leak)[-1]
    u = (context[-1:] - mu_x) / s_x
    expected = []
    for _ in range(6):
        y_scaled = model.intercept_ + np.concatenate([u, x]) @ model.coef_
        y = y_scaled * s_y + mu_y
        expected.append(y[0])
        u = (y - mu_x) / s_x
        x = (1 - leak) * x + leak * np.tanh(res.W_in @ u + W @ x + res.bias)
    out = model.forecast(context[None, :, None], 6)
    np.testing.assert_allclose(out[0, :, 0], expected, rtol=1e-9)


def test_classifier_is_the_ridge_of_one_hot_labels(series):
    u, _ = series
    X = np.vstack([u, -u, u[:, ::-1]])
    labels = np.array(["a", "b", "c"])[np.arange(9) % 3]
    leak, alpha = 0.6, 1e-1
    clf = EchoStateClassifier(
        n_reservoir=20,
        leak_rate=leak,
        alpha=alpha,
        standardize=False,
        random_state=0,
    ).fit(X, labels)
    start = 0  # washout="auto" averages every step
    rows = np.array(
        [
            np.hstack(
                [np.ones((len(s), 1)), s, reference_states(clf.reservoir_, s, leak)]
            )[start:].mean(0)
            for s in X
        ]
    )
    Y = (labels[:, None] == clf.classes_).astype(float)
    w = reference_ridge(rows, Y, alpha)
    np.testing.assert_allclose(clf.coef_, w[1:], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(clf.decision_function(X), rows @ w, atol=1e-9)
