"""Known future covariates of a closed-loop forecast.

A model trained on steps ``[target(s), covariates]`` predicts only its
targets; in closed loop each prediction becomes the first features of the
next input step and the known future values of the covariates fill the
rest. This module checks those future values once for both regressors.
"""

import numpy as np
from sklearn.utils.validation import check_array

__all__ = ["check_covariates"]


def check_covariates(covariates, n_contexts, n_steps, n_outputs, n_features, dtype):
    """The future covariates of a forecast as ``(n_contexts, n_steps, C)``.

    Parameters
    ----------
    covariates : array-like or None
        ``(n_contexts, n_steps, C)``, or ``(n_contexts, n_steps)`` for one
        covariate. Step ``s`` holds the covariates of the step whose target
        is the ``s``-th forecast; the last step is never read (no input
        follows the last forecast) but is asked for, so that the array lines
        up with the forecast.
    n_contexts, n_steps : int
        Shape of the forecast.
    n_outputs, n_features : int
        The model's outputs and input features per step; ``C`` must be
        ``n_features - n_outputs``.
    dtype : numpy dtype

    Returns
    -------
    ndarray of shape (n_contexts, n_steps, C), or None without covariates
    """
    n_covariates = n_features - n_outputs
    if n_covariates < 0:
        raise ValueError(
            "forecast feeds each prediction back as the next input, but the "
            f"model has {n_outputs} outputs and {n_features} features per time "
            "step; they must be equal: train it to predict its own next input."
        )
    if covariates is None:
        if n_covariates != 0:
            raise ValueError(
                "forecast feeds each prediction back as the next input, but the "
                f"model has {n_outputs} outputs and {n_features} features per "
                "time step. Either train it to predict its own next input (as "
                "many outputs as features per step) or, if the other "
                f"{n_covariates} features are covariates whose future is known, "
                "pass their future values as covariates, of shape "
                f"(n_contexts, n_steps, {n_covariates})."
            )
        return None
    if n_covariates == 0:
        raise ValueError(
            f"covariates were given, but the model has {n_outputs} outputs and "
            f"{n_features} features per time step: it has no covariate "
            "features (the first features of a step are the outputs fed back, "
            "the rest are covariates)."
        )
    covariates = check_array(
        covariates, ensure_2d=False, allow_nd=True, dtype=dtype, input_name="covariates"
    )
    if covariates.ndim == 2 and n_covariates == 1:
        covariates = covariates[..., np.newaxis]
    expected = (n_contexts, n_steps, n_covariates)
    if covariates.shape != expected:
        raise ValueError(
            f"covariates has shape {covariates.shape}, but forecast(n_steps="
            f"{n_steps}) of {n_contexts} context(s) needs the known future values "
            f"of the {n_covariates} covariate feature(s) at every forecast step: "
            f"shape {expected}."
        )
    return covariates
