"""SeriesForecaster: any skrnn regressor from a raw series to a forecast."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from skrnn.forecasting._conformal import conformal_quantiles, series_scale
from skrnn.forecasting._index import split_series
from skrnn.forecasting._transforms import TargetTransform, check_transform
from skrnn.forecasting._windows import input_steps, training_windows

__all__ = ["SeriesForecaster"]


def _is_collection(y):
    """A list or tuple of series (a global model), not one series as a list
    of numbers."""
    return isinstance(y, (list, tuple)) and len(y) > 0 and np.ndim(y[0]) >= 1


def _check_count(value, name="horizon", minimum=1):
    """An integer ``>= minimum`` (a horizon, a number of windows)."""
    if (
        not isinstance(value, (Integral, np.integer))
        or isinstance(value, (bool, np.bool_))
        or value < minimum
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _check_coverage(coverage):
    if not isinstance(coverage, Real) or not 0 < coverage < 1:
        raise ValueError(f"coverage must be a float in (0, 1), got {coverage!r}.")
    return coverage


class _Series:
    """One training series as the forecaster sees it: its values, layout,
    covariates, transform levels and the standardisation of its last level."""

    def __init__(self, values, layout, covariates, transform, stats=None):
        self.values, self.layout, self.covariates = values, layout, covariates
        self.levels = transform.levels(values)
        self.start = transform.offset
        last = self.levels[-1]
        if stats is None:
            # Per-series statistics put the series of a global model on one
            # scale; for a single series the regressor's own standardisation
            # would do the same.
            defined = last[self.start :]
            mean = defined.mean(axis=0)
            scale = defined.std(axis=0)
            stats = mean, np.where(scale > 0, scale, 1.0)
        self.stats = stats
        self.z = (last - stats[0]) / stats[1]

    def steps(self, next_covariates=None):
        return input_steps(self.z, self.covariates, next_covariates)

    def to_values(self, origins, forecast, transform):
        """Forecasts of the last level at ``origins`` on the series' scale."""
        mean, scale = self.stats
        return transform.inverse(self.levels, origins, forecast * scale + mean)


