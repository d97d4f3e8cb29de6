"""Conformal quantiles of the forecaster's calibration scores (issue 13)."""

import numpy as np

from skrnn.forecasting._conformal import conformal_quantiles


def _scores(rng, n_steps, n_per_step, growth=1.0):
    """Half-normal scores whose spread grows along the horizon."""
    return [
        np.abs(rng.normal(size=(n_per_step, 1))) * (1 + growth * h)
        for h in range(n_steps)
    ]


def test_pooled_steps_cover_at_the_nominal_level():
    # 20 scores per step: a step's own conservative quantile would sit at
    # ceil(21 * 0.8) / 20 = 0.85, five points above 0.8. Pooled over 12
    # normalised steps, fresh scores of the same law are covered at 0.8.
    rng = np.random.default_rng(0)
    inside = []
    for _ in range(300):
        q = conformal_quantiles(_scores(rng, 12, 20), 0.8, 12)
        fresh = _scores(rng, 12, 1)
        inside.extend(s[0, 0] <= q[h, 0] for h, s in enumerate(fresh))
    assert abs(np.mean(inside) - 0.8) < 0.025


def test_widths_follow_each_step_spread():
    rng = np.random.default_rng(1)
    q = conformal_quantiles(_scores(rng, 6, 2000, growth=2.0), 0.9, 6)
    # The half-normal's 90% quantile is 1.645, times each step's 1 + 2h.
    np.testing.assert_allclose(q[:, 0], 1.645 * (1 + 2 * np.arange(6)), rtol=0.06)


def test_steps_with_zero_or_infinite_median_keep_their_own_quantile():
    rng = np.random.default_rng(2)
    scores = _scores(rng, 4, 30)
    scores[1][:, 0] = np.inf  # a calibration forecast that ran away
    scores[2][:20, 0] = 0.0  # most errors exactly zero
    q = conformal_quantiles(scores, 0.8, 4)
    assert np.isinf(q[1, 0])
    own = np.quantile(scores[2][:, 0], 25 / 30, method="higher")
    assert q[2, 0] == own
    assert np.all(np.isfinite(q[[0, 3], 0]))


def test_each_target_is_pooled_on_its_own():
    rng = np.random.default_rng(3)
    one = _scores(rng, 5, 40)
    both = [np.column_stack([s[:, 0], 100 * s[:, 0]]) for s in one]
    q = conformal_quantiles(both, 0.8, 5)
    np.testing.assert_allclose(q[:, 1], 100 * q[:, 0])
