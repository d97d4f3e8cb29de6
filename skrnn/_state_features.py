"""What the echo state readout reads from the reservoir: feature rows.

A feature column is ``z = [1, u_t, x_t(, y_{t-1})]`` (see
:func:`skrnn._reservoir.harvest`). The readout reads either

* one row per sequence: the last step's features (``pooling="last"``) or
  their mean over the steps after the washout (``"mean"`` and ``"steps"``),
  from :func:`sequence_features`; with ``pooling="last"`` the inputs of the
  last ``w`` steps may replace ``u_T`` (a direct input window,
  ``[1, u_{T-w+1}, ..., u_T, x_T]``, see :func:`last_inputs`); or
* one row per time step after the washout: :func:`add_step_rows` adds them
  to the readout's sums while the reservoir runs, so that the states of all
  steps are never held at once.

The washout is the number of leading steps of each sequence that the
readout does not read, because the state still remembers its zero start
more than the input: :func:`washout_starts`.
"""

import numpy as np

from skrnn._readout import SLAB_SYRK_WIDTH
from skrnn._reservoir import harvest

__all__ = [
    "WASHOUT_MAX",
    "WASHOUT_SHARE",
    "add_step_rows",
    "last_inputs",
    "sequence_features",
    "washout_starts",
]

#: With one row per step, ``washout="auto"`` skips this share of each
#: sequence's steps ...
WASHOUT_SHARE = 0.25
#: ... but never more than this many steps.
WASHOUT_MAX = 100


def washout_starts(lengths, washout, pooling):
    """First step of every sequence that the readout reads.

    Parameters
    ----------
    lengths : ndarray of shape (n,)
    washout : int or "auto"
        ``"auto"``: with one row per step (per-step targets, or
        ``pooling="steps"``), ``min(WASHOUT_MAX, floor(WASHOUT_SHARE *
        length))`` per sequence, which always leaves at least one step; with
        ``pooling="mean"``, none (the transient from the zero state is part
        of a sequence's summary: on the five classification sets of
        ``benchmarks/bench_real_data.py`` the mean over every step was the
        more accurate).
    pooling : {"mean", "steps", "last"} or None
        How the readout reads the states; None for per-step targets.

    Returns
    -------
    starts : ndarray of shape (n,), int64
        With pooled features, at most ``length - 1``: every sequence keeps
        at least its last step. With per-step targets an integer washout may
        exceed a sequence's length (it then adds no row).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if washout == "auto":
        if pooling == "mean":
            return np.zeros(len(lengths), dtype=np.int64)
        return np.minimum(WASHOUT_MAX, (WASHOUT_SHARE * lengths).astype(np.int64))
    starts = np.full(len(lengths), int(washout), dtype=np.int64)
    return starts if pooling is None else np.minimum(starts, lengths - 1)


def _step_mask(starts, t0, c):
    """(c, m) True where step ``t0 + j`` is at or after each sequence's start."""
    return (t0 + np.arange(c))[:, np.newaxis] >= starts[np.newaxis, :]


def last_inputs(values, lengths, window):
    """The inputs of the last ``window`` steps of every sequence, oldest
    first, flattened to (n, window * F); zero (the mean, on the
    standardised scale) before the start of a shorter sequence."""
    n, _, F = values.shape
    steps = lengths[:, np.newaxis] - window + np.arange(window)  # (n, window)
    out = values[np.arange(n)[:, np.newaxis], np.maximum(steps, 0)]
    out[steps < 0] = 0.0
    return out.reshape(n, window * F)


