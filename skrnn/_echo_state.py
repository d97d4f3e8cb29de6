"""Echo state network regressor: a fixed random reservoir and a ridge readout."""

import numbers

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from skrnn._reservoir import harvest, make_reservoir, run_closed_loop
from skrnn._sequences import check_sequences, slide_windows_, validate_sequences

__all__ = ["EchoStateRegressor"]

# From this many sequences in a chunk on, the readout sums take one syrk per
# step instead of copying the chunk into one (D, steps * sequences) matrix.
_SLAB_SYRK_WIDTH = 32


def _restore_on_failure(fit_method):
    """Leave the estimator as it was when ``fit_method`` raises."""

    def wrapper(self, *args, **kwargs):
        snapshot = self.__dict__.copy()
        try:
            return fit_method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    wrapper.__name__ = fit_method.__name__
    wrapper.__doc__ = fit_method.__doc__
    wrapper.__wrapped__ = fit_method
    return wrapper


def _solve_ridge(C, rhs, alpha, n_rows):
    """``(C + alpha I)^{-1} rhs`` for a centred Gram matrix ``C`` of ``n_rows``.

    With no more rows than features (``n_rows <= D``), ``C`` is singular
    by construction, and its null space holds nothing but rounding error;
    a small ``alpha`` would amplify that error by ``1 / alpha``, so that two
    sums of the same data in another order (weights against repeated
    samples, chunks against one batch) would give visibly different
    readouts. The ridge is then solved on the numerical range of ``C``:
    eigen-directions below ``D * eps * lambda_max`` are dropped, as
    ``lstsq`` drops singular values below its ``rcond``. With more rows
    than features (long series) nothing is dropped, since there the tiny
    eigenvalues are real: a closed-loop Mackey-Glass forecast needs them.
    """
    D = len(C)
    if n_rows > D:
        try:
            factor = scipy.linalg.cho_factor(C + alpha * np.eye(D), check_finite=False)
            return scipy.linalg.cho_solve(factor, rhs, check_finite=False)
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            pass  # singular without a penalty: the numerical range below
    values, vectors = scipy.linalg.eigh(C, check_finite=False)
    keep = values > D * np.finfo(C.dtype).eps * max(values[-1], 0.0)
    vectors = vectors[:, keep]
    return vectors @ ((vectors.T @ rhs) / (values[keep] + alpha)[:, np.newaxis])


