"""Per-step targets and outputs (``return_sequences=True``) in every layout.

Per-step ``y`` is laid out like ``X``: an array ``(n_samples, n_timesteps)``
or ``(n_samples, n_timesteps, n_outputs)``, or a list of arrays ``(T_i,)`` or
``(T_i, n_outputs)`` matching a list of sequences. Inside, only the real
(unpadded) steps count: they are gathered into rows, sequence after sequence
and step after step, which is the order of ``values[real_steps(lengths, T)]``.
"""

import numpy as np

__all__ = ["flatten_steps", "format_steps", "real_steps", "unflatten_steps"]


def real_steps(lengths, n_timesteps):
    """Boolean mask ``(n_samples, n_timesteps)``: True at real steps."""
    return np.arange(n_timesteps) < np.asarray(lengths)[:, np.newaxis]


def flatten_steps(y, lengths, n_timesteps, input_name="y"):
    """The targets of the real steps, one row per step.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_timesteps[, n_outputs]) or list
        Per-step targets; in an array, values after a sequence's end are
        ignored (they may be NaN).
    lengths : ndarray of shape (n_samples,)
        Lengths of the sequences of ``X``.
    n_timesteps : int
        Number of steps of ``X`` as an array (its padded length).

    Returns
    -------
    ndarray of shape (lengths.sum(),) or (lengths.sum(), n_outputs)
        Any dtype (labels are kept as they are).
    """
    n_samples = len(lengths)
    is_list = isinstance(y, (list, tuple))
    if is_list:
        items = [np.asarray(item) for item in y]
    else:
        items = y = np.asarray(y)
        if y.ndim not in (2, 3):
            raise ValueError(
                f"With return_sequences=True, {input_name} needs one target per "
                f"time step: an array of shape (n_samples, n_timesteps) or "
                f"(n_samples, n_timesteps, n_outputs), or a list of one array "
                f"per sequence; got an array of shape {y.shape}."
            )
    if len(items) != n_samples:
        raise ValueError(
            f"X has {n_samples} sequences but {input_name} has {len(items)}."
        )
    if not is_list and y.shape[1] != n_timesteps:
        raise ValueError(
            f"{input_name} has {y.shape[1]} time steps but X has {n_timesteps}; "
            "with return_sequences=True they must match."
        )
    parts = []
    for i, length in enumerate(lengths):
        item = items[i]
        if item.ndim not in (1, 2):
            raise ValueError(
                f"{input_name}[{i}] has shape {item.shape}; with "
                "return_sequences=True every sequence needs one target per time "
                "step, of shape (T_i,) or (T_i, n_outputs)."
            )
        if is_list and len(item) != length:
            raise ValueError(
                f"{input_name}[{i}] has {len(item)} steps, but sequence {i} of X "
                f"has {length}; with return_sequences=True they must match."
            )
        parts.append(item[:length])
    if len({part.shape[1:] for part in parts}) > 1:
        raise ValueError(
            f"The sequences of {input_name} have different numbers of outputs "
            "per time step."
        )
    return np.concatenate(parts)


def unflatten_steps(rows, lengths, n_timesteps):
    """Rows of real steps back into ``(n_samples, n_timesteps, ...)``, zero
    after each sequence's end."""
    out = np.zeros((len(lengths), n_timesteps) + rows.shape[1:], dtype=rows.dtype)
    out[real_steps(lengths, n_timesteps)] = rows
    return out


def format_steps(rows, lengths, n_timesteps, as_list):
    """Per-step outputs in the layout of ``X``.

    Parameters
    ----------
    rows : ndarray of shape (lengths.sum(), ...)
        One output per real step.
    lengths : ndarray of shape (n_samples,)
    n_timesteps : int
        Padded length of ``X`` as an array.
    as_list : bool
        Whether ``X`` was a list: then a list of ``(T_i, ...)`` arrays.

    Returns
    -------
    list of ndarray, or ndarray of shape (n_samples, n_timesteps, ...)
        In an array, steps after a sequence's end hold NaN (or None when the
        outputs are labels that are not numbers).
    """
    if as_list:
        return np.split(rows, np.cumsum(lengths)[:-1])
    mask = real_steps(lengths, n_timesteps)
    if mask.all():
        return rows.reshape((len(lengths), n_timesteps) + rows.shape[1:])
    if rows.dtype.kind in "fc":
        out = np.full(mask.shape + rows.shape[1:], np.nan, dtype=rows.dtype)
    elif rows.dtype.kind in "iub":
        out = np.full(mask.shape + rows.shape[1:], np.nan)
    else:
        out = np.full(mask.shape + rows.shape[1:], None, dtype=object)
    out[mask] = rows
    return out
