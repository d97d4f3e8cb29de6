"""Turn every accepted form of sequence input into one internal form.

Accepted forms (see DESIGN.md, "Data conventions"):

* a 2D array ``(n_samples, n_timesteps)``: univariate sequences, one per row;
  it keeps scikit-learn's column contract (``n_features_in_`` is the number of
  columns, ``feature_names_in_`` comes from a DataFrame);
* a 3D array ``(n_samples, n_timesteps, n_features)``, time on axis 1;
* a list of arrays of shape ``(T_i,)`` or ``(T_i, n_features)`` with varying
  lengths ``T_i``.

In arrays, steps at the end of a sequence whose features are all NaN are
padding (tslearn's convention); NaN anywhere else is an error that says where.

The internal form is :class:`Sequences`: a float array of shape
``(n_samples, max_length, n_features)`` with zeros after each sequence's end,
and the length of every sequence. Everything downstream uses only that.
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils.validation import FLOAT_DTYPES, check_array, validate_data

__all__ = [
    "Sequences",
    "check_sequences",
    "check_target_form",
    "reject_times",
    "slide_windows_",
    "validate_sequences",
]


class Sequences(NamedTuple):
    """A batch of sequences in the internal form.

    Attributes
    ----------
    values : ndarray of shape (n_samples, max_length, n_features)
        Float32 or float64 values; zeros after the end of each sequence.
    lengths : ndarray of shape (n_samples,), dtype int64
        Number of real (unpadded) steps of each sequence, at least 1.
    """

    values: np.ndarray
    lengths: np.ndarray

    @property
    def n_features(self) -> int:
        """Number of features per time step."""
        return self.values.shape[2]

    def take(self, indices) -> "Sequences":
        """Select sequences and trim the padding the selection does not need."""
        lengths = self.lengths[indices]
        return Sequences(self.values[indices, : lengths.max()], lengths)


def slide_windows_(values, lengths, last) -> np.ndarray:
    """Drop each sequence's first step and append ``last`` at its end, in place.

    This is how a model trained on windows forecasts in closed loop: its
    prediction becomes the newest step of the next window. Zeros after the
    end of a sequence stay zeros (they move one step left onto the step the
    prediction then overwrites).

    Parameters
    ----------
    values : ndarray of shape (n_samples, max_length, n_features)
        The internal form's values, zero after each sequence's end.
    lengths : ndarray of shape (n_samples,)
    last : ndarray of shape (n_samples, n_features)

    Returns
    -------
    values : ndarray
        The same array.
    """
    values[:, :-1] = values[:, 1:]  # numpy buffers the overlapping copy
    values[np.arange(len(lengths)), lengths - 1] = last
    return values


def reject_times(X, input_name="X") -> None:
    """Raise a TypeError for datetime64 or timedelta64 data.

    numpy converts them to floats silently (nanoseconds since 1970, about
    1.6e18 today), which no model should train on.
    """
    dtypes = getattr(X, "dtypes", None)  # a DataFrame: one dtype per column
    if dtypes is not None and not hasattr(dtypes, "kind"):
        kinds = {dtype.kind for dtype in dtypes}
    else:
        dtype = getattr(X, "dtype", None)
        if dtype is None:
            if not isinstance(X, (list, tuple)) or _is_ragged_list(X):
                return  # items of a ragged list are checked one by one
            dtype = np.asarray(X).dtype
        kinds = {dtype.kind}
    if kinds & {"m", "M"}:
        raise TypeError(
            f"{input_name} holds datetime64 or timedelta64 values; convert "
            "them to numbers that mean something to the model first (e.g. "
            "elapsed time in days, or calendar features)."
        )


def check_target_form(y, input_name="y") -> None:
    """Raise a clear error for targets that are no array of samples.

    A scalar, or nested lists of different lengths, would otherwise fail
    deep inside numpy with a message that names no argument.
    """
    reject_times(y, input_name)
    if isinstance(y, (list, tuple)) and _is_ragged_list(y):
        raise ValueError(
            f"{input_name} could not be read as one array: its items have "
            "different shapes. Pass one value (or one row of values) per sample."
        )
    shape = getattr(y, "shape", None)
    if shape is not None:
        scalar = len(shape) == 0
    else:  # array-likes without a shape (lists, objects with __array__)
        scalar = not (hasattr(y, "__len__") or hasattr(y, "__array__"))
    if scalar:
        raise ValueError(
            f"{input_name} must hold one value per sample, got the scalar {y!r}."
        )


def _float32_items(X) -> bool:
    """True for a list whose items are all float32 arrays, which numpy
    would otherwise stack into float64."""
    return bool(X) and all(getattr(item, "dtype", None) == np.float32 for item in X)


def _is_ragged_list(X) -> bool:
    """True for a list or tuple whose items numpy cannot stack into one array."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    try:
        np.asarray(X)
    except ValueError:
        return True
    return False


