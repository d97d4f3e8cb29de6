"""Echo state network regressor: a fixed random reservoir and a ridge readout."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array, check_is_fitted

from skrnn._covariates import check_covariates
from skrnn._echo_state_base import (
    ATTRIBUTES_DOC,
    NOTES_DOC,
    BaseEchoState,
    parameters_doc,
)
from skrnn._memory import check_memory
from skrnn._progress import Progress
from skrnn._reservoir import harvest, run_closed_loop
from skrnn._restore import restore_on_failure
from skrnn._sequences import Sequences, slide_windows_

__all__ = ["EchoStateRegressor"]

# A forecast this many half-widths of the training targets' range away from
# its middle (twice the range beyond either end) is running away.
_RUNAWAY_HALF_WIDTHS = 5.0


#: Targets beyond this magnitude would overflow the readout's yᵀy.
_LARGEST_TARGET = 1e150


class EchoStateRegressor(RegressorMixin, BaseEchoState):
    __doc__ = (
        """Echo state network with a leaky reservoir and a ridge readout.

    The reservoir state follows
    ``x_t = (1 - a) x_{t-1} + a tanh(W_in u_t + W x_{t-1} + W_fb y_{t-1} + b)``
    and the readout is a ridge regression on ``[1, u_t, x_t]`` (plus
    ``y_{t-1}`` with feedback), the constant not penalised, its penalty
    chosen from the data by default.

    ``X`` is 2D ``(n_samples, n_timesteps)`` (univariate sequences, e.g. lag
    windows of a series), 3D ``(n_samples, n_timesteps, n_features)``, a
    list of sequences of varying lengths, or a 3D array padded at the end of
    sequences with NaN.

    Parameters
    ----------"""
        + parameters_doc(
            input_scaling=0.15,
            input_scaling_why=(
                "The default keeps the reservoir nearly linear, which suits "
                "forecasting: on the benchmarks it gave the best closed-loop "
                "Mackey-Glass forecasts (1.4e-4 after 84 steps, against "
                "4.4e-4 at 0.25) and NARMA-10 errors among the values that "
                "kept every Mackey-Glass forecast stable (at 0.1 one seed "
                "in five ran away); NARMA-10 alone prefers 0.003 to 0.01."
            ),
            pooling="last",
            pooling_why=(
                "The default reads lag windows as it should: the next value "
                "follows from the latest state."
            ),
            target_scaling=(
                ", and every target over the first fit's rows (mapped back "
                "on the way out; a forecast feeds its predictions back on the "
                "model's scale)"
            ),
            standardize_type="bool, default=True",
            standardize_sequence="",
        )
        + """

    Attributes
    ----------"""
        + ATTRIBUTES_DOC
        + """
    target_mean_, target_scale_ : ndarray of shape (n_outputs,) or None
        Statistics of the standardisation of the targets (None with
        ``standardize=False``).
    n_outputs_ : int
        Number of outputs.

    See Also
    --------
    EchoStateClassifier : The same reservoir with a classifying readout.
    RNNRegressor : A recurrent network whose every weight is trained, with
        the same ``forecast`` contract.
    sklearn.linear_model.RidgeCV : The readout's ridge, with its penalty
        chosen by cross-validation.

    Notes
    -----"""
        + NOTES_DOC
        + """

    References
    ----------
    Jaeger, H. (2001). The "echo state" approach to analysing and training
    recurrent neural networks. GMD Report 148.

    Jaeger, H. and Haas, H. (2004). Harnessing nonlinearity: predicting
    chaotic systems and saving energy in wireless communication. Science,
    304(5667).

    Golub, G. H., Heath, M. and Wahba, G. (1979). Generalized
    cross-validation as a method for choosing a good ridge parameter.
    Technometrics, 21(2).

    Examples
    --------
    >>> from skrnn import EchoStateRegressor
    >>> from skrnn.datasets import lag_windows, mackey_glass
    >>> series = mackey_glass(600)
    >>> X, y = lag_windows(series, n_lags=10)
    >>> model = EchoStateRegressor(n_reservoir=100, random_state=0).fit(X[:400], y[:400])
    >>> bool(model.score(X[400:], y[400:]) > 0.99)
    True

    The next 3 values after the series' end, from its last 10 values:

    >>> model.forecast(series[None, -10:], n_steps=3).shape
    (1, 3)
    """
    )

    _scales_targets = True

    def __init__(
        self,
        n_reservoir=500,
        *,
        density=0.02,
        spectral_radius=1.0,
        leak_rate=1.0,
        input_scaling=0.15,
        bias_scaling=0.2,
        alpha="auto",
        alphas=None,
        washout="auto",
        pooling="last",
        input_window="auto",
        feedback=False,
        feedback_scaling=0.1,
        noise=0.0,
        standardize=True,
        return_sequences=False,
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            n_reservoir,
            density=density,
            spectral_radius=spectral_radius,
            leak_rate=leak_rate,
            input_scaling=input_scaling,
            bias_scaling=bias_scaling,
            alpha=alpha,
            alphas=alphas,
            washout=washout,
            pooling=pooling,
            input_window=input_window,
            feedback=feedback,
            feedback_scaling=feedback_scaling,
            noise=noise,
            standardize=standardize,
            return_sequences=return_sequences,
            verbose=verbose,
            random_state=random_state,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _encode_targets(self, y, first_call, classes):
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.size and np.abs(y).max() > _LARGEST_TARGET:
            raise ValueError(
                f"y holds values too large for the readout (largest |y| "
                f"{np.abs(y).max():.3g}): their squares, which the choice of "
                "alpha sums, overflow float64. Rescale y."
            )
        if y.ndim > 2:
            raise ValueError(f"y must be 1D or 2D, got an array of shape {y.shape}.")
        if first_call:
            self._one_d_output = y.ndim == 1
        Y = y.reshape(len(y), -1)
        if not first_call and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the model was fitted with "
                f"{self.n_outputs_}."
            )
        self.n_outputs_ = Y.shape[1]
        return Y

    def _outputs(self, rows, dtype):
        """Readout rows (model scale) as predictions: the targets' scale
        and dtype, 1D for a 1D target."""
        if self._target_scaling is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                rows = self._target_scaling.inverse_transform(rows)
        if not np.isfinite(rows).all():
            raise ValueError(
                "The predictions overflowed: X holds values too far outside "
                "the range the model was trained on."
            )
        rows = rows.astype(dtype, copy=False)
        return rows[:, 0] if self._one_d_output else rows

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def fit(self, X, y, sample_weight=None):
        """Fit the ridge readout on the reservoir states.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Input sequences.
        y : array-like
            Targets: (n_samples,) or (n_samples, n_outputs) by default; per
            time step, laid out like X, with ``return_sequences=True`` (values
            after a sequence's end are ignored and may be NaN).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of every sequence (of each of its steps).

        Returns
        -------
        self : EchoStateRegressor
        """
        return self._fit(X, y, sample_weight, first_call=True, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def partial_fit(self, X, y, sample_weight=None):
        """Add sequences to the readout's sums and solve it again.

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences.
        y : array-like
            Targets, as for :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of every sequence.

        Returns
        -------
        self : EchoStateRegressor
        """
        first_call = not hasattr(self, "coef_")
        return self._fit(X, y, sample_weight, first_call, partial=True)

    def predict(self, X):
        """Predict with the fitted readout.

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences.

        Returns
        -------
        y : ndarray or list of ndarray
            One output per sequence, or per step with ``return_sequences=True``
            in the layout of X: an array with NaN after each sequence's end,
            or a list of arrays for a list.
        """
        rows, layout, dtype = self._decision_rows(X)
        return self._layout(self._outputs(rows, dtype), layout)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² on ``X`` and ``y``.

        With ``return_sequences=True`` R² is computed over all real
        (unpadded) steps, each weighted by its sequence's ``sample_weight``;
        ``y`` may take any per-step layout :meth:`fit` accepts.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.
        y : array-like or list of array-like
            True targets, per sequence or per step.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "coef_")
        if not self._fitted_params["return_sequences"]:
            return super().score(X, y, sample_weight)
        return self._score_steps(r2_score, X, y, sample_weight, self._outputs)

    def forecast(self, X, n_steps, covariates=None):
        """Run over contexts, then predict ``n_steps`` ahead in closed loop.

        Every prediction is fed back as the next input (on the model's
        standardised scale when ``standardize=True``). With one target per
        sequence the input window slides: the prediction is appended and the
        oldest step dropped. A forecast that leaves the range of the
        training targets by a large factor (more than twice the range's
        width beyond either end) is running away: a warning then names the
        usual remedies.

        Parameters
        ----------
        X : array-like or list of array-like
            Context sequence(s), as for :meth:`predict`; they are forecast
            together, each as if alone (to rounding).
        n_steps : int
            Number of steps to forecast, at least 1.
        covariates : array-like of shape (n_contexts, n_steps, n_covariates), \
                default=None
            Known future values of the covariates, for a model whose steps
            are ``[outputs, covariates]`` (``n_outputs_`` outputs first):
            each fed-back step is the prediction followed by that step's
            covariates. Step ``s`` holds the covariates that accompany the
            ``s``-th prediction; the last step is never read. 2D
            ``(n_contexts, n_steps)`` for one covariate.

        Returns
        -------
        y : ndarray of shape (n_contexts, n_steps) or \
                (n_contexts, n_steps, n_outputs)
            The first step is the prediction that follows the context.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import EchoStateRegressor
        >>> from skrnn.datasets import lag_windows
        >>> series = np.sin(np.arange(300) * 2 * np.pi / 25)
        >>> X, y = lag_windows(series, 25)
        >>> model = EchoStateRegressor(n_reservoir=100, random_state=0).fit(X, y)

        The context that ends at the last known value is the series' last
        25 steps (``X[-1:]`` ends one step earlier: its target is known):

        >>> model.forecast(series[np.newaxis, -25:], n_steps=5).shape
        (1, 5)
        """
        check_is_fitted(self, "coef_")
        if isinstance(n_steps, (bool, np.bool_)) or not isinstance(n_steps, Integral):
            raise ValueError(
                f"n_steps must be an integer >= 1, got {n_steps!r} "
                f"({type(n_steps).__name__})."
            )
        if n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}.")
        n_steps = int(n_steps)
        seqs, dtype = self._validate_X(X, reset=False)
        n, k = len(seqs.lengths), self.n_outputs_
        covariates = check_covariates(
            covariates, n, n_steps, k, self._n_step_features, np.float64
        )
        if covariates is not None and self._input_scaling is not None:
            # Covariates enter on the inputs' scale: the last features' statistics.
            scaling = self._input_scaling
            covariates = (covariates - scaling.mean[k:]) / scaling.scale[k:]
        # The result, its model-scale twin and a transposed copy.
        check_memory(
            3 * 8 * n * n_steps * k,
            f"forecast of {n} context(s) for n_steps={n_steps}",
            "lower n_steps, or forecast fewer contexts at a time",
        )
        progress = Progress(self.verbose, "Forecast", n_steps, "steps")
        # A forecast running away overflows: the warning below says so.
        with np.errstate(over="ignore", invalid="ignore"):
            if self._fitted_params["return_sequences"]:
                rows = self._forecast_states(seqs, n_steps, progress, covariates)
            else:
                rows = self._forecast_windows(seqs, n_steps, progress, covariates)
            result = self._to_targets(rows.reshape(-1, k)).reshape(n, n_steps, k)
        self._warn_if_running_away(result)
        result = result.astype(dtype, copy=False)
        return result[..., 0] if self._one_d_output else result

    def _to_targets(self, rows):
        scaling = self._target_scaling
        return rows if scaling is None else scaling.inverse_transform(rows)

    def _output_to_input(self):
        """``(g, h)`` with next input ``g * y + h`` for a model-scale output
        ``y``: the first ``n_outputs_`` input features (covariates follow)."""
        k = self.n_outputs_
        g, h = np.ones(k), np.zeros(k)
        if self._target_scaling is not None:
            g, h = self._target_scaling.scale.copy(), self._target_scaling.mean.copy()
        if self._input_scaling is not None:
            mean, scale = self._input_scaling.mean[:k], self._input_scaling.scale[:k]
            g = g / scale
            h = (h - mean) / scale
        return g, h

    def _forecast_windows(self, seqs, n_steps, progress, covariates=None):
        """Closed loop for a model of windows: slide each window by one step;
        the new step is the prediction, then the step's known covariates."""
        scaled = self._scale_inputs(seqs)
        window, lengths = scaled.values.copy(), scaled.lengths
        W_out = self._readout_matrix()
        g, h = self._output_to_input()
        out = np.empty((len(lengths), n_steps, W_out.shape[1]))
        for step in range(n_steps):
            y = self._features(Sequences(window, lengths), report=False) @ W_out
            out[:, step] = y
            progress(step + 1)
            if step == n_steps - 1:
                break
            last = g * y + h
            if covariates is not None:
                last = np.concatenate([last, covariates[:, step]], axis=1)
            slide_windows_(window, lengths, last)
        return out

    def _forecast_states(self, seqs, n_steps, progress, covariates=None):
        """Closed loop for a per-step model: the reservoir runs on."""
        fitted = self._fitted_params
        scaled = self._scale_inputs(seqs)
        values, lengths = scaled
        n = len(lengths)
        feedback_signal, previous = None, None
        if fitted["feedback"]:
            # Teacher forcing over the context: each step's target is the
            # next input, and after the last step the previous output is the
            # last input (none for a context of one step); both on the
            # targets' scale, as in training.
            targets = self._targets_of_inputs(seqs.values[..., : self.n_outputs_])
            feedback_signal = np.zeros_like(targets)
            feedback_signal[:, :-1] = targets[:, 1:]
            previous = np.where(
                (lengths > 1)[:, None], targets[np.arange(n), lengths - 1], 0.0
            )
        x, u = harvest(
            self.reservoir_,
            values,
            lengths,
            leak_rate=fitted["leak_rate"],
            feedback_signal=feedback_signal,
        )
        return run_closed_loop(
            self.reservoir_,
            x,
            u,
            previous,
            self._readout_matrix(),
            n_steps,
            fitted["leak_rate"],
            to_input=self._output_to_input(),
            covariates=covariates,
            progress=progress,
        )

    def _targets_of_inputs(self, values):
        """Raw inputs on the targets' (model) scale."""
        if self._target_scaling is None:
            return values
        return self._target_scaling.transform(values)

    def _warn_if_running_away(self, result):
        lo, hi = self._target_range
        middle, half = (hi + lo) / 2, np.maximum((hi - lo) / 2, np.finfo(float).tiny)
        distance = np.abs(result - middle) / half
        if np.all(distance <= _RUNAWAY_HALF_WIDTHS):  # False for NaN too
            return
        fitted = self._fitted_params
        extreme = result[np.isfinite(result)]
        reach = f"{np.abs(extreme).max():.3g}" if extreme.size else "inf"
        # The penalty does not reach the unpenalised input window.
        window = (
            f", or input_window=0 (the {self.input_window_} inputs the readout "
            "reads directly are not penalised)"
            if self.input_window_
            else ""
        )
        warnings.warn(
            f"The closed-loop forecast left the range of the training targets "
            f"([{lo.min():.3g}, {hi.max():.3g}]) by a large factor (values up "
            f"to {reach} in magnitude): it is running away. The usual remedies: "
            f"a larger alpha (alpha_ is {self.alpha_:.3g}), a smaller "
            f"spectral_radius (now {fitted['spectral_radius']}) or a smaller "
            f"input_scaling (now {fitted['input_scaling']}){window}.",
            UserWarning,
            stacklevel=3,
        )
