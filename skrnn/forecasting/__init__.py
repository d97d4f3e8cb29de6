"""Forecasting raw series with skrnn's regressors.

:class:`SeriesForecaster` turns a raw series (numpy or pandas, one or many)
into training windows for any skrnn regressor and its forecasts back into
values: invertible transforms, regular and seasonal differences, covariates
with known future values, the time index and conformal prediction intervals.
:func:`backtest` scores a forecaster from several past cutoffs, refitting on
each past, to choose its options without touching held-out data.
The closed loop itself stays in the regressors' ``forecast``.
"""

from skrnn.forecasting._backtest import backtest
from skrnn.forecasting._forecaster import SeriesForecaster

__all__ = ["SeriesForecaster", "backtest"]
