"""The echo state readout alone: its sums, its solve and the GCV choice."""

import numpy as np
import pytest

from skrnn._readout import ReadoutSums, gcv_scores, solve_readout


def rows(n, D, k, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D)) @ rng.normal(size=(D, D))
    y = X @ rng.normal(size=(D, k)) + rng.normal(size=(n, k))
    return X, y


def summed(X, y, weight=None, frequency=None):
    sums = ReadoutSums(1 + X.shape[1], y.shape[1])
    weight = np.ones(len(X)) if weight is None else weight
    sums.add(np.hstack([np.ones((len(X), 1)), X]).T, y.T, weight, frequency)
    return sums


@pytest.mark.parametrize("df_cost", [1.0, 1.4])
def test_gcv_equals_the_explicit_computation(df_cost):
    # Weighted rows, two outputs; the hat matrix and residuals formed
    # explicitly, with frequencies n = sum of the weights.
    X, y = rows(60, 8, 2)
    w = np.random.default_rng(1).uniform(0.5, 2, size=60)
    alphas = np.logspace(-3, 3, 13)
    _, _, _, scores = solve_readout(summed(X, y, w), "auto", alphas, df_cost)
    n = w.sum()
    Xc = X - w @ X / n
    yc = y - w @ y / n
    expected = []
    for a in alphas:
        A = Xc.T @ (w[:, None] * Xc) + a * np.eye(8)
        H = Xc @ np.linalg.solve(A, Xc.T * w)
        residual = yc - H @ yc
        df = 1 + np.trace(H)
        expected.append(n * np.sum(w[:, None] * residual**2) / (n - df_cost * df) ** 2)
    np.testing.assert_allclose(scores, expected, rtol=1e-8)


def test_fixed_alpha_equals_the_ridge_normal_equations():
    X, y = rows(40, 6, 1)
    coef, intercept, alpha, scores = solve_readout(summed(X, y), 0.3)
    assert alpha == 0.3 and scores is None
    Z = np.hstack([np.ones((40, 1)), X])
    penalty = 0.3 * np.eye(7)
    penalty[0, 0] = 0
    w = np.linalg.solve(Z.T @ Z + penalty, Z.T @ y)
    np.testing.assert_allclose(intercept, w[0])
    np.testing.assert_allclose(coef, w[1:])


def test_sums_of_chunks_are_the_sums_of_all():
    X, y = rows(50, 5, 3)
    w = np.linspace(0, 2, 50)
    whole = summed(X, y, w)
    parts = summed(X[:20], y[:20], w[:20]) + summed(X[20:], y[20:], w[20:])
    np.testing.assert_allclose(np.triu(parts.xtx), np.triu(whole.xtx))
    np.testing.assert_allclose(parts.xty, whole.xty)
    np.testing.assert_allclose(parts.yty, whole.yty)
    assert (parts.n_rows, parts.n_weighted_rows) == (50, 49)
    assert parts.n_observations == pytest.approx(w.sum())
    np.testing.assert_array_equal(parts.y_min, y[1:].min(0))  # weight 0: not seen
    a = solve_readout(whole, "auto")
    b = solve_readout(parts, "auto")
    assert a[2] == b[2]
    np.testing.assert_allclose(a[0], b[0], rtol=1e-9)


def test_frequencies_count_observations_not_weights():
    X, y = rows(30, 4, 1)
    w = np.where(np.arange(30) < 10, 100.0, 1.0)
    as_frequency = summed(X, y, w)
    as_importance = summed(X, y, w, frequency=np.ones(30))
    assert as_frequency.n_observations == 1020 and as_importance.n_observations == 30
    # Same Gram matrix, so the same fit at a given penalty ...
    np.testing.assert_allclose(
        solve_readout(as_frequency, 1.0)[0], solve_readout(as_importance, 1.0)[0]
    )
    # ... but fewer observations make GCV shrink more.
    assert (
        solve_readout(as_importance, "auto")[2]
        >= solve_readout(as_frequency, "auto")[2]
    )


