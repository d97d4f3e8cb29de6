"""Forecasting raw series with skrnn's regressors.

:class:`SeriesForecaster` turns a raw series (numpy or pandas, one or many)
into training windows for any skrnn regressor and its forecasts back into
values: invertible transforms, regular and seasonal differences, covariates
with known future values, the time index and conformal prediction intervals.
The closed loop itself stays in the regressors' ``forecast``.
"""

from skrnn.forecasting._forecaster import SeriesForecaster

__all__ = ["SeriesForecaster"]