class EchoStateRegressor(RegressorMixin, BaseEstimator):
    """Echo state network with a leaky reservoir and a ridge readout.

    The reservoir state follows
    ``x_t = (1 - a) x_{t-1} + a tanh(W_in u_t + W x_{t-1} + W_fb y_{t-1} + b)``
    and the readout is a ridge regression on ``[1, u_t, x_t]`` (plus
    ``y_{t-1}`` with feedback), the constant not penalised.

    Parameters
    ----------
    n_reservoir : int, default=500
        Number of reservoir units.
    density : float, default=0.02
        Fraction of non-zero recurrent weights.
    spectral_radius : float, default=1.0
        Largest absolute eigenvalue of the recurrent weight matrix.
    leak_rate : float, default=1.0
        Leak rate ``a`` in (0, 1].
    input_scaling : float, default=1.0
        Input weights are uniform in ``[-input_scaling, input_scaling]``.
    bias_scaling : float, default=0.2
        Bias weights are uniform in ``[-bias_scaling, bias_scaling]``.
    alpha : float, default=1e-10
        Ridge penalty of the readout. The tiny default suits noise-free
        series such as Mackey-Glass, where closed-loop forecasts need it
        (with 1e-6 the error after 84 steps is about ten times larger); on noisy data
        choose it by cross-validation, e.g. ``GridSearchCV`` over
        ``[1e-8, 1e-6, 1e-4, 1e-2]``. With no more training rows than
        readout features, the readout ignores the numerical null space of
        the features (see Notes).
    washout : int, default=100
        Steps discarded at the start of each sequence before fitting the
        readout when ``return_sequences=True``; unused otherwise.
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
    return_sequences : bool, default=False
        False: one target per sequence, read from the final state. True: one
        target per time step.
    random_state : int, RandomState instance or None, default=None
        Seeds the reservoir weights and the training noise.

    Attributes
    ----------
    reservoir_ : Reservoir
        The fixed weights (``W`` CSR, ``W_in``, ``W_fb``, ``bias``).
    coef_ : ndarray of shape (n_readout_features, n_outputs)
        Readout weights on ``[u_t, x_t(, y_{t-1})]``.
    intercept_ : ndarray of shape (n_outputs,)
        Readout constant.
    n_features_in_ : int
        Number of features seen during fit.
    n_outputs_ : int
        Number of outputs.

    Notes
    -----
    The readout accumulates the normal equations over all sequences (memory
    does not grow with the series length) and solves them centred, which
    leaves the constant unpenalised. With more training rows (steps after
    the washout, or sequences, of non-zero weight) than readout features it
    is a plain Cholesky solve. With fewer, the Gram matrix is singular by
    construction and its null space holds only rounding error, which a small
    ``alpha`` would amplify; the solve then drops eigen-directions below
    ``D * eps * lambda_max``, as ``numpy.linalg.lstsq`` drops small singular
    values, so that weights and repeated samples, or ``partial_fit`` chunks
    and one ``fit``, give the same readout.

    See Also
    --------
    RNNRegressor : A recurrent network whose every weight is trained, with
        the same ``forecast`` contract.

    References
    ----------
    Jaeger, H. (2001). The "echo state" approach to analysing and training
    recurrent neural networks. GMD Report 148.

    Jaeger, H. and Haas, H. (2004). Harnessing nonlinearity: predicting
    chaotic systems and saving energy in wireless communication. Science,
    304(5667).

    Examples
    --------
    >>> from skrnn import EchoStateRegressor
    >>> from skrnn.datasets import lag_windows, mackey_glass
    >>> X, y = lag_windows(mackey_glass(600), n_lags=10)
    >>> model = EchoStateRegressor(n_reservoir=100, random_state=0).fit(X[:400], y[:400])
    >>> bool(model.score(X[400:], y[400:]) > 0.99)
    True
    """

    _parameter_constraints = {
        "n_reservoir": [Interval(numbers.Integral, 1, None, closed="left")],
        "density": [Interval(numbers.Real, 0, 1, closed="right")],
        "spectral_radius": [Interval(numbers.Real, 0, None, closed="left")],
        "leak_rate": [Interval(numbers.Real, 0, 1, closed="right")],
        "input_scaling": [Interval(numbers.Real, 0, None, closed="left")],
        "bias_scaling": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "washout": [Interval(numbers.Integral, 0, None, closed="left")],
        "feedback": ["boolean"],
        "feedback_scaling": [Interval(numbers.Real, 0, None, closed="left")],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "return_sequences": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_reservoir=500,
        *,
        density=0.02,
        spectral_radius=1.0,
        leak_rate=1.0,
        input_scaling=1.0,
        bias_scaling=0.2,
        alpha=1e-10,
        washout=100,
        feedback=False,
        feedback_scaling=0.1,
        noise=0.0,
        return_sequences=False,
        random_state=None,
    ):
        self.n_reservoir = n_reservoir
        self.density = density
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.alpha = alpha
        self.washout = washout
        self.feedback = feedback
        self.feedback_scaling = feedback_scaling
        self.noise = noise
        self.return_sequences = return_sequences
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------------ targets
    def _check_targets(self, y, seqs, reset):
        """Targets as (n, k) (one per sequence) or (n, T, k) (per step)."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if not self.return_sequences:
            y = np.asarray(y)
            if y.dtype.kind not in "fiub":
                y = y.astype(np.float64)
            y = np.asarray(y, dtype=np.float64)
            one_d = y.ndim == 1
            if y.ndim == 2 and y.shape[1] == 1 and reset:
                one_d = False
            y2 = y.reshape(len(y), -1) if y.ndim <= 2 else None
            if y2 is None:
                raise ValueError(
                    f"y must be 1D or 2D with return_sequences=False, got shape {y.shape}."
                )
            if len(y2) != len(seqs.lengths):
                raise ValueError(
                    f"X has {len(seqs.lengths)} sequences but y has {len(y2)} targets."
                )
            if not np.all(np.isfinite(y2)):
                raise ValueError("Input y contains NaN or inf; targets must be finite.")
            return y2, one_d
        targets, layout = check_sequences(y, dtype=np.float64, input_name="y")
        if len(targets.lengths) != len(seqs.lengths) or np.any(
            targets.lengths != seqs.lengths
        ):
            raise ValueError(
                "With return_sequences=True, y must have one target per time step "
                "of every sequence in X (same number of sequences and lengths)."
            )
        return targets.values, layout in ("columns",) or (
            layout == "list" and np.ndim(y[0]) == 1
        )

    # ---------------------------------------------------------------- reservoir
    def _init_reservoir(self, n_inputs, n_outputs):
        self.reservoir_ = make_reservoir(
            self.n_reservoir,
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
        self._noise_rng = np.random.default_rng(self.reservoir_.noise_seed)
        self.n_outputs_ = n_outputs
        D = 1 + n_inputs + self.n_reservoir + (n_outputs if self.feedback else 0)
        # Fortran order: BLAS syrk then updates it in place. Only its upper
        # triangle is kept up to date (see _solve).
        self._xtx = np.zeros((D, D), order="F")
        self._xty = np.zeros((D, n_outputs))

    def _n_features(self):
        return self.reservoir_.W_in.shape[1]

    def _readout_matrix(self):
        return np.vstack([self.intercept_[np.newaxis], self.coef_])

    def _harvest(self, values, lengths, **kwargs):
        """Final states and inputs of a batch; see :func:`harvest`."""
        return harvest(
            self.reservoir_, values, lengths, leak_rate=self.leak_rate, **kwargs
        )

    def _final_features(self, x, u):
        """Readout features ``[1, u, x(, 0)]`` of the last step, one row each.

        With one target per sequence there is no previous output inside a
        sequence, so the feedback part is zero.
        """
        parts = [np.ones((len(x), 1)), u, x]
        if self.feedback:
            parts.append(np.zeros((len(x), self.n_outputs_)))
        return np.hstack(parts)

    # ----------------------------------------------------------------- fitting
    def _add_to_sums(self, features, targets, weight):
        """Add ``sum_i w_i z_i z_i^T`` and ``sum_i w_i z_i y_i^T``.

        ``features`` is (D, n_rows) and ``targets`` (k, n_rows). Scaling both
        by ``sqrt(w)`` keeps ``Z Z^T`` a product of an array with its own
        transpose, which numpy hands to BLAS ``syrk`` (half the work of a
        general product); negative weights take the general product.
        """
        if np.all(weight == 1.0):
            weighted = features
        elif np.all(weight >= 0.0):
            root = np.sqrt(weight)
            features = features * root
            targets = targets * root
            weighted = features
        else:
            weighted = features * weight
        self._xtx += weighted @ features.T
        self._xty += weighted @ targets.T
        self._n_rows += features.shape[1]
        self._n_weighted_rows += np.count_nonzero(weight)

    def _add_slabs_to_sums(self, Z, targets):
        """Add the unit-weight steps of a chunk, one BLAS ``syrk`` per step.

        ``Z`` is (c, D, m) and ``targets`` (m, c, k). Each step's (D, m) slab
        is already a matrix BLAS can read (as its Fortran-ordered transpose),
        so no (D, c * m) copy of the chunk is made; with ``m`` of a few dozen
        sequences or more, the rank-``m`` updates run as fast as one large
        product.
        """
        # Xᵀy step by step too, while the slab is in cache: a second pass
        # over the whole chunk would read it from memory again.
        for slab, target in zip(Z, targets.transpose(1, 0, 2)):
            self._xtx = scipy.linalg.blas.dsyrk(
                1.0, slab.T, beta=1.0, c=self._xtx, trans=1, overwrite_c=1
            )
            self._xty += slab @ target
        self._n_rows += Z.shape[0] * Z.shape[2]
        self._n_weighted_rows += Z.shape[0] * Z.shape[2]

    def _accumulate(self, seqs, targets, sample_weight):
        values, lengths = seqs.values, seqs.lengths
        noise = {"noise": self.noise, "rng": self._noise_rng}
        if not self.return_sequences:
            x, u = self._harvest(values, lengths, **noise)
            self._add_to_sums(self._final_features(x, u).T, targets.T, sample_weight)
            return
        washout, k = self.washout, self.n_outputs_

        def sink(rows, t0, Z):
            skip = max(0, washout - t0)
            c = Z.shape[0] - skip
            if c <= 0:
                return
            Z = Z[skip:]
            tgt = targets[rows, t0 + skip : t0 + skip + c]  # (m, c, k)
            weight = sample_weight[rows]
            if len(rows) >= _SLAB_SYRK_WIDTH and np.all(weight == 1.0):
                self._add_slabs_to_sums(Z, tgt)
                return
            # Columns ordered (step, sequence), as are the targets below.
            features = Z.transpose(1, 0, 2).reshape(Z.shape[1], -1)
            tgt = tgt.transpose(2, 1, 0).reshape(k, -1)
            self._add_to_sums(features, tgt, np.tile(weight, c))

        feedback_signal = targets if self.feedback else None
        self._harvest(
            values, lengths, feedback_signal=feedback_signal, sink=sink, **noise
        )

    def _solve(self):
        """Ridge readout from the sums, intercept not penalised.

        The constant is eliminated by centring the normal equations (the
        same ridge problem as ``sklearn.linear_model.Ridge``): the raw system
        with its column of ones is far worse conditioned than the centred
        one. See :func:`_solve_ridge` for the solve.
        """
        G, b = np.triu(self._xtx), self._xty
        G += np.triu(G, 1).T
        total = G[0, 0]
        if not total > 0:  # no positive weight: nothing to centre on
            W_out = scipy.linalg.lstsq(G + self.alpha * np.eye(len(G)), b)[0]
            self.intercept_, self.coef_ = W_out[0].copy(), W_out[1:].copy()
            return
        mean_z, mean_y = G[0, 1:] / total, b[0] / total
        C = G[1:, 1:] - total * np.outer(mean_z, mean_z)
        rhs = b[1:] - np.outer(mean_z, b[0])
        self.coef_ = _solve_ridge(C, rhs, self.alpha, self._n_weighted_rows)
        self.intercept_ = mean_y - mean_z @ self.coef_

    def _partial(self, X, y, sample_weight, reset):
        seqs = validate_sequences(self, X, reset=reset, dtype=np.float64)
        targets, one_d = self._check_targets(y, seqs, reset)
        if reset:
            self._init_reservoir(seqs.n_features, targets.shape[-1])
            self._one_d_output = one_d
            self._n_rows = self._n_weighted_rows = 0
        elif targets.shape[-1] != self.n_outputs_:
            raise ValueError(
                f"y has {targets.shape[-1]} outputs but the model was fitted "
                f"with {self.n_outputs_}."
            )
        sample_weight = _check_sample_weight(sample_weight, seqs.values[:, 0, 0])
        self._accumulate(seqs, targets, sample_weight)
        if self.return_sequences and self._n_rows == 0:
            raise ValueError(
                f"No time step left after the washout of {self.washout} steps; "
                "use longer sequences or a smaller washout."
            )
        self._solve()
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    @_restore_on_failure
    def fit(self, X, y, sample_weight=None):
        """Fit the ridge readout on the reservoir states.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Input sequences.
        y : array-like
            Targets: (n_samples,) or (n_samples, n_outputs) by default; per
            time step, shaped like X, with ``return_sequences=True``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of every sequence.

        Returns
        -------
        self : EchoStateRegressor
        """
        return self._partial(X, y, sample_weight, reset=True)

    @_fit_context(prefer_skip_nested_validation=True)
    @_restore_on_failure
    def partial_fit(self, X, y, sample_weight=None):
        """Add sequences to the readout's sums and re-solve it.

        Parameters
        ----------
        X : array-like or list
            Input sequences.
        y : array-like
            Targets, as for :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of every sequence.

        Returns
        -------
        self : EchoStateRegressor
        """
        return self._partial(X, y, sample_weight, reset=not hasattr(self, "coef_"))

    # -------------------------------------------------------------- prediction
    def predict(self, X):
        """Predict with the fitted readout.

        Parameters
        ----------
        X : array-like or list
            Input sequences.

        Returns
        -------
        y : ndarray or list of ndarray
            One output per sequence, or per step with ``return_sequences=True``
            (same layout as X: list in, list out).
        """
        check_is_fitted(self, "coef_")
        seqs = validate_sequences(self, X, reset=False, dtype=np.float64)
        W_out = self._readout_matrix()
        if not self.return_sequences:
            x, u = self._harvest(seqs.values, seqs.lengths)
            out = self._final_features(x, u) @ W_out
            return out[:, 0] if self._one_d_output else out
        n, T, _ = seqs.values.shape
        out = np.zeros((n, T, self.n_outputs_))

        def sink(rows, t0, Z):
            out[rows, t0 : t0 + Z.shape[0]] = np.matmul(W_out.T, Z).transpose(2, 0, 1)

        # With feedback the loop is closed: each output is fed back, and the
        # chunk's features hold it, so the product above reproduces it.
        self._harvest(seqs.values, seqs.lengths, readout=W_out, sink=sink)
        return self._format_steps(out, seqs.lengths, X)

    def _format_steps(self, out, lengths, X):
        if self._one_d_output:
            out = out[..., 0]
        if isinstance(X, (list, tuple)) and len(set(lengths.tolist())) > 1:
            return [out[i, :L] for i, L in enumerate(lengths)]
        if isinstance(X, (list, tuple)):
            return [o for o in out]
        return out

    def forecast(self, X, n_steps):
        """Run over contexts, then predict ``n_steps`` ahead in closed loop.

        Every prediction is fed back as the next input. With one target per
        sequence the input window slides: the prediction is appended and the
        oldest step dropped.

        Parameters
        ----------
        X : array-like or list
            Context sequence(s), as for :meth:`predict`.
        n_steps : int
            Number of steps to forecast, at least 1.

        Returns
        -------
        y : ndarray of shape (n_contexts, n_steps) or (n_contexts, n_steps, k)
        """
        check_is_fitted(self, "coef_")
        if not isinstance(n_steps, numbers.Integral) or n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}.")
        if self.n_outputs_ != self._n_step_features:
            raise ValueError(
                f"forecast feeds each prediction back as the next input, but the "
                f"model has {self.n_outputs_} outputs and {self._n_step_features} "
                "features per time step; they must be equal."
            )
        seqs = validate_sequences(self, X, reset=False, dtype=np.float64)
        k = self.n_outputs_
        n = len(seqs.lengths)
        W_out = self._readout_matrix()
        if not self.return_sequences:
            result = np.empty((n, n_steps, k))
            window, lengths = seqs.values.copy(), seqs.lengths
            for s in range(n_steps):
                x, u = self._harvest(window, lengths)
                y = self._final_features(x, u) @ W_out
                result[:, s] = y
                slide_windows_(window, lengths, y)
        else:
            vals, lengths = seqs.values, seqs.lengths
            fb_signal, previous = None, None
            if self.feedback:
                # Teacher forcing over the context: each step's target is the
                # next input, and after the last step the previous output is
                # the last input (none for a context of one step).
                fb_signal = np.zeros_like(vals)
                fb_signal[:, :-1] = vals[:, 1:]
                previous = np.where(
                    (lengths > 1)[:, None], vals[np.arange(n), lengths - 1], 0.0
                )
            x, u = self._harvest(vals, lengths, feedback_signal=fb_signal)
            result = run_closed_loop(
                self.reservoir_, x, u, previous, W_out, n_steps, self.leak_rate
            )
        return result[..., 0] if k == 1 and self._one_d_output else result
