"""Split-conformal prediction intervals per horizon step.

Copies of the model trained without the last points of every series (one
copy, or one per block of origins: a rolling-origin backtest) forecast them
from every origin among them; the absolute errors at each
horizon step, divided by the series' scale (so that series of different
sizes can share them in a global model), are the calibration scores. The
interval at coverage ``c`` is the forecast plus or minus the scores'
``ceil((n + 1) c) / n`` empirical quantile times the series' scale, which
covers a new error with probability at least ``c`` when errors are
exchangeable (Vovk, Gammerman and Shafer, 2005).
"""

import numpy as np

__all__ = ["conformal_quantiles", "series_scale"]


def series_scale(y):
    """Mean absolute one-step change of each variable of ``y`` (the scale of
    MASE), or 1 where the series is constant."""
    changes = np.abs(np.diff(y, axis=0))
    scale = changes.mean(axis=0) if len(changes) else np.ones(y.shape[1])
    return np.where(scale > 0, scale, 1.0)


def conformal_quantiles(scores, coverage, horizon):
    """Quantiles ``(horizon, d)`` of the calibration scores of each step.

    Parameters
    ----------
    scores : list of ndarray of shape (n_h, d)
        Scaled absolute errors at each horizon step.
    coverage : float in (0, 1)
    horizon : int
        Number of steps asked for; at most ``len(scores)``.
    """
    if horizon > len(scores):
        raise ValueError(
            f"Intervals are calibrated up to {len(scores)} steps ahead, but "
            f"{horizon} were asked for. Fit with a larger calibration_size "
            "(the number of held-out points per series, which bounds the "
            "horizon of the intervals)."
        )
    out = []
    for step_scores in scores[:horizon]:
        n = len(step_scores)
        level = min(1.0, np.ceil((n + 1) * coverage) / n)
        out.append(np.quantile(step_scores, level, axis=0, method="higher"))
    return np.array(out)