class SeriesForecaster(BaseEstimator):
    """Forecast a raw series with any skrnn regressor.

    Turns one series (or many, for a global model) into training windows and
    forecasts back into values: an invertible transform (log or Box-Cox),
    seasonal and regular differences and a per-series standardisation are
    applied before training and undone after forecasting, so that a
    trending, seasonal series extrapolates its trend and its season.
    Covariates with known future values (calendar, prices) enter every step;
    pandas input gives forecasts indexed by the periods that follow.

    The recursive strategy trains the regressor to predict the next value
    and forecasts with its closed loop (:meth:`RNNRegressor.forecast
    <skrnn.RNNRegressor.forecast>`: all series' contexts in one batch); the
    direct strategy trains it to predict the next ``horizon`` values at once.
    Prediction intervals are split-conformal: copies of the regressor
    trained without the last ``calibration_size`` points of every series (or
    without their later parts, ``calibration_windows``) forecast them from
    every origin, and their errors per horizon step set the intervals'
    widths (pooled over the steps, each step's errors divided by their
    median: see ``skrnn/forecasting/_conformal.py``).

    Parameters
    ----------
    regressor : estimator, default=None
        A regressor of sequences, such as :class:`~skrnn.RNNRegressor` or
        :class:`~skrnn.EchoStateRegressor` (cloned before fitting). With the
        recursive strategy it needs ``forecast``; one trained with
        ``return_sequences=True`` learns the next value at every step of a
        window and forecasts by continuing its state. None is
        ``EchoStateRegressor(n_reservoir=200, random_state=0)``.
    window_length : int, default=12
        Number of past steps each prediction reads.
    transform : None, "log" or float, default=None
        Applied to the values first: "log" for a series whose seasonal
        swings grow with its level (it must be positive), a float for the
        Box-Cox transform with that lambda.
    differences : int, default=0
        Number of regular (lag 1) differences, taken after the seasonal
        ones; 1 removes a trend.
    seasonal_differences : int, default=0
        Number of differences at lag ``seasonal_period``; 1 removes a stable
        seasonal pattern.
    seasonal_period : int, default=None
        The season's length (12 for monthly data with a yearly season);
        needed by ``seasonal_differences``.
    strategy : {"recursive", "direct"}, default="recursive"
        "recursive" predicts one step and feeds it back; "direct" predicts
        ``horizon`` steps at once (no error feedback, no covariates).
    horizon : int, default=None
        The number of values a direct model predicts at once (the longest
        forecast it makes); needed by ``strategy="direct"``.
    calibration_size : int, "auto" or None, default="auto"
        Points held out at the end of every series to calibrate the
        intervals; also the longest horizon of :meth:`predict_interval`.
        "auto" is a fifth of the shortest series, at least ``horizon`` for
        a direct model. None trains no calibration model (half the fitting
        time) and has no intervals.
    calibration_windows : int, default=1
        Number of copies of the regressor the intervals are calibrated with,
        a rolling-origin backtest: the origins of the calibration part are
        split into this many consecutive blocks, and each block is forecast
        by a copy trained on everything before it. 1 trains one copy
        without the whole calibration part; more copies see more of the
        series (errors closer to those of the final model) at the price of
        one fit each.

    Attributes
    ----------
    regressor_ : estimator
        The regressor trained on every window of every series.
    n_series_ : int
        Number of series (1 unless ``y`` was a list).
    n_targets_ : int
        Number of variables per series.
    n_covariates_ : int
        Number of covariates per step (0 without ``X``).
    scores_ : list of ndarray of shape (n_h, n_targets)
        Calibration scores per horizon step: absolute errors divided by the
        mean absolute one-step change of their series (None without
        calibration).

    See Also
    --------
    backtest : Rolling-origin evaluation of a forecaster.
    skrnn.RNNRegressor.forecast : The closed loop the recursive strategy uses.
    skrnn.EchoStateRegressor.forecast : The same for the echo state network.

    References
    ----------
    Vovk, V., Gammerman, A. and Shafer, G. (2005). Algorithmic Learning in a
    Random World. Springer.

    Taieb, S. B., Bontempi, G., Atiya, A. F. and Sorjamaa, A. (2012). A
    review and comparison of strategies for multi-step ahead time series
    forecasting. Expert Systems with Applications, 39(8).

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import EchoStateRegressor
    >>> from skrnn.forecasting import SeriesForecaster
    >>> t = np.arange(120)
    >>> y = 100 + t + 10 * np.sin(2 * np.pi * t / 12)  # trend and season
    >>> model = SeriesForecaster(EchoStateRegressor(n_reservoir=50, random_state=0),
    ...                          window_length=12, differences=1).fit(y)
    >>> forecast = model.predict(12)
    >>> expected = 100 + np.arange(120, 132) + 10 * np.sin(2 * np.pi * np.arange(120, 132) / 12)
    >>> bool(np.abs(forecast - expected).max() < 1)
    True
    >>> lower, upper = model.predict_interval(12, coverage=0.9)
    >>> bool(np.all(lower <= forecast) and np.all(forecast <= upper))
    True
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "transform": "no_validation",
        "differences": [Interval(Integral, 0, None, closed="left")],
        "seasonal_differences": [Interval(Integral, 0, None, closed="left")],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "strategy": [StrOptions({"recursive", "direct"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "calibration_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "calibration_windows": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        regressor=None,
        *,
        window_length=12,
        transform=None,
        differences=0,
        seasonal_differences=0,
        seasonal_period=None,
        strategy="recursive",
        horizon=None,
        calibration_size="auto",
        calibration_windows=1,
    ):
        self.regressor = regressor
        self.window_length = window_length
        self.transform = transform
        self.differences = differences
        self.seasonal_differences = seasonal_differences
        self.seasonal_period = seasonal_period
        self.strategy = strategy
        self.horizon = horizon
        self.calibration_size = calibration_size
        self.calibration_windows = calibration_windows

    # -- fitting ---------------------------------------------------------

    def _check_options(self):
        check_transform(self.transform)
        if self.seasonal_differences and self.seasonal_period is None:
            raise ValueError(
                f"seasonal_differences={self.seasonal_differences} needs the "
                "season's length: set seasonal_period (12 for monthly data with "
                "a yearly season, for instance)."
            )
        if self.strategy == "direct" and self.horizon is None:
            raise ValueError(
                "strategy='direct' predicts horizon values at once: set horizon "
                "(the longest forecast the model will make)."
            )
        lags = [self.seasonal_period] * self.seasonal_differences
        return TargetTransform(self.transform, lags + [1] * self.differences)

    def _regressor(self):
        if self.regressor is None:
            from skrnn import EchoStateRegressor

            return EchoStateRegressor(n_reservoir=200, random_state=0)
        return clone(self.regressor)

    def _targets(self):
        if self.strategy == "direct":
            return "direct"
        params = self.regressor_.get_params() if hasattr(self, "regressor_") else {}
        return "steps" if params.get("return_sequences", False) else "next"

    def _read(self, y, X):
        """The training series, their layouts and covariates, checked."""
        collection = _is_collection(y)
        ys = list(y) if collection else [y]
        if X is None:
            Xs = [None] * len(ys)
        else:
            if collection != _is_collection(X) or (collection and len(X) != len(ys)):
                raise ValueError(
                    "X must hold the covariates of every series of y: "
                    + (
                        f"a list of {len(ys)} arrays."
                        if collection
                        else "one array of shape (n_timesteps, n_covariates)."
                    )
                )
            Xs = list(X) if collection else [X]
        series = []
        for i, (values, covariates) in enumerate(zip(ys, Xs)):
            name = f"y[{i}]" if collection else "y"
            values, layout = split_series(values, name)
            if covariates is not None:
                covariates = _check_covariates(
                    covariates, len(values), f"X[{i}]" if collection else "X"
                )
            series.append((values, layout, covariates))
        targets = {s[0].shape[1] for s in series}
        covs = {0 if s[2] is None else s[2].shape[1] for s in series}
        if len(targets) > 1 or len(covs) > 1:
            raise ValueError(
                "Every series of y must have the same number of variables, and "
                "every array of X the same number of covariates."
            )
        return collection, series

    def _windows(self, series, transform):
        """The prepared series and all their training windows."""
        prepared, Xs, Ys = [], [], []
        for i, (values, layout, covariates) in enumerate(series):
            transform.check(values, "y" if len(series) == 1 else f"y[{i}]")
            s = _Series(values, layout, covariates, transform)
            prepared.append(s)
            X, Y = training_windows(
                s.steps(),
                s.z,
                s.start,
                self.window_length,
                self._targets(),
                self.horizon or 1,
            )
            if X is not None:
                Xs.append(X)
                Ys.append(Y)
        if not Xs:
            raise ValueError(
                f"No series of y is long enough for one training window: with "
                f"window_length={self.window_length}, {transform.offset} step(s) "
                "lost to differencing"
                + (f" and horizon={self.horizon}" if self.strategy == "direct" else "")
                + ", a series needs at least "
                f"{transform.offset + self.window_length + (self.horizon or 1)} "
                f"values (the longest has {max(len(s[0]) for s in series)})."
            )
        X, Y = np.concatenate(Xs), np.concatenate(Ys)
        if X.shape[2] == 1 and self._targets() != "steps":
            X = X[..., 0]  # univariate windows: sklearn's 2D layout
        if Y.ndim == 2 and Y.shape[1] == 1 and self._targets() == "next":
            Y = Y[:, 0]
        if Y.ndim == 3 and Y.shape[2] == 1:
            Y = Y[..., 0]
        return prepared, X, Y

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, y, X=None):
        """Train the regressor on the windows of ``y`` (and calibrate).

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_targets), \
                pandas Series or DataFrame, or list of those
            The series, oldest value first; a list of series (of any
            lengths) trains one global model. A pandas index (DatetimeIndex
            with a frequency, PeriodIndex, integers) indexes the forecasts.
        X : array-like of shape (n_timesteps, n_covariates), or list, \
                default=None
            Covariates at every step of ``y`` (a list for a list ``y``); then
            forecasts need their future values.

        Returns
        -------
        self : SeriesForecaster
        """
        transform = self._check_options()
        self.regressor_ = self._regressor()
        if self.strategy == "recursive" and not hasattr(self.regressor_, "forecast"):
            raise ValueError(
                "strategy='recursive' forecasts with the regressor's closed loop, "
                f"but {type(self.regressor_).__name__} has no forecast method; "
                "use a skrnn regressor or strategy='direct'."
            )
        collection, series = self._read(y, X)
        if self.strategy == "direct" and series[0][2] is not None:
            raise ValueError(
                "strategy='direct' predicts the next horizon values from the "
                "past alone and takes no covariates; use strategy='recursive'."
            )
        self._collection = collection
        self.n_series_ = len(series)
        self.n_targets_ = series[0][0].shape[1]
        self.n_covariates_ = 0 if series[0][2] is None else series[0][2].shape[1]
        self._transform = transform
        self._series, Xw, Yw = self._windows(series, transform)
        self.regressor_.fit(Xw, Yw)
        self.scores_ = self._calibrate(series, transform)
        return self

    def _calibration_size(self, series):
        if self.calibration_size is None:
            return None
        shortest = min(len(values) for values, _, _ in series)
        if self.calibration_size == "auto":
            return max(shortest // 5, self.horizon or 1, 1)
        return self.calibration_size

    def _calibrate(self, series, transform):
        """Calibration scores of a rolling-origin backtest over the last
        ``calibration_size`` points of every series.

        The origins among those points are split into
        ``calibration_windows`` consecutive blocks; a copy of the regressor
        trained on everything before a block forecasts from every origin in
        it, so that each error comes from a model that never saw its target
        (nor any later value)."""
        size = self._calibration_size(series)
        if size is None:
            return None
        horizon = self.horizon if self.strategy == "direct" else size
        windows = min(self.calibration_windows, size)
        # Points held out before each block, from the whole calibration part
        # down to none: block k's origins lie between ends[k] and ends[k + 1]
        # points before the end of every series.
        ends = np.linspace(size, 0, windows + 1).round().astype(int)
        scores = [[] for _ in range(horizon)]
        for held, after in zip(ends[:-1], ends[1:]):
            model, parts = self._fit_truncated(series, transform, held, size)
            for (values, layout, cov), part in zip(series, parts):
                # The whole series, on the scale of the model trained without
                # its end.
                full = _Series(values, layout, cov, transform, part.stats)
                first = max(len(values) - held, full.start + self.window_length)
                origins = np.arange(first, len(values) - after)
                if len(origins) == 0:
                    continue
                forecast = self._forecast(model, full, origins, horizon, cov)
                truth_scale = series_scale(part.values)
                for h in range(horizon):
                    ok = origins + h < len(values)
                    if ok.any():
                        error = forecast[ok, h] - values[origins[ok] + h]
                        scores[h].append(np.abs(error) / truth_scale)
        if not scores[0]:
            raise ValueError(
                f"calibration_size={size} leaves no origin to calibrate from "
                f"(a forecast needs window_length={self.window_length} steps of "
                "context); raise it, or set it to None for no intervals."
            )
        return [np.concatenate(s) for s in scores if s]

    def _fit_truncated(self, series, transform, held, size):
        """A copy of the regressor trained without the last ``held`` points
        of every series, and those shortened series prepared."""
        truncated = [
            (values[:-held], layout, None if cov is None else cov[:-held])
            for values, layout, cov in series
        ]
        if any(len(v) <= transform.offset + 1 for v, _, _ in truncated):
            raise ValueError(
                f"calibration_size={size} leaves too little of the shortest series "
                "to train on; lower it, or set it to None for no intervals."
            )
        try:
            parts, Xw, Yw = self._windows(truncated, transform)
        except ValueError as error:
            raise ValueError(
                f"Without its last calibration_size={size} points, {error} "
                "Lower calibration_size, or set it to None for no intervals."
            ) from None
        return clone(self.regressor_).fit(Xw, Yw), parts

    # -- forecasting -----------------------------------------------------

    def _forecast(self, model, series, origins, horizon, covariates=None):
        """Forecasts ``(len(origins), horizon, d)`` of ``series.values``
        from each origin (``values[:origin]`` known), with the covariates
        known at every step (edge-padded beyond the array, where no forecast
        is compared with a value)."""
        w = self.window_length
        steps = series.steps()
        contexts = np.stack([steps[o - w : o] for o in origins])
        future = None
        if covariates is not None:
            # Fed-back step s is [ẑ_{o+s}, c_{o+s+1}]; the last is never read.
            index = origins[:, np.newaxis] + np.arange(1, horizon + 1)
            future = covariates[np.minimum(index, len(covariates) - 1)]
        z = self._model_forecast(model, contexts, horizon, future)
        return series.to_values(origins, z, self._transform)

    def _model_forecast(self, model, contexts, horizon, covariates=None):
        """The model's forecast of the last level, ``(n, horizon, d)``."""
        d = self.n_targets_
        if contexts.shape[2] == 1 and self._targets() != "steps":
            contexts = contexts[..., 0]  # univariate windows: sklearn's 2D layout
        if self.strategy == "direct":
            z = model.predict(contexts).reshape(len(contexts), -1, d)
            return z[:, :horizon]
        z = model.forecast(contexts, horizon, covariates=covariates)
        return z.reshape(len(contexts), horizon, d)

    def _check_future(self, X, horizon):
        """Future covariates as a list of ``(horizon, C)`` arrays."""
        if self.n_covariates_ == 0:
            if X is not None:
                raise ValueError(
                    "X was given to predict, but the model was fitted without "
                    "covariates."
                )
            return [None] * self.n_series_
        if X is None:
            raise ValueError(
                f"The model was fitted with {self.n_covariates_} covariate(s): "
                f"predict needs their known future values, X of shape "
                f"(horizon, {self.n_covariates_})"
                + (" for every series (a list)." if self._collection else ".")
            )
        Xs = list(X) if self._collection else [X]
        if self._collection and (not _is_collection(X) or len(Xs) != self.n_series_):
            raise ValueError(
                f"X must be a list of {self.n_series_} arrays of future covariates, "
                "one per series."
            )
        out = []
        for i, future in enumerate(Xs):
            name = f"X[{i}]" if self._collection else "X"
            future = _check_covariates(future, None, name)
            if future.shape != (horizon, self.n_covariates_):
                raise ValueError(
                    f"{name} has shape {future.shape}, but a forecast of horizon="
                    f"{horizon} needs the covariates at every forecast step: "
                    f"shape ({horizon}, {self.n_covariates_})."
                )
            out.append(future)
        return out

    def _predict_values(self, horizon, X):
        check_is_fitted(self, "regressor_")
        horizon = _check_count(horizon)
        if self.strategy == "direct" and horizon > self.horizon:
            raise ValueError(
                f"This direct model predicts at most horizon={self.horizon} steps; "
                f"{horizon} were asked for. Refit it with a larger horizon."
            )
        futures = self._check_future(X, horizon)
        w = self.window_length
        contexts, origins, covariates = [], [], []
        for series, future in zip(self._series, futures):
            origin = len(series.values)
            if origin - series.start < w:
                raise ValueError(
                    f"A series of {origin} values leaves fewer than window_length={w} "
                    "steps to forecast from."
                )
            steps = series.steps(None if future is None else future[0])
            contexts.append(steps[origin - w :])
            origins.append(origin)
            if future is not None:
                # Fed-back step s carries the covariates of step s + 1.
                covariates.append(np.concatenate([future[1:], future[-1:]]))
        z = self._model_forecast(
            self.regressor_,
            np.stack(contexts),
            horizon,
            np.stack(covariates) if covariates else None,
        )
        return [
            series.to_values(np.array([origin]), z[i : i + 1], self._transform)[0]
            for i, (series, origin) in enumerate(zip(self._series, origins))
        ]

    def _wrap(self, per_series):
        out = [s.layout.wrap(v) for s, v in zip(self._series, per_series)]
        return out if self._collection else out[0]

    def predict(self, horizon, X=None):
        """Forecast the ``horizon`` values after the end of every series.

        Parameters
        ----------
        horizon : int
            Number of steps ahead.
        X : array-like of shape (horizon, n_covariates), or list, \
                default=None
            The covariates' known values at the forecast steps (a list of
            them for a list ``y``); needed when the model was fitted with
            covariates.

        Returns
        -------
        y_pred : ndarray of shape (horizon,) or (horizon, n_targets), pandas \
                Series or DataFrame, or list of those
            In the layout of ``y`` at fit time; pandas objects are indexed
            by the periods that follow the training index.
        """
        return self._wrap(self._predict_values(horizon, X))

    def predict_interval(self, horizon, X=None, coverage=0.8):
        """Split-conformal prediction intervals around :meth:`predict`.

        Parameters
        ----------
        horizon : int
            Number of steps ahead, at most the calibration size.
        X : array-like, or list, default=None
            Future covariates, as for :meth:`predict`.
        coverage : float in (0, 1), default=0.8
            Probability that each future value lies in its interval.

        Returns
        -------
        lower, upper : ndarray, pandas Series or DataFrame, or list of those
            Bounds in the layout of :meth:`predict`.
        """
        check_is_fitted(self, "regressor_")
        _check_coverage(coverage)
        if self.scores_ is None:
            raise ValueError(
                "This model was fitted with calibration_size=None and has no "
                "intervals; refit with calibration_size='auto' or an integer."
            )
        quantiles = conformal_quantiles(self.scores_, coverage, _check_count(horizon))
        lower, upper = [], []
        for series, point in zip(self._series, self._predict_values(horizon, X)):
            width = quantiles * series_scale(series.values)
            lower.append(point - width)
            upper.append(point + width)
        return self._wrap(lower), self._wrap(upper)


def _check_covariates(X, n_timesteps, input_name):
    """Covariates ``(n_timesteps, C)`` as float64."""
    X = check_array(
        X.to_numpy() if hasattr(X, "to_numpy") else X,
        ensure_2d=False,
        dtype=np.float64,
        input_name=input_name,
    )
    X = X.reshape(len(X), -1) if X.ndim == 1 else X
    if X.ndim != 2:
        raise ValueError(
            f"{input_name} must be 2D (n_timesteps, n_covariates), got shape {X.shape}."
        )
    if n_timesteps is not None and len(X) != n_timesteps:
        raise ValueError(
            f"{input_name} has {len(X)} steps but its series has {n_timesteps}: "
            "covariates need a value at every step of y."
        )
    return X
