"""What the echo state regressor and classifier share.

One reservoir, two heads (DESIGN.md, "Echo state estimators"): the
parameters, their validation, the reservoir, input and target scaling, the
harvest of states into the readout's sums (:mod:`skrnn._readout`), the solve
and the per-step layouts all live here. The heads only say how targets
become readout columns and how readout outputs become predictions.
"""

import copy
import functools
import textwrap
import time
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted

from skrnn._memory import check_memory
from skrnn._progress import Progress
from skrnn._readout import DEFAULT_ALPHAS, ReadoutSums, solve_readout
from skrnn._reservoir import harvest, make_reservoir
from skrnn._scaling import (
    Standardization,
    row_statistics,
    standardize_each_sequence,
)
from skrnn._sequences import check_target_form, reject_times, validate_sequences
from skrnn._state_features import add_step_rows, sequence_features, washout_starts
from skrnn._steps import flatten_steps, format_steps, real_steps, unflatten_steps

__all__ = ["BaseEchoState", "is_dask_collection", "parameters_doc", "standardization"]

#: ``input_window="auto"`` reads every step of sequences of at most this many
#: values (steps times features): rows of lag values.
AUTO_WINDOW_MAX = 32

# The numbers that draw the reservoir.
_RESERVOIR_NUMBERS = (
    "n_reservoir",
    "density",
    "spectral_radius",
    "leak_rate",
    "input_scaling",
    "bias_scaling",
    "feedback_scaling",
)
# Parameters that shape the reservoir, the readout's features or the rows
# it reads: partial_fit cannot change them (the sums would mix two models),
# and predictions use the values of the fit.
_STRUCTURAL = _RESERVOIR_NUMBERS + (
    "washout",
    "pooling",
    "input_window",
    "feedback",
    "standardize",
    "return_sequences",
    "random_state",
)
# Numeric parameters, where a boolean is a mistake.
_NUMBERS = _RESERVOIR_NUMBERS + ("alpha", "alphas", "washout", "input_window", "noise")
# The heads' methods that answer one row per sequence (or step): given a
# dask array, each answers with a dask array, computed block by block.
_ROW_OUTPUTS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