def test_ties_and_interpolation_go_to_the_largest_penalty():
    # 5 rows, 20 features: every small penalty fits exactly; among those the
    # largest wins, and the choice is the same for weights and repeats.
    X, y = rows(5, 20, 1)
    weights = np.array([1.0, 3.0, 2.0, 1.0, 2.0])
    repeated = summed(
        np.repeat(X, [1, 3, 2, 1, 2], axis=0), np.repeat(y, [1, 3, 2, 1, 2], axis=0)
    )
    weighted = summed(X, y, weights)
    alphas = np.logspace(-12, -6, 7)
    a = solve_readout(repeated, "auto", alphas, 1.0)
    b = solve_readout(weighted, "auto", alphas, 1.0)
    assert a[2] == b[2] == alphas[-1]
    np.testing.assert_allclose(a[0], b[0], rtol=1e-7)


def test_scores_are_infinite_where_the_fit_would_interpolate():
    values = np.array([1.0, 2.0, 3.0])
    projected = np.ones((3, 1))
    scores = gcv_scores(values, projected, np.array([10.0]), 4.0, np.array([1e-9, 1e3]))
    assert np.isinf(scores[0]) and np.isfinite(scores[1])


@pytest.mark.parametrize("df_cost", [1.0, 1.4])
def test_free_columns_are_unpenalised_and_counted_by_gcv(df_cost):
    # The first three features free, as the constant is: the weights solve
    # the normal equations with a penalty on the others only, and GCV counts
    # the free columns' degrees of freedom (the hat matrix formed explicitly).
    X, y = rows(70, 8, 2)
    w = np.random.default_rng(2).uniform(0.5, 2, size=70)
    sums = summed(X, y, w)
    Z = np.hstack([np.ones((70, 1)), X])
    penalty = np.diag(np.r_[0.0, 0.0, 0.0, 0.0, np.ones(5)])
    alphas = np.logspace(-3, 3, 13)
    n = w.sum()
    expected = []
    for a in alphas:
        A = Z.T @ (w[:, None] * Z) + a * penalty
        H = Z @ np.linalg.solve(A, Z.T * w)
        residual = y - H @ y
        df = np.trace(H)
        expected.append(n * np.sum(w[:, None] * residual**2) / (n - df_cost * df) ** 2)
    _, _, _, scores = solve_readout(sums, "auto", alphas, df_cost, n_free=3)
    np.testing.assert_allclose(scores, expected, rtol=1e-8)
    coef, intercept, _, _ = solve_readout(sums, 0.7, n_free=3)
    exact = np.linalg.solve(
        Z.T @ (w[:, None] * Z) + 0.7 * penalty, Z.T @ (w[:, None] * y)
    )
    np.testing.assert_allclose(intercept, exact[0], rtol=1e-9)
    np.testing.assert_allclose(coef, exact[1:], rtol=1e-9, atol=1e-12)
    # A huge penalty leaves the free columns' least squares fit.
    coef, intercept, _, _ = solve_readout(sums, 1e12, n_free=3)
    ols = np.linalg.lstsq(np.sqrt(w)[:, None] * Z[:, :4], np.sqrt(w)[:, None] * y)[0]
    np.testing.assert_allclose(coef[:3], ols[1:], rtol=1e-6)
    np.testing.assert_allclose(coef[3:], 0, atol=1e-8)


def test_free_columns_are_penalised_when_they_alone_fit_every_row():
    # Four rows, three free columns and the constant: unpenalised they
    # would interpolate the targets, so everything is penalised instead.
    X, y = rows(4, 8, 1)
    sums = summed(X, y)
    free = solve_readout(sums, 10.0, n_free=3)
    penalised = solve_readout(sums, 10.0, n_free=0)
    np.testing.assert_array_equal(free[0], penalised[0])
    residual = y - X @ free[0] - free[1]
    assert np.abs(residual).max() > 1e-3
    # One row more and the free columns are free again.
    X, y = rows(5, 8, 1)
    sums = summed(X, y)
    assert not np.allclose(
        solve_readout(sums, 10.0, n_free=3)[0], solve_readout(sums, 10.0)[0]
    )
    # So are they on four rows if one is all zeros (a window longer than
    # every sequence): it is their rank that counts. The zeros get no weight.
    X, y = rows(4, 8, 1)
    X[:, 2] = 0.0
    free = solve_readout(summed(X, y), 10.0, n_free=3)
    assert not np.allclose(free[0], solve_readout(summed(X, y), 10.0)[0])
    assert free[0][2] == 0.0
