"""Echo state networks on dask arrays: data larger than one machine's memory.

The readout needs nothing from the data but the sums of
:class:`skrnn._readout.ReadoutSums`, and sums add up in any order
(DESIGN.md, "Scaling out"). A dask array chunked along samples is therefore
fitted where its chunks live: every worker runs the reservoir over its
chunks with the estimator's own methods (:meth:`_training_rows`,
:meth:`_chunk_sums`), the sums are added pairwise on the workers, and only
the final ``D x D`` sums reach the client, which solves them as ``fit``
does (``alpha="auto"`` scores its candidates from the sums alone). The data
itself never leaves the workers.

What the in-memory fit computes from all of the data before the sums is
reduced first, in passes over the chunks that return only small results:

- the classes of a classifier (the union of each chunk's labels);
- with ``standardize=True``, the input (and regression target) statistics:
  each chunk's :class:`~skrnn._scaling.RowMoments`, merged into those of all
  rows, so that the standardisation, and so the readout, equal the
  in-memory fit's to rounding;
- ``washout="auto"`` needs nothing global: it is per sequence.

Training noise (``noise > 0``) draws from an independent generator per chunk
(spawned from the model's), so a chunked fit with noise is reproducible for
a given chunking but not equal to the in-memory fit.

Predictions are lazy: a dask array whose blocks are the estimator's answers
to the blocks of ``X``.

This module imports dask; :mod:`skrnn` imports it only when an estimator
meets a dask collection.
"""

import copy
import time
import uuid
from contextlib import contextmanager
from functools import reduce

import dask
import dask.array as da
import numpy as np
from sklearn.base import is_classifier

from skrnn._echo_state_base import standardization
from skrnn._scaling import merge_moments, moment_statistics, row_moments
from skrnn._steps import flatten_steps

__all__ = ["fit_chunks", "map_row_blocks"]


def fit_chunks(model, X, y, sample_weight, first_call, partial, classes):
    """``model._fit`` for a dask array ``X``: the readout of all its chunks.

    ``y`` and ``sample_weight`` may be dask arrays (rechunked like ``X``
    along samples) or in-memory array-likes (split like ``X``).
    """
    start = time.perf_counter()
    alphas = model._check_fit_parameters(first_call)
    X = _check_chunks(X)
    if y is None:
        raise ValueError(
            f"{type(model).__name__} requires y to be passed, but the target y is None."
        )
    blocks = list(
        zip(
            _blocks(X),
            _blocks_like(y, X, "y"),
            _blocks_like(sample_weight, X, "sample_weight"),
            _starts(X),
        )
    )
    if first_call:
        y_shape = y.shape if isinstance(y, da.Array) else np.shape(y)
        n_outputs = _start_model(model, X, y_shape, blocks, classes)
        scalings = []
        if model.standardize:
            scalings = _reduced_scalings(_on_workers(model), blocks, partial)
        model._set_scalings(*scalings)
        n_inputs = X.shape[2] if X.ndim == 3 else 1
        model._init_reservoir(n_inputs, n_outputs, max(X.chunks[0]), X.shape[1])
    rng = copy.deepcopy(model._noise_rng)  # advanced only if all goes well
    rngs = rng.spawn(len(blocks)) if model.noise else [None] * len(blocks)
    worker = _on_workers(model)
    parts = [
        dask.delayed(_chunk_sums, pure=True)(worker, *block, partial, chunk_rng)
        for block, chunk_rng in zip(blocks, rngs)
    ]
    (new, longest, any_weight) = dask.compute(_tree(parts, _add_sums))[0]
    if new.n_weighted_rows == 0:
        model._raise_nothing_to_train_on(longest, any_weight)
    return model._finish_fit(new, first_call, alphas, rng, start)


def map_row_blocks(model, method, X):
    """``method`` of ``model`` over the blocks of ``X``: a lazy dask array.

    The answer to one dummy sequence (zeros, cheap and valid) gives the
    shape of each block's answer after the first axis, and its dtype.
    """
    X = _check_chunks(X)
    name = method.__name__
    example = getattr(model, name)(_example(X))
    worker = _on_workers(model)
    return da.concatenate(
        [
            da.from_delayed(
                dask.delayed(_answer, pure=True)(worker, name, block, first),
                shape=(n,) + example.shape[1:],
                dtype=example.dtype,
            )
            for n, block, first in zip(X.chunks[0], _blocks(X), _starts(X))
        ],
        axis=0,
    )


# -- the data ------------------------------------------------------------------
def _check_chunks(X):
    """``X`` if it is a dask array of whole sequences per chunk."""
    if not isinstance(X, da.Array):
        raise TypeError(
            "Among dask collections, skrnn's echo state estimators take dask "
            f"arrays; got {type(X).__module__}.{type(X).__name__}. Convert a "
            "dask DataFrame with X.to_dask_array(lengths=True)."
        )
    if X.ndim not in (2, 3):
        raise ValueError(
            "A dask array X must be 2D (n_samples, n_timesteps) or 3D "
            f"(n_samples, n_timesteps, n_features); got shape {X.shape}."
        )
    if any(np.isnan(n) for n in X.chunks[0]):
        raise ValueError(
            "X has chunks of unknown size along samples; call "
            "X.compute_chunk_sizes() first."
        )
    split = [axis for axis in range(1, X.ndim) if len(X.chunks[axis]) > 1]
    if split:
        raise ValueError(
            f"X is chunked along axis {split[0]} "
            f"({'time steps' if split[0] == 1 else 'features'}), but every "
            "chunk must hold whole sequences: chunk X along samples only, "
            f"for example X.rechunk({{{', '.join(f'{a}: -1' for a in split)}}})."
        )
    return X