class BaseEchoState(BaseEstimator, metaclass=ABCMeta):
    """Echo state network with a ridge readout: everything but the head.

    Subclasses say how the targets become readout columns
    (``_encode_targets``), what per-row weights the targets imply
    (``_row_factors``), and whether the targets are standardised
    (``_scales_targets``).
    """

    _parameter_constraints = {
        "n_reservoir": [Interval(Integral, 1, None, closed="left")],
        "density": [Interval(Real, 0, 1, closed="right")],
        "spectral_radius": [Interval(Real, 0, None, closed="left")],
        "leak_rate": [Interval(Real, 0, 1, closed="right")],
        "input_scaling": [Interval(Real, 0, None, closed="left")],
        "bias_scaling": [Interval(Real, 0, None, closed="left")],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "alphas": [None, "array-like"],
        "washout": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "pooling": [StrOptions({"last", "mean", "steps"})],
        "input_window": [
            StrOptions({"auto"}),
            Interval(Integral, 0, None, closed="left"),
        ],
        "feedback": ["boolean"],
        "feedback_scaling": [Interval(Real, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "standardize": ["boolean"],
        "return_sequences": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_reservoir,
        *,
        density,
        spectral_radius,
        leak_rate,
        input_scaling,
        bias_scaling,
        alpha,
        alphas,
        washout,
        pooling,
        input_window,
        feedback,
        feedback_scaling,
        noise,
        standardize,
        return_sequences,
        verbose,
        random_state,
    ):
        self.n_reservoir = n_reservoir
        self.density = density
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.alpha = alpha
        self.alphas = alphas
        self.washout = washout
        self.pooling = pooling
        self.input_window = input_window
        self.feedback = feedback
        self.feedback_scaling = feedback_scaling
        self.noise = noise
        self.standardize = standardize
        self.return_sequences = return_sequences
        self.verbose = verbose
        self.random_state = random_state

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _ROW_OUTPUTS:
            if name in cls.__dict__:
                setattr(cls, name, _lazy_on_dask(cls.__dict__[name]))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = True
        tags.input_tags.allow_nan = False
        return tags

    # -- hooks for the heads ---------------------------------------------------
    @abstractmethod
    def _encode_targets(self, y_rows, first_call, classes):
        """Targets, one row each, as float64 readout columns (rows, k)."""

    def _row_factors(self, y_rows, partial):
        """Per-row weight factors the targets imply (class weights), or None;
        ``partial`` in partial_fit."""
        return None

    _scales_targets = False
    # γ of the GCV score that chooses alpha="auto" (see skrnn._readout).
    _gcv_df_cost = 1.4

    # -- checks ----------------------------------------------------------------
    def _refuse_booleans(self):
        """``True`` passes sklearn's numeric constraints (bool is an int)."""
        for name in _NUMBERS:
            value = getattr(self, name)
            alphas = name == "alphas" and value is not None
            values = (
                list(np.ravel(np.asarray(value, dtype=object))) if alphas else [value]
            )
            if any(isinstance(v, (bool, np.bool_)) for v in values):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be a "
                    f"number, not a boolean. Got {value!r} instead."
                )

    def _checked_alphas(self):
        if self.alphas is None:
            return np.asarray(DEFAULT_ALPHAS)
        alphas = check_array(
            self.alphas,
            ensure_2d=False,
            ensure_min_samples=0,
            dtype=np.float64,
            input_name="alphas",
        )
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(alphas > 0):
            raise ValueError(
                "alphas must be a non-empty 1D array of positive penalties, got "
                f"{self.alphas!r}."
            )
        return alphas

    def _check_unchanged(self):
        """partial_fit continues a fit: its structure must be the same."""
        changed = [
            name
            for name in _STRUCTURAL
            if not _same(getattr(self, name), self._fitted_params[name])
        ]
        if changed:
            raise ValueError(
                f"partial_fit adds data to the fitted model, whose {changed[0]} "
                f"was {self._fitted_params[changed[0]]!r}; it is now "
                f"{getattr(self, changed[0])!r}. Call fit to start a new model "
                f"(parameters partial_fit cannot change: {', '.join(_STRUCTURAL)})."
            )

    def _validate_X(self, X, reset):
        """``X`` as float64 :class:`Sequences` and its dtype (float32 or 64).

        The reservoir and the readout's sums stay in float64 whatever the
        input: a ridge of 1e-10 is far below float32's resolution.
        """
        seqs = validate_sequences(self, X, reset=reset)
        # float32 stays float32; float16 (too narrow for the outputs) and
        # everything else answer in float64, as the recurrent estimators do.
        dtype = np.dtype(np.float32 if seqs.values.dtype == np.float32 else np.float64)
        if seqs.values.dtype != np.float64:
            seqs = seqs._replace(values=seqs.values.astype(np.float64))
        return seqs, dtype

    def _targets(self, y, seqs, first_call, classes):
        """Readout targets of every sequence, (n, k), or of every step,
        (n, T, k) zero after each end, and their rows (n or sum of
        lengths) before encoding."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        for item in y if isinstance(y, (list, tuple)) else [y]:
            reject_times(item, "y")
        if self._params("return_sequences", first_call):
            T = seqs.values.shape[1]
            y_rows = flatten_steps(y, seqs.lengths, T)
            Y = self._encode_targets(y_rows, first_call, classes)
            return unflatten_steps(Y, seqs.lengths, T), y_rows
        check_target_form(y)
        Y = self._encode_targets(y, first_call, classes)
        if len(Y) != len(seqs.lengths):
            raise ValueError(
                f"X has {len(seqs.lengths)} sequences but y has {len(Y)} targets."
            )
        return Y, y

    def _params(self, name, first_call=False):
        """A parameter's value: the current one while a fit starts, the
        fitted one afterwards (set_params without a new fit changes nothing)."""
        if first_call:
            return getattr(self, name)
        return self._fitted_params[name]

    # -- fitting ---------------------------------------------------------------
    def _fit(self, X, y, sample_weight, first_call, partial, classes=None):
        if is_dask_collection(X):
            # The same sums, reduced chunk by chunk on dask's workers; only
            # this import brings dask in.
            from skrnn._dask import fit_chunks

            return fit_chunks(self, X, y, sample_weight, first_call, partial, classes)
        start = time.perf_counter()
        alphas = self._check_fit_parameters(first_call)
        seqs, Y, sample_weight, weights = self._training_rows(
            X, y, sample_weight, first_call, partial, classes
        )
        # Huge values overflow quietly here: the checks below say what to do.
        with np.errstate(over="ignore", invalid="ignore"):
            if first_call:
                self._fitted_params = self.get_params(deep=False)
                self._fit_scalings(seqs, Y, weights)
                self._init_reservoir(
                    seqs.n_features,
                    Y.shape[-1],
                    len(seqs.lengths),
                    seqs.values.shape[1],
                )
            rng = copy.deepcopy(self._noise_rng)  # advanced only if all goes well
            new = self._chunk_sums(seqs, Y, weights, sample_weight, rng)
        if new.n_weighted_rows == 0:
            self._raise_nothing_to_train_on(seqs.lengths.max(), np.any(weights))
        return self._finish_fit(
            new, first_call, alphas, rng, start, lambda: np.abs(seqs.values).max()
        )

    def _check_fit_parameters(self, first_call):
        """What fit checks beyond sklearn's constraints; the candidate
        alphas."""
        self._refuse_booleans()
        if not first_call:
            self._check_unchanged()
        return self._checked_alphas()

    def _training_rows(self, X, y, sample_weight, first_call, partial, classes):
        """``X``, ``y`` and ``sample_weight`` checked: the sequences, the
        readout targets, the sample weights and the rows' weights."""
        seqs, _ = self._validate_X(X, reset=first_call)
        Y, y_rows = self._targets(y, seqs, first_call, classes)
        sample_weight = _check_sample_weight(
            sample_weight, seqs.lengths, dtype=np.float64, ensure_non_negative=True
        )
        if not np.isfinite(sample_weight.sum()) or (
            sample_weight.max() > 0 and sample_weight.max() < 1e-150
        ):
            raise ValueError(
                f"sample_weight ranges up to {sample_weight.max():.3g}: weights "
                "so large (or so small) overflow the readout's sums of squares; "
                "rescale them (for example to a mean of 1)."
            )
        weights = self._weights(sample_weight, y_rows, seqs, first_call, partial)
        return seqs, Y, sample_weight, weights

    def _chunk_sums(self, seqs, Y, weights, sample_weight, rng):
        """The readout's sums of some training sequences (all of them, or a
        chunk): scaled, run through the reservoir and added up."""
        Y = self._scale_targets(Y, seqs.lengths)
        seqs = self._scale_inputs(seqs)
        sums = ReadoutSums(self._n_readout_features(), Y.shape[-1])
        self._accumulate(sums, seqs, Y, weights, sample_weight, rng)
        return sums

    def _finish_fit(self, new, first_call, alphas, rng, start, largest_x=None):
        """Add the new sums to those of earlier calls and solve;
        ``largest_x()``, if given, names the largest input in an error."""
        with np.errstate(over="ignore", invalid="ignore"):
            sums = new if first_call else self._sums + new
        if not sums.is_finite():
            largest = "" if largest_x is None else f" (largest |X| = {largest_x():.3g})"
            raise ValueError(
                "The readout's sums overflowed: X or y holds values too large "
                f"to square in float64{largest}. Rescale the data "
                "(standardize=True does this for X and for the regressor's y, "
                "unless the values are too large even to standardise)."
            )
        self._solve(sums, alphas)
        self._sums, self._noise_rng = sums, rng
        if self.verbose:
            print(
                f"Fit: {new.n_weighted_rows:,} readout rows, alpha_={self.alpha_:.3g}, "
                f"{time.perf_counter() - start:.2f} s",
                flush=True,
            )
        return self

    def _weights(self, sample_weight, y_rows, seqs, first_call, partial):
        """Weights of the readout's rows: per sequence (n,), or per step
        (n, T) when the targets imply per-step factors."""
        factors = self._row_factors(y_rows, partial)
        if factors is None:
            return sample_weight
        if self._params("return_sequences", first_call):
            T = seqs.values.shape[1]
            return unflatten_steps(factors, seqs.lengths, T) * sample_weight[:, None]
        return sample_weight * factors

    def _fit_scalings(self, seqs, Y, weights):
        """Statistics of the first fit's inputs (and regression targets);
        partial_fit keeps them."""
        scalings = []
        if self.standardize:
            scalings = [
                standardization(row_statistics(rows, row_weights), name)
                for rows, row_weights, name in self._scaling_rows(seqs, Y, weights)
            ]
        self._set_scalings(*scalings)

    def _scaling_rows(self, seqs, Y, weights):
        """The rows that the standardisations are fitted on, their weights
        and their names: every real step of the inputs, and the regression
        targets (per sequence or per step).

        Every real step counts with the weight of its readout rows
        (``sample_weight``, times the class weights), so that weights act as
        repeated samples here too.
        """
        mask = real_steps(seqs.lengths, seqs.values.shape[1])
        step_weights = weights[mask] if weights.ndim == 2 else None
        if step_weights is None:
            step_weights = np.repeat(weights, seqs.lengths)
        rows = [(seqs.values[mask], step_weights, "X")]
        if self._scales_targets:
            per_step = Y.ndim == 3
            rows.append(
                (Y[mask] if per_step else Y, step_weights if per_step else weights, "y")
            )
        return rows

    def _set_scalings(self, input_scaling=None, target_scaling=None):
        """Keep the standardisations (None: ``standardize=False``)."""
        self._input_scaling, self._target_scaling = input_scaling, target_scaling
        self.input_mean_ = self.input_scale_ = None
        if input_scaling is not None:
            self.input_mean_ = input_scaling.mean
            self.input_scale_ = input_scaling.scale
        if self._scales_targets:
            self.target_mean_ = self.target_scale_ = None
            if target_scaling is not None:
                self.target_mean_ = target_scaling.mean
                self.target_scale_ = target_scaling.scale

    def _each_sequence_standardized(self):
        """Whether ``standardize="sequence"`` (the classifier's option)
        splits each sequence into its shape, level and log-scale."""
        return self._fitted_params["standardize"] == "sequence"

    def _scale_inputs(self, seqs):
        if self._input_scaling is None:
            return seqs
        seqs = self._input_scaling.transform_sequences(seqs)
        if self._each_sequence_standardized():
            seqs = standardize_each_sequence(seqs)
        return seqs

    def _scale_targets(self, Y, lengths):
        if self._target_scaling is None:
            return Y
        scaled = self._target_scaling.transform(Y)
        if Y.ndim == 3:  # keep zeros after each sequence's end
            scaled[~real_steps(lengths, Y.shape[1])] = 0.0
        return scaled

    def _init_reservoir(self, n_inputs, n_outputs, n_sequences, n_steps):
        """Draw the reservoir and fix the input window for sequences of
        ``n_inputs`` features and up to ``n_steps`` steps."""
        self.input_window_ = self._check_input_window(n_inputs, n_steps)
        N = self.n_reservoir
        D = 1 + n_inputs * max(self.input_window_, 1) + N
        D += n_outputs if self.feedback else 0
        nnz = max(1, round(self.density * N * N))
        # The readout's D x D sums (and, to solve them, two more such
        # matrices), the sparse matrix (its construction holds about five
        # numbers a non-zero) and the harvest's chunk buffer.
        needed = 8 * (3 * D * D + 5 * nnz + D * max(4096, n_sequences) + N * n_inputs)
        check_memory(
            needed,
            f"{type(self).__name__}(n_reservoir={N}, density={self.density})",
            "lower n_reservoir (the readout grows with its square) or density",
        )
        reservoir = make_reservoir(
            N,
            n_inputs,
            n_outputs,
            density=self.density,
            spectral_radius=self.spectral_radius,
            input_scaling=self.input_scaling,
            bias_scaling=self.bias_scaling,
            feedback=self.feedback,
            feedback_scaling=self.feedback_scaling,
            random_state=self.random_state,
        )
        if self._each_sequence_standardized():
            # The level and log-scale channels reach the readout only: the
            # reservoir sees the shape, which carries what changes in time.
            reservoir.W_in = np.hstack([reservoir.W_in, np.zeros((N, 2))])
        self.reservoir_ = reservoir
        self._noise_rng = np.random.default_rng(self.reservoir_.noise_seed)
        self._n_targets = n_outputs

    def _check_input_window(self, n_inputs, n_steps):
        """``input_window_``: the number of last steps whose inputs the
        readout reads directly, unpenalised (0: ``u_T`` or ``u_t``,
        penalised)."""
        one_row_per_sequence = self.pooling == "last" and not self.return_sequences
        if self.input_window == "auto":
            short = n_steps * n_inputs <= AUTO_WINDOW_MAX
            return n_steps if one_row_per_sequence and short else 0
        if self.input_window and not one_row_per_sequence:
            raise ValueError(
                f"input_window={self.input_window} reads the last steps of each "
                "sequence next to its last state: it needs pooling='last' and "
                "return_sequences=False (got pooling="
                f"{self.pooling!r}, return_sequences={self.return_sequences}). "
                "Use input_window=0 or 'auto'."
            )
        return int(self.input_window)

    def _n_direct_inputs(self):
        """Readout columns of inputs: ``u_T`` (or ``u_t``), or the window."""
        return self.reservoir_.W_in.shape[1] * max(self.input_window_, 1)

    def _n_readout_features(self):
        return (
            1
            + self._n_direct_inputs()
            + self.reservoir_.W.shape[0]
            + self._feedback_width()
        )

    def _feedback_width(self):
        W_fb = self.reservoir_.W_fb
        return 0 if W_fb is None else W_fb.shape[1]

    def _progress(self, what, seqs, sink=None):
        """A harvest sink that reports the steps done (verbose), then calls
        ``sink``; None when there is nothing to do."""
        if not self.verbose:
            return sink
        report = Progress(self.verbose, what, int(seqs.lengths.sum()), "steps")
        done = [0]

        def progress_sink(rows, t0, Z):
            done[0] += Z.shape[0] * Z.shape[2]
            report(done[0])
            if sink is not None:
                sink(rows, t0, Z)

        return progress_sink

    def _accumulate(self, sums, seqs, Y, weights, sample_weight, rng):
        """Run the reservoir over the training data into the sums.

        ``weights`` are the rows' weights (per sequence or per step, class
        weights included), ``sample_weight`` what each sequence's rows
        count for as observations (see :mod:`skrnn._readout`).
        """
        fitted = self._fitted_params
        values, lengths = seqs
        noise = {"noise": self.noise, "rng": rng}
        per_step = fitted["return_sequences"]
        pooling = fitted["pooling"]
        starts = washout_starts(
            lengths, fitted["washout"], None if per_step else pooling
        )
        progress = self._progress("Harvest", seqs)
        if per_step or pooling == "steps":
            feedback = Y if (per_step and fitted["feedback"]) else None
            add_step_rows(
                sums,
                self.reservoir_,
                values,
                lengths,
                leak_rate=fitted["leak_rate"],
                starts=starts,
                targets=Y,
                weights=weights,
                frequencies=sample_weight,
                feedback_signal=feedback,
                sink=progress,
                **noise,
            )
            return
        features = sequence_features(
            self.reservoir_,
            values,
            lengths,
            leak_rate=fitted["leak_rate"],
            pooling=pooling,
            starts=starts,
            n_outputs=self._feedback_width(),
            window=max(self.input_window_, 1),
            sink=progress,
            **noise,
        )
        sums.add(features.T, Y.T, weights, frequency=sample_weight)

    def _raise_nothing_to_train_on(self, longest, any_weight):
        if not any_weight:
            raise ValueError(
                "Every sample weight is zero: there is nothing to fit the readout on."
            )
        raise ValueError(
            f"No time step is left to train on after the washout of "
            f"{self._fitted_params['washout']} steps: the longest sequence has "
            f"{longest}. Use washout='auto' (a quarter of each "
            "sequence, at most 100 steps), a smaller washout, or longer sequences."
        )

    def _solve(self, sums, alphas):
        if sums.total_weight <= 0:
            raise ValueError(
                "Every sample weight is zero: there is nothing to fit the readout on."
            )
        alpha = self.alpha if self.alpha == "auto" else float(self.alpha)
        n_free = self._n_direct_inputs() if self.input_window_ else 0
        coef, intercept, self.alpha_, _ = solve_readout(
            sums, alpha, alphas, df_cost=self._gcv_df_cost, n_free=n_free
        )
        self.coef_, self.intercept_ = coef, intercept
        lo, hi = sums.y_min, sums.y_max
        if self._target_scaling is not None:
            lo, hi = (self._target_scaling.inverse_transform(v) for v in (lo, hi))
        self._target_range = (lo, hi)

    # -- prediction --------------------------------------------------------------
    def _readout_matrix(self):
        return np.vstack([self.intercept_[np.newaxis], self.coef_])

    def _decision_rows(self, X):
        """Readout outputs (model scale) for ``X``: one row per sequence, or
        per real step, sequence after sequence; the per-step layout (None
        per sequence); the dtype of ``X``."""
        check_is_fitted(self, "coef_")
        seqs, dtype = self._validate_X(X, reset=False)
        # Inputs far beyond the training range may overflow: the heads check
        # that their outputs are finite.
        with np.errstate(over="ignore", invalid="ignore"):
            rows, layout, dtype = self._run_readout(X, seqs, dtype)
        if not np.isfinite(rows).all():
            raise ValueError(
                "X holds values too large for the fitted model: its outputs "
                f"overflow (largest |X| {np.abs(seqs.values).max():.3g})."
            )
        return rows, layout, dtype

    def _run_readout(self, X, seqs, dtype):
        seqs = self._scale_inputs(seqs)
        fitted = self._fitted_params
        W_out = self._readout_matrix()
        if not fitted["return_sequences"]:
            return self._features(seqs) @ W_out, None, dtype
        values, lengths = seqs
        n, T, _ = values.shape
        out = np.zeros((n, T, W_out.shape[1]))

        def write(rows, t0, Z):
            out[rows, t0 : t0 + Z.shape[0]] = np.matmul(W_out.T, Z).transpose(2, 0, 1)

        # With feedback the loop is closed: each output is fed back, and the
        # chunk's features hold it, so the product above reproduces it.
        harvest(
            self.reservoir_,
            values,
            lengths,
            leak_rate=fitted["leak_rate"],
            readout=W_out,
            sink=self._progress("Predict", seqs, write),
        )
        layout = (lengths, T, isinstance(X, (list, tuple)))
        return out[real_steps(lengths, T)], layout, dtype

    def _features(self, seqs, report=True):
        """One readout feature row per sequence (model scale inputs)."""
        fitted = self._fitted_params
        return sequence_features(
            self.reservoir_,
            seqs.values,
            seqs.lengths,
            leak_rate=fitted["leak_rate"],
            pooling=fitted["pooling"],
            starts=washout_starts(seqs.lengths, fitted["washout"], fitted["pooling"]),
            n_outputs=self._feedback_width(),
            window=max(self.input_window_, 1),
            sink=self._progress("Harvest", seqs) if report else None,
        )

    @staticmethod
    def _layout(rows, layout):
        """Outputs per sequence as they are; per step in the layout of X
        (NaN after each sequence's end in an array, a list for a list)."""
        return rows if layout is None else format_steps(rows, *layout)

    def _score_steps(self, metric, X, y, sample_weight, predict_rows):
        """``metric`` over the real steps of every sequence."""
        rows, layout, dtype = self._decision_rows(X)
        lengths, T, _ = layout
        y_rows = flatten_steps(y, lengths, T)
        if sample_weight is not None:
            sample_weight = np.repeat(
                _check_sample_weight(sample_weight, lengths), lengths
            )
        return float(
            metric(y_rows, predict_rows(rows, dtype), sample_weight=sample_weight)
        )


def _same(a, b):
    """Parameter equality that tolerates arrays and RandomState objects."""
    if a is b:
        return True
    try:
        return bool(np.all(a == b)) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


def is_dask_collection(X):
    """Whether ``X`` is a dask collection, found without importing dask."""
    return type(X).__module__.partition(".")[0] in ("dask", "dask_expr")


def _lazy_on_dask(method):
    """``method`` (of X) as it is, but a dask array's answer is a dask array
    whose blocks are ``method``'s answers to X's blocks (:mod:`skrnn._dask`)."""

    @functools.wraps(method)
    def answer(self, X, *args, **kwargs):
        if is_dask_collection(X):
            from skrnn._dask import map_row_blocks

            return map_row_blocks(self, method, X)
        return method(self, X, *args, **kwargs)

    return answer


def standardization(statistics, name):
    """The standardisation of some rows from their (mean, scale)."""
    scaling = Standardization(*statistics)
    if not (np.isfinite(scaling.mean).all() and np.isfinite(scaling.scale).all()):
        raise ValueError(
            f"{name} holds values too large to standardise in float64 (their "
            "squares overflow). Rescale them first."
        )
    return scaling


# The parameters both heads document alike; each head adds its own.
PARAMETERS_DOC = """
    n_reservoir : int, default=500
        Number of reservoir units.
    density : float, default=0.02
        Fraction of non-zero recurrent weights.
    spectral_radius : float, default=1.0
        Largest absolute eigenvalue of the recurrent weight matrix.
    leak_rate : float, default=1.0
        Leak rate ``a`` in (0, 1].
    input_scaling : float, default={input_scaling}
        Input weights are uniform in ``[-input_scaling, input_scaling]``.
        With ``standardize=True`` they act on standardised inputs.
{input_scaling_why}
    bias_scaling : float, default=0.2
        Bias weights are uniform in ``[-bias_scaling, bias_scaling]``.
    alpha : "auto" or float, default="auto"
        Ridge penalty of the readout. ``"auto"`` chooses it from ``alphas``
        by generalized cross-validation (GCV), computed from one
        eigendecomposition of the readout's normal equations (as
        :class:`~sklearn.linear_model.RidgeCV` does with leave-one-out);
        the choice is in ``alpha_``. A float fixes it. Each
        ``partial_fit`` call chooses again from all the data so far.
    alphas : array-like of float or None, default=None
        Candidate penalties for ``alpha="auto"``. None is ``1e-12`` to
        ``1e4``, four values per decade: noise-free series forecast in
        closed loop need the smallest (Mackey-Glass chooses about 1e-11),
        noisy data the largest.
    washout : "auto" or int, default="auto"
        Leading steps of every sequence that the readout does not read,
        because the state still remembers its zero start. With one readout
        row per step (``return_sequences=True``, or ``pooling="steps"``),
        ``"auto"`` skips a quarter of each sequence's steps, at most 100: a
        107-step series keeps 81. With ``pooling="mean"``, ``"auto"``
        averages every step (the transient is part of a sequence's summary;
        on the five classification sets of ``benchmarks/bench_real_data.py``
        that was the more accurate). An integer skips that many steps of
        every sequence; pooled features always keep at least the last step,
        and a per-step fit (or ``partial_fit`` call) with no step left raises
        an error. Unused with ``pooling="last"``.
    pooling : {{"last", "mean", "steps"}}, default="{pooling}"
        How one target per sequence is read from the reservoir (ignored with
        ``return_sequences=True``): ``"last"``, the features
        ``[1, u_T, x_T]`` of the last step; ``"mean"``, their mean over the
        steps after the washout, one readout row per sequence; ``"steps"``,
        the readout is fitted on every step after the washout, each with its
        sequence's target, and predicts the mean of those steps' outputs
        (TWIESN's way, Tanisaro and Heidemann 2016); being linear, that is
        the readout of the mean features, as with ``"mean"``, but fitted
        on all steps.
{pooling_why}
    input_window : "auto" or int, default="auto"
        With ``pooling="last"`` and one target per sequence, the number of
        last steps whose inputs the readout reads directly, next to the last
        state: ``[1, u_{{T-w+1}}, ..., u_T, x_T]``, direct input-to-output
        connections over a window, whose weights are not penalised (as the
        constant; the penalty shrinks the reservoir's weights only). The
        readout is then at least the linear autoregression on the window, and
        the reservoir adds what the linear terms miss: on the noisy yearly
        and monthly series of ``benchmarks/bench_real_data.py`` the penalty
        would otherwise shrink the linear part of the fit with the
        reservoir's and lose to a plain ``Ridge`` on the same lag windows.
        ``"auto"`` reads every step of sequences of at most 32 values (steps
        times features: rows of lag values, as ``lag_windows`` makes) and
        none of longer ones; the first fit decides (``input_window_``). A
        sequence shorter than the window reads zeros (the mean, on the
        standardised scale) before its start. With so few samples that the
        window alone would fit them exactly (no more than its values plus
        one), its weights are penalised too. 0 reads ``u_T`` alone,
        penalised like the state, as do the per-step and pooled readouts
        (where a positive ``input_window`` is an error).
    feedback : bool, default=False
        Feed the previous output back into the reservoir through ``W_fb``.
        With ``return_sequences=True`` training uses the true previous target
        (teacher forcing) and prediction uses the model's own outputs. With
        one target per sequence there is no previous output inside a
        sequence, so the feedback signal is zero.
    feedback_scaling : float, default=0.1
        Feedback weights are uniform in ``[-feedback_scaling, feedback_scaling]``.
    noise : float, default=0.0
        Standard deviation of Gaussian state noise added during training.
    standardize : {standardize_type}
        Standardise every input feature over the real steps of the first
        fit's sequences{target_scaling}, inside the model: raw data (values
        in the hundreds, say) then work with the default ``input_scaling``.
        ``partial_fit`` keeps the first call's statistics (see Notes).{standardize_sequence}
    return_sequences : bool, default=False
        False: one target per sequence. True: one target per time step,
        ``y`` laid out like ``X``; ``predict`` and ``score`` follow the same
        layout, with NaN after each sequence's end in an array.
    verbose : int, default=0
        Print the progress of long harvests (steps done and seconds, every
        tenth of the way), of forecasts, and the chosen ``alpha_``.
    random_state : int, RandomState instance or None, default=None
        Seeds the reservoir weights and the training noise."""

ATTRIBUTES_DOC = """
    reservoir_ : Reservoir
        The fixed weights (``W`` CSR, ``W_in``, ``W_fb``, ``bias``).
    coef_ : ndarray of shape (n_readout_features, n_readout_outputs)
        Readout weights on ``[u_t, x_t(, y_{t-1})]``, where ``u_t`` stands
        for the inputs of the last ``input_window_`` steps (oldest first)
        when there is a window.
    intercept_ : ndarray of shape (n_readout_outputs,)
        Readout constant.
    alpha_ : float
        The ridge penalty used: chosen by GCV with ``alpha="auto"``.
    input_window_ : int
        The number of last steps whose inputs the readout reads directly,
        unpenalised (``input_window``); 0 for none (``u_t`` penalised).
    input_mean_, input_scale_ : ndarray of shape (n_features_per_step,) or None
        Statistics of the standardisation of the inputs (None with
        ``standardize=False``).
    n_features_in_ : int
        For 2D input, the number of columns (time steps); for 3D or list
        input, the number of features per time step.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` was a DataFrame."""

NOTES_DOC = """
    The readout is a ridge regression on the features, solved from the
    normal equations accumulated over all sequences (memory does not grow
    with the series length) and centred, which leaves the constant
    unpenalised. With ``alpha="auto"`` one eigendecomposition of the
    centred Gram matrix scores every candidate penalty by GCV: the residual
    sum of squares of each follows from the sums alone (so ``y``'s squares
    are summed too), and the effective number of parameters from the
    eigenvalues. With no more training rows than readout features, the
    Gram matrix is singular by construction and its null space holds only
    rounding error, which a small penalty would amplify: the solve then
    drops eigen-directions below ``D * eps * lambda_max``, as
    :func:`numpy.linalg.lstsq` drops small singular values, so that weights
    and repeated samples give the same readout.

    ``partial_fit`` adds the new data's sums to the old ones and solves
    again. Over chunks of sequences it gives the readout of one ``fit`` on
    all of them, to rounding (the sums are added in another order), when
    ``standardize=False``; with ``standardize=True`` the statistics come
    from the first call, so it equals (to rounding) one ``fit`` on data
    standardised with the first chunk's statistics. Parameters that shape the reservoir or
    the rows (all but ``alpha``, ``alphas``, ``noise``, ``verbose`` and the
    classifier's ``class_weight``) cannot change between calls.

    ``X`` may be a dask array chunked along samples (``y`` and
    ``sample_weight`` dask arrays or in-memory ones): dask's workers run the
    reservoir over their chunks and only the sums are gathered, after the
    statistics of ``standardize=True`` (and a classifier's classes) have
    been reduced over all chunks, so that the readout is the in-memory
    one to rounding; predictions on a dask array are a lazy dask array.
    The user guide's "Scaling out" page has the details.

    The reservoir and the sums work in float64 whatever the input (a ridge
    of 1e-10 is below float32's resolution); float32 input gives float32
    predictions."""


def parameters_doc(**fields):
    """:data:`PARAMETERS_DOC` with a head's defaults and its reasons for them,
    wrapped as the rest of the section."""
    for name in ("input_scaling_why", "pooling_why"):
        fields[name] = textwrap.fill(
            fields[name],
            76,
            initial_indent=" " * 8,
            subsequent_indent=" " * 8,
            break_on_hyphens=False,
        )
    return PARAMETERS_DOC.format(**fields)
