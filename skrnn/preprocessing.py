"""Preprocessing of sequences for pipelines."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from skrnn._restore import restore_on_failure
from skrnn._scaling import Standardization
from skrnn._sequences import _is_ragged_list, _ndim, validate_sequences
from skrnn._steps import format_steps, real_steps

__all__ = ["SequenceScaler"]

_DTYPES = (np.float64, np.float32)


class SequenceScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise sequences per feature over their real steps.

    Each feature is centred and divided by its standard deviation, both
    computed over every real (unpadded) time step of every sequence: a 2D
    array ``(n_samples, n_timesteps)`` holds univariate sequences, so all its
    values share one mean and one scale (unlike
    :class:`~sklearn.preprocessing.StandardScaler`, which would scale each
    time step on its own). 3D arrays and NaN-padded arrays come back in the
    layout they came in, padding still NaN; a list of sequences (arrays, or
    of different lengths) comes back as a list of arrays of the same shapes,
    and nested lists of numbers that form a table as an array, as everywhere
    in scikit-learn. A constant feature is centred and not divided.

    The recurrent and echo state estimators standardise their inputs
    themselves (``standardize=True``); this transformer is for pipelines
    that scale once before several models, or before scikit-learn
    estimators on 2D input.

    Parameters
    ----------
    with_mean : bool, default=True
        Whether to centre the features.
    with_std : bool, default=True
        Whether to divide by the standard deviation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_step_features,) or None
        Mean of each feature over the real steps (None when
        ``with_mean=False``).
    scale_ : ndarray of shape (n_step_features,) or None
        Standard deviation of each feature, 1 for a constant one (None when
        ``with_std=False``).
    n_features_in_ : int
        For 2D input, the number of columns (time steps); for 3D or list
        input, the number of features per time step.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` was a DataFrame.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : Per-column scaling of tables.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import SequenceScaler
    >>> X = [np.array([100.0, 110.0, 120.0]), np.array([130.0, 140.0])]
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_.round(2)
    (array([120.]), array([14.14]))
    >>> [x.round(2) for x in scaler.transform(X)]
    [array([-1.41, -0.71,  0.  ]), array([0.71, 1.41])]
    """

    _parameter_constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def fit(self, X, y=None, sample_weight=None):
        """Compute the mean and scale of each feature over the real steps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Sequences.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence, given to each of its steps.

        Returns
        -------
        self : SequenceScaler
        """
        sequences = validate_sequences(self, X, reset=True, dtype=_DTYPES)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, sequences.lengths, ensure_non_negative=True
            )
        fitted = Standardization.fit(sequences, sample_weight)
        self.mean_ = fitted.mean if self.with_mean else None
        self.scale_ = fitted.scale if self.with_std else None
        return self

    def _map(self):
        n = self._n_step_features
        mean = self.mean_ if self.mean_ is not None else np.zeros(n)
        scale = self.scale_ if self.scale_ is not None else np.ones(n)
        return Standardization(mean, scale)

    def _apply(self, X, function):
        check_is_fitted(self, "_n_step_features")
        sequences = validate_sequences(self, X, reset=False, dtype=_DTYPES)
        values, lengths = sequences
        rows = function(values[real_steps(lengths, values.shape[1])])
        if not np.isfinite(rows).all():
            raise ValueError(
                "X holds values too large to scale with the fitted statistics "
                f"(largest magnitude {np.abs(values).max():.3g})."
            )
        if _is_list_of_sequences(X):
            out = format_steps(rows, lengths, values.shape[1], as_list=True)
            # Univariate items come back as they went in: (T_i,).
            return [o[:, 0] if np.ndim(x) == 1 else o for o, x in zip(out, X)]
        out = format_steps(rows, lengths, values.shape[1], as_list=False)
        return out[..., 0] if _ndim(X) == 2 else out

    def transform(self, X):
        """Standardise ``X`` with the fitted statistics.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences with the fitted number of features per step.

        Returns
        -------
        X_scaled : ndarray or list of ndarray
            In the layout of ``X``: a 2D or 3D array (NaN where ``X`` had
            padding), or a list of arrays of the same shapes.
        """
        return self._apply(X, self._map().transform)

    def inverse_transform(self, X):
        """Map standardised sequences back to the original scale.

        Parameters
        ----------
        X : array-like or list of array-like
            Standardised sequences.

        Returns
        -------
        X_original : ndarray or list of ndarray
            In the layout of ``X``.
        """
        return self._apply(X, self._map().inverse_transform)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = True
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _is_list_of_sequences(X):
    """A list of arrays or a ragged list, as opposed to nested lists of
    numbers that form a 2D or 3D table."""
    if not isinstance(X, (list, tuple)):
        return False
    return _is_ragged_list(X) or any(isinstance(item, np.ndarray) for item in X)