def _blocks(X):
    """One delayed block per chunk of samples."""
    return list(X.to_delayed().ravel())


def _starts(X):
    """The index of the first sample of every chunk of ``X``."""
    return [int(s) for s in np.cumsum((0,) + X.chunks[0][:-1])]


def _blocks_like(values, X, name):
    """``values`` (y or sample_weight) split as ``X`` is along samples."""
    n_chunks = len(X.chunks[0])
    if values is None:
        return [None] * n_chunks
    if not isinstance(values, da.Array):
        values = np.asarray(values)
    if values.ndim == 0 or values.shape[0] != X.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} sequences but {name} has "
            f"{'no samples' if values.ndim == 0 else values.shape[0]}."
        )
    if isinstance(values, da.Array):
        whole = {axis: -1 for axis in range(1, values.ndim)}
        return _blocks(values.rechunk({0: X.chunks[0], **whole}))
    ends = np.cumsum(X.chunks[0])
    return [values[end - n : end] for n, end in zip(X.chunks[0], ends)]


def _example(X):
    """One sequence of zeros shaped like those of ``X``."""
    return np.zeros((1,) + X.shape[1:], dtype=X.dtype)


def _on_workers(model):
    """``model`` as one node of the graph, without the sums the workers do
    not need, and silent (progress reports would print on the workers)."""
    worker = copy.copy(model)
    worker.__dict__.pop("_sums", None)
    worker.verbose = 0
    return dask.delayed(worker, name=f"skrnn-model-{uuid.uuid4().hex}", traverse=False)


def _tree(parts, combine):
    """``parts`` combined pairwise into one delayed result (a tree of
    depth log2(len(parts)), so no task adds up everything)."""
    combine = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        pairs = [combine(a, b) for a, b in zip(parts[::2], parts[1::2])]
        parts = pairs + parts[len(pairs) * 2 :]
    return parts[0]


# -- what the client decides before the sums ------------------------------------
def _start_model(model, X, y_shape, blocks, classes):
    """What a first fit records before any sums: the input's shape, the
    fitted parameters, the targets' encoding (a classifier's classes from
    every chunk's labels). Returns the number of readout outputs."""
    if getattr(model, "class_weight", None) == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported on a dask array: it "
            "needs the class counts of all the data before the sums. Pass a "
            "dict instead, for example compute_class_weight('balanced', "
            "classes=classes, y=labels) on the labels."
        )
    model._validate_X(_example(X), reset=True)
    model._fitted_params = model.get_params(deep=False)
    if is_classifier(model):
        if hasattr(model, "classes_"):  # partial_fit's classes
            labels = model.classes_
        else:
            template = _on_workers(model)
            found = dask.compute(
                [
                    dask.delayed(_chunk_labels)(template, x, y, i)
                    for x, y, _, i in blocks
                ]
            )[0]
            labels = np.unique(np.concatenate(found))
        return model._encode_targets(labels, True, classes).shape[-1]
    # A regressor records the targets' layout (1D or several outputs): a
    # row of zeros laid out like one row of y says it.
    row_shape = y_shape[2 if model.return_sequences else 1 :]
    return model._encode_targets(np.zeros((1,) + row_shape), True, None).shape[-1]


def _reduced_scalings(worker, blocks, partial):
    """The standardisations of all chunks' rows, from their merged moments."""
    parts = dask.compute(
        [dask.delayed(_chunk_moments)(worker, *block, partial) for block in blocks]
    )[0]
    names = [name for name, _ in parts[0]]
    merged = [
        reduce(merge_moments, [part[i][1] for part in parts]) for i in range(len(names))
    ]
    return [
        standardization(moment_statistics(moments, name), name)
        for name, moments in zip(names, merged)
    ]


# -- what the workers do, one chunk each -------------------------------------
@contextmanager
def _naming_chunk(X, first):
    """Errors that count samples in a chunk say which chunk."""
    try:
        yield
    except ValueError as error:
        raise ValueError(
            f"In samples {first} to {first + len(X) - 1} of X (one chunk, its "
            f"samples counted from 0): {error}"
        ) from error


def _chunk_labels(model, X, y, first):
    """The labels of one chunk's readout rows (a classifier's first pass)."""
    with _naming_chunk(X, first):
        seqs, _ = model._validate_X(X, reset=False)
    if model._fitted_params["return_sequences"]:
        y = flatten_steps(y, seqs.lengths, seqs.values.shape[1])
    return np.unique(model._labels(y))


def _chunk_moments(model, X, y, sample_weight, first, partial):
    """Moments of the rows the standardisations are fitted on, one chunk."""
    with _naming_chunk(X, first):
        seqs, Y, _, weights = model._training_rows(
            X, y, sample_weight, False, partial, None
        )
    return [
        (name, row_moments(rows, row_weights))
        for rows, row_weights, name in model._scaling_rows(seqs, Y, weights)
    ]


def _chunk_sums(model, X, y, sample_weight, first, partial, rng):
    """The readout's sums of one chunk, its longest sequence, and whether
    any of its weights is non-zero."""
    with _naming_chunk(X, first):
        seqs, Y, sample_weight, weights = model._training_rows(
            X, y, sample_weight, False, partial, None
        )
    # As in fit: overflow is checked on the total.
    with np.errstate(over="ignore", invalid="ignore"):
        sums = model._chunk_sums(seqs, Y, weights, sample_weight, rng)
    return sums, int(seqs.lengths.max()), bool(np.any(weights))


def _add_sums(a, b):
    with np.errstate(over="ignore", invalid="ignore"):
        return a[0] + b[0], max(a[1], b[1]), a[2] or b[2]


def _answer(model, name, X, first):
    """``model``'s method ``name`` on one block."""
    with _naming_chunk(X, first):
        return getattr(model, name)(X)
