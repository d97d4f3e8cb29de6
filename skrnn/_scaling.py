"""Per-feature standardisation over the real steps of sequences.

The statistics every estimator that scales its own data uses (the recurrent
estimators' ``standardize``, :class:`skrnn.preprocessing.SequenceScaler`):
a mean and a scale per feature, computed over every real (unpadded) step of
every sequence, each step weighted by its sequence's sample weight. Padding
never enters a statistic and stays zero after scaling, so a sequence's
scaled values never depend on its batch or its padding.

A feature that is constant (or nearly so) gets a scale of 1, as in
:class:`sklearn.preprocessing.StandardScaler`: it is centred, never divided
by zero.
"""

from typing import NamedTuple

import numpy as np

from skrnn._sequences import Sequences
from skrnn._steps import real_steps

__all__ = [
    "RowMoments",
    "Standardization",
    "feature_statistics",
    "merge_moments",
    "moment_statistics",
    "row_moments",
    "row_statistics",
    "standardize_each_sequence",
]


class RowMoments(NamedTuple):
    """Weighted moments of the columns of some rows, in units that cannot
    overflow: values divided by ``magnitude`` (1 where it is 0), weights by
    ``weight_max``. Moments of two sets of rows merge into those of their
    union (:func:`merge_moments`), so that chunks of data reduce to the
    statistics of all of it.

    Attributes
    ----------
    magnitude : ndarray of shape (n_columns,)
        Largest absolute value of each column (0 for no rows).
    weight_max : float
        Largest weight (0 for no rows or all weights zero).
    total : float
        Sum of the weights, in units of ``weight_max``.
    mean : ndarray of shape (n_columns,)
        Weighted mean, in units of ``magnitude``.
    m2 : ndarray of shape (n_columns,)
        Weighted sum of squared deviations from ``mean``, same units.
    """

    magnitude: np.ndarray
    weight_max: float
    total: float
    mean: np.ndarray
    m2: np.ndarray


def _unit(magnitude):
    return np.where(magnitude > 0, magnitude, 1.0)


