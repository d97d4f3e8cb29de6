"""skrnn regressors inside skforecast and sktime (issue 13).

Both libraries build the lag windows, the differencing and the inverse
themselves and hand a scikit-learn regressor 2D lag matrices; a skrnn
regressor must work there unchanged. The series is trending and seasonal,
so a model that ignored the differencing, or read the lags wrongly, would
not beat the mean of the training data.
"""

import numpy as np
import pytest

from skrnn import EchoStateRegressor, RNNRegressor

pd = pytest.importorskip("pandas")

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # sktime's notice of a future default, not about this use.
    pytest.mark.filterwarnings("ignore:The default of config:FutureWarning"),
]

N, H = 96, 12


def _series():
    t = np.arange(N + H)
    values = 100 + 0.8 * t + 8 * np.sin(2 * np.pi * t / 12)
    index = pd.period_range("2000-01", periods=N + H, freq="M")
    return pd.Series(values, index=index, name="y")


def _regressors():
    return [
        EchoStateRegressor(n_reservoir=50, random_state=0),
        RNNRegressor(
            cell="gru",
            hidden_layer_sizes=(8,),
            max_iter=30,
            learning_rate_init=1e-2,
            random_state=0,
        ),
    ]


def _check(forecast, truth):
    forecast = np.asarray(forecast, dtype=float)
    assert forecast.shape == (H,) and np.isfinite(forecast).all()
    rmse = np.sqrt(np.mean((forecast - truth) ** 2))
    series = _series().to_numpy()
    # The trend carried on: far better than the training mean, and better
    # than the naive forecast (the last value repeated).
    training_mean = np.sqrt(np.mean((series[:N].mean() - truth) ** 2))
    last_value = np.sqrt(np.mean((series[N - 1] - truth) ** 2))
    assert rmse < 0.8 * last_value, (rmse, last_value)
    assert rmse < 0.2 * training_mean, (rmse, training_mean)


@pytest.mark.parametrize("regressor", _regressors(), ids=["esn", "rnn"])
def test_skforecast_forecaster_recursive_with_differentiation(regressor):
    recursive = pytest.importorskip("skforecast.recursive")
    y = _series()
    forecaster = recursive.ForecasterRecursive(regressor, lags=12, differentiation=1)
    forecaster.fit(y=y[:N].reset_index(drop=True))
    forecast = forecaster.predict(steps=H)
    _check(forecast, y[N:].to_numpy())


@pytest.mark.parametrize("regressor", _regressors(), ids=["esn", "rnn"])
def test_sktime_reduction_with_log_and_differences(regressor):
    pytest.importorskip("sktime")
    from sktime.forecasting.compose import (
        TransformedTargetForecaster,
        make_reduction,
    )
    from sktime.transformations.series.boxcox import LogTransformer
    from sktime.transformations.series.difference import Differencer

    y = _series()
    forecaster = TransformedTargetForecaster(
        [
            ("log", LogTransformer()),
            ("diff", Differencer(lags=1)),
            (
                "model",
                make_reduction(regressor, window_length=12, strategy="recursive"),
            ),
        ]
    )
    forecaster.fit(y[:N])
    forecast = forecaster.predict(fh=list(range(1, H + 1)))
    assert list(forecast.index) == list(y.index[N:])
    _check(forecast, y[N:].to_numpy())
