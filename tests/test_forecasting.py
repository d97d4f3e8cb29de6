"""SeriesForecaster: raw series in, forecasts and intervals out (issue 13)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skrnn import EchoStateRegressor, RNNRegressor
from skrnn.forecasting import SeriesForecaster, backtest
from skrnn.forecasting._transforms import TargetTransform

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _seasonal(n, start=0):
    t = np.arange(start, start + n)
    return 100 + t + 10 * np.sin(2 * np.pi * t / 12)


def _esn(**kwargs):
    return EchoStateRegressor(n_reservoir=50, random_state=0, **kwargs)


def _rnn(**kwargs):
    return RNNRegressor(
        cell="gru", hidden_layer_sizes=(8,), max_iter=5, random_state=0, **kwargs
    )


@pytest.mark.parametrize("transform", [None, "log", 0.5])
def test_transform_inverse_is_exact(transform):
    rng = np.random.RandomState(0)
    y = np.exp(rng.normal(size=(50, 2)).cumsum(axis=0) * 0.1) * 10
    chain = TargetTransform(transform, [12, 1, 1])
    levels = chain.levels(y)
    assert np.isnan(levels[-1][:13]).all() and not np.isnan(levels[-1][14:]).any()
    origins = np.array([20, 35, 40])
    horizon = 10
    # The true future of the last level, undone, is the true future of y.
    future = np.stack([levels[-1][o : o + horizon] for o in origins])
    expected = np.stack([y[o : o + horizon] for o in origins])
    np.testing.assert_allclose(chain.inverse(levels, origins, future), expected)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_trend_and_season_are_extrapolated(strategy):
    model = SeriesForecaster(
        _esn(), window_length=12, differences=1, strategy=strategy, horizon=12
    ).fit(_seasonal(120))
    forecast = model.predict(12)
    assert forecast.shape == (12,)
    np.testing.assert_allclose(forecast, _seasonal(12, start=120), atol=0.5)


def test_seasonal_difference_and_log():
    t = np.arange(96)
    y = np.exp(0.01 * t) * (10 + 3 * np.sin(2 * np.pi * t / 12))
    model = SeriesForecaster(
        _esn(),
        window_length=13,
        transform="log",
        seasonal_differences=1,
        seasonal_period=12,
    ).fit(y)
    t_next = np.arange(96, 108)
    expected = np.exp(0.01 * t_next) * (10 + 3 * np.sin(2 * np.pi * t_next / 12))
    np.testing.assert_allclose(model.predict(12), expected, rtol=0.02)
    with pytest.raises(ValueError, match="positive values"):
        model.fit(y - 20)


def test_return_sequences_regressor_continues_its_state():
    model = SeriesForecaster(
        _rnn(return_sequences=True), window_length=12, differences=1
    ).fit(_seasonal(60))
    forecast = model.predict(6)
    assert forecast.shape == (6,) and np.isfinite(forecast).all()
    assert model.regressor_.n_outputs_ == 1


def test_pandas_in_pandas_out():
    monthly = pd.period_range("2000-01", periods=60, freq="M")
    y = pd.Series(_seasonal(60), index=monthly, name="sales")
    model = SeriesForecaster(_esn(), differences=1, calibration_size=None).fit(y)
    forecast = model.predict(3)
    assert isinstance(forecast, pd.Series) and forecast.name == "sales"
    assert list(forecast.index) == list(pd.period_range("2005-01", periods=3, freq="M"))
    # The same forecast as numpy in, numpy out.
    np.testing.assert_allclose(forecast.to_numpy(), model.fit(y.to_numpy()).predict(3))
    dates = pd.date_range("2000-01-01", periods=60, freq="MS")
    frame = pd.DataFrame({"a": _seasonal(60), "b": _seasonal(60) * 2}, index=dates)
    out = model.fit(frame).predict(2)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b"]
    assert list(out.index) == list(pd.date_range("2005-01-01", periods=2, freq="MS"))
    gap = pd.date_range("2000-01-01", periods=61, freq="MS").delete(30)
    undated = pd.Series(_seasonal(60), index=gap)
    with pytest.raises(ValueError, match="no frequency"):
        model.fit(undated).predict(2)


def test_global_model_over_series_of_different_lengths():
    base = _seasonal(70)
    series = [base[:70], 1000 * base[:55]]
    model = SeriesForecaster(_esn(), differences=1).fit(series)
    assert model.n_series_ == 2
    small, large = model.predict(5)
    # Per-series scaling: the series 1000 times larger gets the forecast of
    # its shape, 1000 times larger.
    np.testing.assert_allclose(large / 1000, _seasonal(5, 55), atol=0.5)
    np.testing.assert_allclose(small, _seasonal(5, 70), atol=0.5)
    lower, upper = model.predict_interval(5)
    assert all(np.all(lo < hi) for lo, hi in zip(lower, upper))
    assert np.all((upper[1] - lower[1]) > (upper[0] - lower[0]))


def test_covariates_with_known_future():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(130, 1))
    y = 50 + 0.1 * np.arange(130) + 3 * x[:, 0]
    model = SeriesForecaster(_esn(), window_length=4, differences=1).fit(
        y[:120], X=x[:120]
    )
    forecast = model.predict(10, X=x[120:])
    np.testing.assert_allclose(forecast, y[120:], atol=0.2)
    # Without the covariates the same series is noise to the model.
    blind = SeriesForecaster(_esn(), window_length=4, differences=1).fit(y[:120])
    assert np.abs(blind.predict(10) - y[120:]).mean() > 1
    with pytest.raises(ValueError, match="future values"):
        model.predict(10)
    with pytest.raises(ValueError, match=r"shape \(10, 1\)"):
        model.predict(10, X=x[120:129])
    with pytest.raises(ValueError, match="without covariates"):
        blind.predict(10, X=x[120:])
    with pytest.raises(ValueError, match="every step of y"):
        model.fit(y[:120], X=x[:100])
    with pytest.raises(ValueError, match="takes no covariates"):
        SeriesForecaster(_esn(), strategy="direct", horizon=3).fit(y, X=x)


def test_intervals_cover_and_widen():
    rng = np.random.RandomState(0)
    y = 10 + rng.normal(size=200).cumsum() * 0.2 + rng.normal(size=200)
    model = SeriesForecaster(_esn(), window_length=6, calibration_size=60).fit(y[:170])
    point = model.predict(30)
    lower80, upper80 = model.predict_interval(30, coverage=0.8)
    lower95, upper95 = model.predict_interval(30, coverage=0.95)
    assert np.all(lower95 <= lower80) and np.all(lower80 < point)
    assert np.all(point < upper80) and np.all(upper80 <= upper95)
    inside = (lower95 <= y[170:]) & (y[170:] <= upper95)
    assert inside.mean() >= 0.8
    with pytest.raises(ValueError, match="calibrated up to 60 steps"):
        model.predict_interval(61)
    with pytest.raises(ValueError, match="coverage"):
        model.predict_interval(3, coverage=95)
    none = SeriesForecaster(_esn(), calibration_size=None).fit(y)
    assert none.scores_ is None
    with pytest.raises(ValueError, match="no intervals"):
        none.predict_interval(3)


def test_intervals_of_a_short_series_stay_bounded():
    # 24 points, and a first calibration copy trained on 12: 6 windows of 5
    # lags after the difference. Its unpenalised window fitted them exactly,
    # and its closed loop ran away (interval widths up to 1e11 here).
    rng = np.random.default_rng(1)
    y = 200 + 10 * np.arange(24) + rng.normal(0, 60, 24)
    model = SeriesForecaster(
        _esn(), window_length=5, differences=1, calibration_size=12
    ).fit(y)
    lower, upper = model.predict_interval(12)
    assert np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))
    assert np.max(upper - lower) < 5 * np.ptp(y)


def test_direct_horizon_bound():
    model = SeriesForecaster(_esn(), strategy="direct", horizon=4).fit(_seasonal(80))
    assert model.predict(3).shape == (3,)
    with pytest.raises(ValueError, match="at most horizon=4"):
        model.predict(5)


def test_sklearn_contract():
    model = SeriesForecaster(_rnn(), window_length=6, differences=1)
    params = model.get_params()
    assert params["regressor__cell"] == "gru"
    model.set_params(regressor__hidden_layer_sizes=(4,))
    copy = clone(model)
    assert copy.regressor is not model.regressor
    assert copy.get_params()["regressor__hidden_layer_sizes"] == (4,)
    fitted = model.fit(_seasonal(40))
    assert model.regressor.__dict__.get("params_") is None  # the regressor is cloned
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(4), fitted.predict(4))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"window_length": 0}, "window_length"),
        ({"strategy": "multi"}, "strategy"),
        ({"seasonal_differences": 1}, "seasonal_period"),
        ({"strategy": "direct"}, "set horizon"),
        ({"transform": "sqrt"}, "transform must be"),
        ({"window_length": 50}, "at least 51 values"),
        ({"regressor": object()}, "regressor"),
        ({"calibration_windows": 0}, "calibration_windows"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SeriesForecaster(
            **{"regressor": _esn(), "calibration_size": None, **params}
        ).fit(_seasonal(40))


def test_predict_errors():
    model = SeriesForecaster(_esn(), calibration_size=None).fit(_seasonal(40))
    for horizon in (0, 2.5, True):
        with pytest.raises(ValueError, match="horizon must be an integer"):
            model.predict(horizon)
    with pytest.raises(ValueError, match="must be one series"):
        model.fit(_seasonal(40)[:, None, None])


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_multivariate_series(strategy):
    y = np.column_stack([_seasonal(100), 3 * _seasonal(100) + 7])
    model = SeriesForecaster(
        _esn(), differences=1, strategy=strategy, horizon=6, calibration_size=12
    ).fit(y)
    forecast = model.predict(6)
    assert forecast.shape == (6, 2) and model.n_targets_ == 2
    truth = _seasonal(6, 100)
    np.testing.assert_allclose(
        forecast, np.column_stack([truth, 3 * truth + 7]), atol=1
    )
    lower, upper = model.predict_interval(6)
    assert lower.shape == upper.shape == (6, 2) and np.all(lower < upper)


def test_intervals_of_pandas_input_are_pandas():
    monthly = pd.period_range("2000-01", periods=60, freq="M")
    y = pd.Series(_seasonal(60), index=monthly)
    lower, upper = SeriesForecaster(_esn(), differences=1).fit(y).predict_interval(3)
    assert isinstance(lower, pd.Series) and isinstance(upper, pd.Series)
    assert list(upper.index) == list(pd.period_range("2005-01", periods=3, freq="M"))


def _noisy(n=90, seed=0):
    rng = np.random.RandomState(seed)
    return 10 + rng.normal(size=n).cumsum() * 0.2 + rng.normal(size=n)


def test_backtest_refits_on_each_past_only():
    y = _noisy()
    model = SeriesForecaster(_esn(), window_length=6, calibration_size=None)
    result = backtest(model, y, horizon=4, n_windows=3, step=5)
    np.testing.assert_array_equal(result.cutoffs, [76, 81, 86])
    for k, cutoff in enumerate(result.cutoffs):
        # Each window is the forecast of a model fitted on the past alone.
        alone = clone(model).fit(y[:cutoff]).predict(4)
        np.testing.assert_allclose(result.y_pred[k], alone)
        np.testing.assert_array_equal(result.y_true[k], y[cutoff : cutoff + 4])
    np.testing.assert_allclose(result.errors, result.y_pred - result.y_true)
    # Values after a cutoff never reach that window's forecast.
    changed = y.copy()
    changed[81:] += 100
    again = backtest(model, changed, horizon=4, n_windows=3, step=5)
    np.testing.assert_allclose(again.y_pred[:2], result.y_pred[:2])
    assert not np.allclose(again.y_pred[2], result.y_pred[2])


def test_backtest_of_many_series_covariates_and_intervals():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(80, 1))
    y = 50 + 0.1 * np.arange(80) + 3 * x[:, 0]
    model = SeriesForecaster(_esn(), window_length=4, differences=1)
    result = backtest(
        model, [y, y[:60]], horizon=3, n_windows=2, X=[x, x[:60]], coverage=0.8
    )
    assert [list(c) for c in result.cutoffs] == [[74, 77], [54, 57]]
    assert all(e.shape == (2, 3) for e in result.errors)
    # The covariates' future values reach the forecasts: they are close.
    assert np.abs(result.errors[0]).max() < 0.5
    lower, upper, pred = result.lower[1], result.upper[1], result.y_pred[1]
    assert np.all(lower < pred) and np.all(pred < upper)
    with pytest.raises(ValueError, match="need more than 17 values"):
        backtest(model, y[:17], horizon=5, n_windows=4, step=4)
    with pytest.raises(ValueError, match="n_windows must be"):
        backtest(model, y, horizon=3, n_windows=0)


def test_calibration_windows_refit_before_each_block():
    y, size = _noisy(), 12

    def first_errors(held):
        """Scaled errors of a model fitted without the last ``held`` points,
        forecasting from its own end: the first origin of its block."""
        past = y[:-held]
        model = SeriesForecaster(_esn(), window_length=6, calibration_size=None)
        error = model.fit(past).predict(held) - y[-held:]
        return np.abs(error) / np.abs(np.diff(past)).mean()

    def calibrated(windows):
        return SeriesForecaster(
            _esn(),
            window_length=6,
            calibration_size=size,
            calibration_windows=windows,
        ).fit(y)

    one, two = calibrated(1), calibrated(2)
    assert [len(s) for s in one.scores_] == [len(s) for s in two.scores_]
    assert [len(s) for s in two.scores_][:3] == [12, 11, 10]
    # The second block's first origin is forecast by a model refitted
    # without the last 6 points only: its errors are among the scores of
    # two windows, not of one.
    early, late = first_errors(size), first_errors(6)
    for h in range(6):
        assert np.isclose(one.scores_[h], early[h]).any()
        assert np.isclose(two.scores_[h], early[h]).any()
        assert np.isclose(two.scores_[h], late[h]).any()
        assert not np.isclose(one.scores_[h], late[h]).any()


def test_backtest_of_pandas_and_multivariate_series():
    monthly = pd.period_range("2000-01", periods=60, freq="M")
    y = pd.DataFrame({"a": _seasonal(60), "b": 2 * _seasonal(60)}, index=monthly)
    model = SeriesForecaster(_esn(), differences=1)
    result = backtest(model, y, horizon=3, n_windows=2, step=2)
    assert result.y_pred.shape == result.y_true.shape == (2, 3, 2)
    np.testing.assert_array_equal(result.y_true[0], y.to_numpy()[55:58])
    np.testing.assert_allclose(result.y_pred[:, :, 1], 2 * result.y_pred[:, :, 0])