def row_moments(rows, weights):
    """The :class:`RowMoments` of ``rows`` (n_rows, n_columns) weighted by
    ``weights`` (n_rows,), non-negative."""
    rows = np.asarray(rows, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    n_columns = rows.shape[1]
    weight_max = float(weights.max()) if len(weights) else 0.0
    if weight_max <= 0:
        zeros = np.zeros(n_columns)
        return RowMoments(zeros, 0.0, 0.0, zeros, zeros)
    weights = weights / weight_max
    magnitude = np.abs(rows).max(axis=0)
    unit = rows / _unit(magnitude)
    total = float(weights.sum())
    mean = weights @ unit / total
    centred = unit - mean
    return RowMoments(magnitude, weight_max, total, mean, weights @ (centred * centred))


def merge_moments(a, b):
    """The :class:`RowMoments` of the rows of both ``a`` and ``b``.

    Each is brought to the larger magnitude and weight, then the means and
    sums of squares are pooled as in Chan, Golub and LeVeque (1983), which
    needs no second pass over the rows.
    """
    if b.total == 0:
        return a
    if a.total == 0:
        return b
    magnitude = np.maximum(a.magnitude, b.magnitude)
    weight_max = max(a.weight_max, b.weight_max)
    parts = []
    for part in (a, b):
        shrink = _unit(part.magnitude) / _unit(magnitude)
        lighter = part.weight_max / weight_max
        parts.append(
            (part.total * lighter, part.mean * shrink, part.m2 * lighter * shrink**2)
        )
    (total_a, mean_a, m2_a), (total_b, mean_b, m2_b) = parts
    total = total_a + total_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (total_b / total)
    m2 = m2_a + m2_b + delta * delta * (total_a * total_b / total)
    return RowMoments(magnitude, weight_max, total, mean, m2)


def moment_statistics(moments, input_name="X"):
    """Mean and scale of each column from its :class:`RowMoments`.

    Moments of no weight (every weight zero) give the identity map: the fit
    that asked for them then refuses the weights itself.
    """
    magnitude, _, total, mean, m2 = moments
    if total == 0:
        return np.zeros_like(mean), np.ones_like(mean)
    magnitude = _unit(magnitude)
    variance = m2 / total
    eps = np.finfo(np.float64).eps
    # In units of the largest magnitude, StandardScaler's bound for "constant".
    constant = variance <= (10 * eps * np.maximum(np.abs(mean), 1.0)) ** 2
    scale = np.where(constant, 1.0, np.sqrt(variance) * magnitude)
    mean = mean * magnitude
    if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
        raise ValueError(
            f"{input_name} holds values too large to standardise (largest "
            f"magnitude {magnitude.max():.3g}); rescale them."
        )
    return mean, scale


def row_statistics(rows, weights=None, input_name="X"):
    """Weighted mean and scale of each column of ``rows``.

    Values and weights are divided by their largest magnitude first, so that
    neither huge values nor huge (or tiny) weights overflow the sums.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, n_columns)
    weights : ndarray of shape (n_rows,) or None
        Non-negative weights; None (or all zero) weighs every row alike.

    Returns
    -------
    mean, scale : ndarray of shape (n_columns,), float64
    """
    rows = np.asarray(rows, dtype=np.float64)
    if weights is None or not np.any(weights):
        weights = np.ones(len(rows))
    return moment_statistics(row_moments(rows, weights), input_name)


def feature_statistics(sequences, sample_weight=None, input_name="X"):
    """Mean and scale of each feature over the real steps of ``sequences``.

    Parameters
    ----------
    sequences : Sequences
    sample_weight : ndarray of shape (n_samples,) or None
        Weight of each sequence, given to each of its steps.

    Returns
    -------
    mean, scale : ndarray of shape (n_features,), float64
    """
    values, lengths = sequences
    mask = real_steps(lengths, values.shape[1])
    weights = None
    if sample_weight is not None:
        weights = np.repeat(np.asarray(sample_weight, dtype=np.float64), lengths)
    return row_statistics(values[mask], weights, input_name)


class Standardization:
    """A fitted per-feature affine map and its inverse.

    Parameters
    ----------
    mean, scale : ndarray of shape (n_features,)
        ``z = (x - mean) / scale``.
    """

    def __init__(self, mean, scale):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)

    @classmethod
    def fit(cls, sequences, sample_weight=None):
        """The standardisation of the real steps of ``sequences``."""
        return cls(*feature_statistics(sequences, sample_weight))

    def transform_sequences(self, sequences, input_name="X", dtype=None):
        """Scaled copy of ``sequences``, padding still zero.

        The result is in ``dtype`` (None: the values' dtype). The scaling
        itself runs in the values' dtype, and only its result is rounded to
        ``dtype``: float64 values far from zero (say 1e8 plus noise of 1)
        keep their variation through a float32 fit, where rounding them to
        float32 first would leave steps of 8.
        """
        values, lengths = sequences
        scaled = self.transform(values, input_name, dtype)
        scaled[~real_steps(lengths, values.shape[1])] = 0
        return Sequences(scaled, lengths)

    def transform(self, X, input_name="X", dtype=None):
        """Scale rows (or any array whose last axis is the features), in
        ``X``'s dtype, and return them in ``dtype`` (None: ``X``'s); an
        error names ``input_name`` when a value is too far out to scale."""
        dtype = X.dtype if dtype is None else np.dtype(dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (X - self.mean.astype(X.dtype)) / self.scale.astype(X.dtype)
            scaled = scaled.astype(dtype, copy=False)
        if not np.isfinite(scaled).all():
            raise ValueError(
                f"{input_name} holds values too large to standardise in "
                f"{dtype} (largest magnitude {np.abs(X).max():.3g}); rescale "
                "them."
            )
        return scaled

    def inverse_transform(self, Z):
        """Undo :meth:`transform` (last axis is the features)."""
        dtype = Z.dtype
        return Z * self.scale.astype(dtype) + self.mean.astype(dtype)


#: Floor of a sequence's scale in its log-scale channel, in units of the
#: data's per-feature standard deviation: a constant sequence (scale 0) gets
#: log(1e-3) instead of minus infinity.
LOG_SCALE_FLOOR = 1e-3


def standardize_each_sequence(sequences, input_name="X"):
    """Each sequence's shape, level and log-scale, as separate channels.

    Each sequence is centred and scaled by its own mean and standard
    deviation (over its real steps and all its features together; scaling
    each feature on its own would also erase how the features compare
    within it): the z-normalisation of the UCR time-series archive, which
    leaves only the shape. Two channels are appended, constant over the
    sequence: the mean, and the logarithm of the standard deviation
    (floored at :data:`LOG_SCALE_FLOOR`), so that what the normalisation
    removed is still there for a model to weigh. A constant sequence is
    centred, never divided by zero; padding stays zero.

    Parameters
    ----------
    sequences : Sequences
        Values already standardised per feature (level and scale are then
        in units of the data's spread).
    input_name : str, default="X"
        Named by the error about values too large to standardise.

    Returns
    -------
    Sequences
        ``n_features + 2`` features, in the dtype of ``sequences``.
    """
    values, lengths = sequences
    n, T, F = values.shape
    mask = real_steps(lengths, T)[:, :, None]
    wide = values.astype(np.float64)
    count = lengths * F
    mean = wide.sum(axis=(1, 2)) / count
    centred = np.where(mask, wide - mean[:, None, None], 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        std = np.sqrt((centred * centred).sum(axis=(1, 2)) / count)
    if not (np.isfinite(std).all() and np.isfinite(mean).all()):
        raise ValueError(
            f"{input_name} holds values too large to standardise; rescale them."
        )
    eps = np.finfo(np.float64).eps
    # StandardScaler's bound for "constant".
    constant = std <= 10 * eps * np.maximum(np.abs(mean), 1.0)
    shape = centred / np.where(constant, 1.0, std)[:, None, None]
    log_scale = np.log(np.maximum(std, LOG_SCALE_FLOOR))
    out = np.zeros((n, T, F + 2), dtype=values.dtype)
    out[:, :, :F] = shape
    out[:, :, F] = mean[:, None]
    out[:, :, F + 1] = log_scale[:, None]
    out *= mask
    return Sequences(out, lengths)
