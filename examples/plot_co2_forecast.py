"""
Forecasting the Mauna Loa CO₂ record three years ahead
======================================================

The atmospheric CO₂ concentration measured at Mauna Loa, Hawaii, from 1958
to 2001 (weekly means, in parts per million), ships with statsmodels as
``statsmodels.datasets.co2``: nothing is downloaded. The series rises and
swings with a yearly season, the textbook case of a trend plus a season.

:class:`~skrnn.forecasting.SeriesForecaster` differences it once, trains an
:class:`~skrnn.EchoStateRegressor` on windows of the differences, forecasts
the last 36 months in closed loop and adds split-conformal prediction
intervals. The baseline is the seasonal naive forecast: the last observed
year, repeated.
"""

# %%
# The data
# --------
# Weekly means with a few missing weeks: monthly means, the remaining gaps
# filled by linear interpolation. The last 36 months are held out.
import matplotlib.pyplot as plt
import numpy as np
from statsmodels.datasets import co2

from skrnn import EchoStateRegressor
from skrnn.forecasting import SeriesForecaster

weekly = co2.load_pandas().data["co2"]
y = weekly.resample("MS").mean().interpolate()
horizon = 36
train, test = y[:-horizon], y[-horizon:]
print(f"{len(y)} months, {y.index[0]:%Y-%m} to {y.index[-1]:%Y-%m}")

# %%
# The forecaster
# --------------
# One regular difference removes the trend; the reservoir reads the last 24
# monthly changes and predicts the next one. ``calibration_size=36`` holds
# out the last 36 months of the training part to calibrate intervals up to
# 36 steps ahead. The forecast is a pandas Series indexed by the months that
# follow the training data.
model = SeriesForecaster(
    EchoStateRegressor(n_reservoir=200, random_state=0),
    window_length=24,
    differences=1,
    calibration_size=horizon,
)
model.fit(train)
forecast = model.predict(horizon)
lower, upper = model.predict_interval(horizon, coverage=0.8)

# The seasonal naive forecast: the last 12 observed months, repeated.
last_year = train[-12:].to_numpy()
seasonal_naive = np.tile(last_year, horizon // 12)


def rmse(pred):
    return float(np.sqrt(np.mean((np.asarray(pred) - test.to_numpy()) ** 2)))


inside = np.mean((test >= lower) & (test <= upper))
print(f"echo state network RMSE {rmse(forecast):.2f} ppm")
print(f"seasonal naive     RMSE {rmse(seasonal_naive):.2f} ppm")
print(f"held-out months inside the 80% interval: {inside:.0%}")

# %%
# The forecast against the held-out truth
# ---------------------------------------
# The seasonal naive forecast has the season right but not the trend: it
# falls further behind every year. The network continues both.
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
recent = train["1994":]
ax.plot(recent.index, recent, color="0.6", label="training data")
ax.plot(test.index, test, color="k", label="held-out truth")
ax.fill_between(
    forecast.index, lower, upper, color="tab:blue", alpha=0.25, label="80% interval"
)
ax.plot(forecast.index, forecast, color="tab:blue", label="echo state network")
ax.plot(
    test.index,
    seasonal_naive,
    color="tab:orange",
    linestyle=":",
    label="seasonal naive",
)
ax.set_ylabel("CO₂ (ppm)")
ax.legend(loc="upper left", fontsize="small")
plt.show()