def sequence_features(
    reservoir,
    values,
    lengths,
    *,
    leak_rate,
    pooling,
    starts,
    n_outputs,
    window=1,
    noise=0.0,
    rng=None,
    sink=None,
):
    """One feature row per sequence.

    Parameters
    ----------
    reservoir : Reservoir
    values, lengths : the sequences (internal form, float64)
    leak_rate : float
    pooling : {"last", "mean", "steps"}
        ``"last"``: the last step's ``[1, u_T, x_T]``; otherwise the mean of
        the features of the steps from ``starts`` on (a linear readout of the
        mean is the mean of the readout of every step).
    starts : ndarray of shape (n,)
        First step of each sequence that the mean reads.
    n_outputs : int
        Width of the feedback part (zero: with one target per sequence there
        is no previous output inside a sequence); 0 without feedback.
    window : int, default=1
        With ``pooling="last"``, the number of last steps whose inputs the
        features hold (``u_T`` alone by default).
    noise, rng : training noise, see :func:`~skrnn._reservoir.harvest`.
    sink : callable, default=None
        Also called with every chunk (progress reports).

    Returns
    -------
    features : ndarray of shape (n, D)
    """
    n = len(lengths)
    if pooling == "last":
        x, u = harvest(
            reservoir,
            values,
            lengths,
            leak_rate=leak_rate,
            noise=noise,
            rng=rng,
            sink=sink,
        )
        if window > 1:
            u = last_inputs(values, lengths, window)
        parts = [np.ones((n, 1)), u, x]
        if n_outputs:
            parts.append(np.zeros((n, n_outputs)))
        return np.hstack(parts)
    D = 1 + values.shape[2] + reservoir.W.shape[0] + n_outputs
    total = np.zeros((D, n))

    def add_chunk(rows, t0, Z):
        if sink is not None:
            sink(rows, t0, Z)
        c = Z.shape[0]
        if starts[rows].max() <= t0:  # the usual case: no step washed out
            total[:, rows] += Z.sum(axis=0)
        else:
            mask = _step_mask(starts[rows], t0, c).astype(np.float64)
            total[:, rows] += np.einsum("cdm,cm->dm", Z, mask)

    harvest(
        reservoir,
        values,
        lengths,
        leak_rate=leak_rate,
        noise=noise,
        rng=rng,
        sink=add_chunk,
    )
    return (total / (lengths - starts)).T


def add_step_rows(
    sums,
    reservoir,
    values,
    lengths,
    *,
    leak_rate,
    starts,
    targets,
    weights,
    frequencies=None,
    feedback_signal=None,
    noise=0.0,
    rng=None,
    sink=None,
):
    """Add one row per step from ``starts`` on to the readout's sums.

    Parameters
    ----------
    sums : ReadoutSums
        Changed in place.
    reservoir, values, lengths, leak_rate : as for :func:`harvest`.
    starts : ndarray of shape (n,)
        First step of each sequence that the readout reads.
    targets : ndarray of shape (n, T, k) or (n, k)
        The target of every step, or one per sequence for all its steps.
    weights : ndarray of shape (n, T) or (n,)
        The weight of every step, or one per sequence for all its steps.
    frequencies : ndarray of shape (n,), default=None
        What each step of a sequence counts for as an observation (its
        sample weight; see :class:`~skrnn._readout.ReadoutSums`); None is
        ``weights``.
    feedback_signal : ndarray of shape (n, T, k), default=None
        Teacher-forced previous outputs, with feedback weights.
    noise, rng, sink : see :func:`sequence_features`.
    """
    per_step_targets = targets.ndim == 3
    per_step_weights = weights.ndim == 2

    def add_chunk(rows, t0, Z):
        if sink is not None:
            sink(rows, t0, Z)
        c, m = Z.shape[0], Z.shape[2]
        # Chunks that begin in some sequence's washout start at its first
        # read step; any other washed-out step gets weight zero below.
        skip = int(min(max(0, starts[rows].min() - t0), c))
        if skip == c:
            return
        Z, t0, c = Z[skip:], t0 + skip, c - skip
        if per_step_targets:
            tgt = targets[rows, t0 : t0 + c]  # (m, c, k)
        else:
            tgt = np.broadcast_to(
                targets[rows][:, np.newaxis], (m, c, targets.shape[1])
            )
        if per_step_weights:
            weight = weights[rows, t0 : t0 + c].T  # (c, m)
        else:
            weight = np.broadcast_to(weights[rows], (c, m))
        frequency = None
        if frequencies is not None:
            frequency = np.broadcast_to(frequencies[rows], (c, m))
        if starts[rows].max() > t0:  # some steps still washed out
            read = _step_mask(starts[rows], t0, c)
            weight = weight * read
            frequency = None if frequency is None else frequency * read
        unit = np.all(weight == 1.0) and (frequency is None or np.all(frequency == 1))
        if m >= SLAB_SYRK_WIDTH and unit:
            sums.add_slabs(Z, tgt)
            return
        # Columns ordered (step, sequence), as are the targets and weights.
        features = Z.transpose(1, 0, 2).reshape(Z.shape[1], -1)
        tgt = tgt.transpose(2, 1, 0).reshape(tgt.shape[2], -1)
        if frequency is not None:
            frequency = np.ascontiguousarray(frequency).reshape(-1)
        sums.add(features, tgt, np.ascontiguousarray(weight).reshape(-1), frequency)

    harvest(
        reservoir,
        values,
        lengths,
        leak_rate=leak_rate,
        feedback_signal=feedback_signal,
        noise=noise,
        rng=rng,
        sink=add_chunk,
    )
