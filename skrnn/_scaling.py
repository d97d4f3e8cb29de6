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

import numpy as np

from skrnn._sequences import Sequences
from skrnn._steps import real_steps

__all__ = ["Standardization", "feature_statistics", "row_statistics"]


def row_statistics(rows, weights=None, input_name="X"):
    """Weighted mean and scale of each column of ``rows``.

    Values and weights are divided by their largest magnitude first, so that
    neither huge values nor huge (or tiny) weights overflow the sums.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, n_columns)
    weights : ndarray of shape (n_rows,) or None
        Non-negative weights; None weighs every row alike.

    Returns
    -------
    mean, scale : ndarray of shape (n_columns,), float64
    """
    rows = np.asarray(rows, dtype=np.float64)
    if weights is None or not np.any(weights):
        weights = np.ones(len(rows))
    weights = np.asarray(weights, dtype=np.float64)
    weights = weights / weights.max()
    magnitude = np.abs(rows).max(axis=0) if len(rows) else np.ones(rows.shape[1])
    magnitude[~(magnitude > 0)] = 1.0
    unit = rows / magnitude
    total = weights.sum()
    mean = weights @ unit / total
    centred = unit - mean
    variance = weights @ (centred * centred) / total
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

    def transform_sequences(self, sequences, input_name="X"):
        """Scaled copy of ``sequences`` in their dtype, padding still zero."""
        values, lengths = sequences
        scaled = self.transform(values, input_name)
        scaled[~real_steps(lengths, values.shape[1])] = 0
        return Sequences(scaled, lengths)

    def transform(self, X, input_name="X"):
        """Scale rows (or any array whose last axis is the features); an
        error names ``input_name`` when a value is too far out to scale."""
        dtype = X.dtype
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (X - self.mean.astype(dtype)) / self.scale.astype(dtype)
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