def _stack_list(X, dtype, input_name) -> np.ndarray:
    """Pad a list of (T_i,) or (T_i, F) arrays with NaN into (n, max T_i, F)."""
    items = []
    for i, item in enumerate(X):
        reject_times(item, f"{input_name}[{i}]")
        array = check_array(
            item,
            dtype=dtype,
            ensure_2d=False,
            ensure_all_finite=False,
            ensure_min_samples=0,
            input_name=f"{input_name}[{i}]",
        )
        if array.ndim == 1:
            array = array[:, np.newaxis]
        if array.shape[0] == 0:
            raise ValueError(
                f"{input_name}[{i}] is an empty sequence; every sequence needs "
                "at least one time step."
            )
        if items and array.shape[1] != items[0].shape[1]:
            raise ValueError(
                f"{input_name}[{i}] has {array.shape[1]} features per time step, "
                f"but {input_name}[0] has {items[0].shape[1]}; all sequences "
                "must have the same number of features."
            )
        items.append(array)
    result_dtype = np.result_type(*items)
    n_features = items[0].shape[1]
    max_length = max(item.shape[0] for item in items)
    padded = np.full((len(items), max_length, n_features), np.nan, result_dtype)
    for i, item in enumerate(items):
        padded[i, : item.shape[0]] = item
    return padded


def _unpad(values: np.ndarray, input_name: str) -> Sequences:
    """Check values for inf and misplaced NaN, find lengths, zero the padding."""
    n_samples, n_timesteps, n_features = values.shape
    if n_timesteps == 0 or n_features == 0:
        raise ValueError(
            f"{input_name} has shape {values.shape}: sequences need at least one "
            "time step and one feature."
        )
    infinite = np.isinf(values)
    if infinite.any():
        sample, step, _ = np.argwhere(infinite)[0]
        raise ValueError(
            f"Input {input_name} contains inf (sample {sample}, time step {step}); "
            "values must be finite."
        )
    missing = np.isnan(values)
    if not missing.any():
        return Sequences(values, np.full(n_samples, n_timesteps, dtype=np.int64))

    padding_step = missing.all(axis=2)
    partial = missing.any(axis=2) & ~padding_step
    if partial.any():
        sample, step = np.argwhere(partial)[0]
        raise ValueError(
            f"Input {input_name} contains NaN in some but not all features of "
            f"sample {sample} at time step {step}. NaN is only allowed as padding: "
            "every feature of the trailing steps of a sequence."
        )
    real_step = ~padding_step
    lengths = np.where(
        real_step.any(axis=1),
        n_timesteps - np.argmax(real_step[:, ::-1], axis=1),
        0,
    ).astype(np.int64)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"Input {input_name} contains NaN at every step of sample {empty[0]}: "
            "an empty sequence. Every sequence needs at least one real time step."
        )
    inside = padding_step & (np.arange(n_timesteps) < lengths[:, np.newaxis])
    if inside.any():
        sample, step = np.argwhere(inside)[0]
        raise ValueError(
            f"Input {input_name} contains NaN at time step {step} of sample "
            f"{sample}, before the end of that sequence (length "
            f"{lengths[sample]}). NaN is only allowed as trailing padding."
        )
    values = np.where(missing, 0, values).astype(values.dtype, copy=False)
    return Sequences(values, lengths)


def check_sequences(X, *, dtype=FLOAT_DTYPES, input_name="X"):
    """Convert any accepted form of sequences to :class:`Sequences`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps) or \
            (n_samples, n_timesteps, n_features), or list of array-like
        The sequences.
    dtype : dtype or list of dtypes, default=FLOAT_DTYPES
        Passed to :func:`sklearn.utils.check_array`: float32 and float64 are
        kept, anything else becomes float64.
    input_name : str, default="X"
        Name used in error messages.

    Returns
    -------
    sequences : Sequences
        Values with zero padding and the lengths.
    layout : {"columns", "array", "list"}
        Which form ``X`` had: a 2D array, a 3D array or a ragged list.
    """
    if _is_ragged_list(X):
        return _unpad(_stack_list(X, dtype, input_name), input_name), "list"
    reject_times(X, input_name)
    if isinstance(X, (list, tuple)) and _float32_items(X):
        X = np.asarray(X, dtype=np.float32)  # keep float32, as a ragged list does
    values = check_array(
        X,
        dtype=dtype,
        allow_nd=True,
        ensure_all_finite=False,
        input_name=input_name,
    )
    if values.ndim == 2:
        return _unpad(values[:, :, np.newaxis], input_name), "columns"
    if values.ndim != 3:
        raise ValueError(
            f"Expected a 2D array (n_samples, n_timesteps) or a 3D array "
            f"(n_samples, n_timesteps, n_features), got a {values.ndim}D array "
            f"of shape {values.shape}."
        )
    return _unpad(values, input_name), "array"


def _ndim(X) -> int:
    """Number of dimensions of an array-like that is not a ragged list."""
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape)
    return np.asarray(X).ndim


def validate_sequences(estimator, X, *, reset, dtype=FLOAT_DTYPES) -> Sequences:
    """Validate sequences at an estimator's public boundary.

    With ``reset=True`` (in ``fit``) this records ``n_features_in_``,
    ``feature_names_in_`` (2D DataFrame input) and the number of features per
    time step. With ``reset=False`` it checks ``X`` against them: 2D input to
    a model fitted on 2D input must have the same columns (sklearn's usual
    message); otherwise the number of features per step must match and the
    sequence length is free.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted or used.
    X : array-like or list of array-like
        Any form accepted by :func:`check_sequences`.
    reset : bool
        Whether to record (fit) or check (predict) the input's shape.
    dtype : dtype or list of dtypes, default=FLOAT_DTYPES
        Accepted float dtypes.

    Returns
    -------
    sequences : Sequences
    """
    reject_times(X)
    two_d = not _is_ragged_list(X) and _ndim(X) == 2
    if two_d and (reset or getattr(estimator, "_fitted_on_columns", False)):
        # Keep the column contract: feature names and column counts are
        # recorded or checked exactly as for any other sklearn estimator.
        X = validate_data(
            estimator, X, reset=reset, dtype=dtype, ensure_all_finite=False
        )
    sequences, layout = check_sequences(X, dtype=dtype)
    if reset:
        estimator._fitted_on_columns = layout == "columns"
        estimator._n_step_features = sequences.n_features
        if layout != "columns":
            estimator.n_features_in_ = sequences.n_features
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        return sequences
    expected = estimator._n_step_features
    if sequences.n_features != expected:
        if layout == "columns":
            raise ValueError(
                f"X is 2D, which means univariate sequences of shape (n_samples, "
                f"n_timesteps), but {type(estimator).__name__} was fitted on "
                f"sequences with {expected} features per time step; pass a 3D "
                f"array of shape (n_samples, n_timesteps, {expected})."
            )
        raise ValueError(
            f"X has {sequences.n_features} features per time step, but "
            f"{type(estimator).__name__} is expecting {expected} features per "
            "time step as input."
        )
    return sequences
