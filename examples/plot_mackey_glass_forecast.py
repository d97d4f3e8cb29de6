"""
Closed-loop forecasting of Mackey-Glass with an echo state network
==================================================================

The Mackey-Glass delay differential equation with delay 17 is chaotic: two
trajectories that start close drift apart exponentially, so every forecast
eventually fails, and the question is for how long it holds.

An :class:`~skrnn.EchoStateRegressor` learns the next value from a window of
the last 20 values (:func:`skrnn.datasets.lag_windows`). Its
:meth:`~skrnn.EchoStateRegressor.forecast` then runs in closed loop: each
prediction is appended to the window and fed back as input, with no further
access to the truth.
"""

# %%
# The series and the lag windows
# ------------------------------
import matplotlib.pyplot as plt
import numpy as np

from skrnn import EchoStateRegressor
from skrnn.datasets import lag_windows, mackey_glass

series = mackey_glass(3000)  # squashed into (-1, 1); Jaeger's set-up
n_train, n_lags = 2000, 20
X_train, y_train = lag_windows(series[:n_train], n_lags=n_lags)
print(X_train.shape, y_train.shape)

# %%
# Fit
# ---
# The readout is a ridge regression on the reservoir state after each
# window: one linear solve, no epochs. Its penalty is chosen from the data
# (generalized cross-validation); this noise-free series gets a tiny one.
esn = EchoStateRegressor(n_reservoir=300, random_state=0)
esn.fit(X_train, y_train)
print(f"penalty chosen: alpha_ = {esn.alpha_:.0e}")
X_test, y_test = lag_windows(series[n_train - n_lags :], n_lags=n_lags)
print(f"one-step R^2 on the test windows: {esn.score(X_test, y_test):.5f}")

# %%
# A forecast against the truth
# ----------------------------
# The context is the last window of the training data; the next 300 values
# are predicted in closed loop.
horizon = 300
context = series[n_train - n_lags : n_train][np.newaxis, :]
forecast = esn.forecast(context, n_steps=horizon)[0]
truth = series[n_train : n_train + horizon]

steps = np.arange(1, horizon + 1)
fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
past = series[n_train - 100 : n_train]
ax.plot(np.arange(-100, 0), past, color="0.5", label="context")
ax.plot(steps, truth, color="k", label="truth")
ax.plot(steps, forecast, color="tab:red", linestyle="--", label="closed-loop forecast")
ax.axvline(0, color="0.7", linewidth=1)
ax.set_xlabel("steps after the end of the training data")
ax.set_ylabel("x(t)")
fig.legend(loc="outside upper center", ncols=3)
plt.show()

# %%
# How the error grows with the horizon
# ------------------------------------
# Forecast from 40 contexts spread over the test part at once (one window per
# row) and average the squared error at every step of the horizon, relative
# to the spread of the series (NRMSE; 1 is the error of predicting the mean).
# The error grows roughly exponentially, a rising line on the logarithmic
# scale, as expected of a chaotic system: from about 1e-5 one step ahead to
# about 1e-2 after 300 steps, and on, over longer horizons, until the
# forecast is no better than the mean.
starts = np.arange(n_train, n_train + 40 * 15, 15)
contexts = np.stack([series[s - n_lags : s] for s in starts])
forecasts = esn.forecast(contexts, n_steps=horizon)
truths = np.stack([series[s : s + horizon] for s in starts])
rmse = np.sqrt(np.mean((forecasts - truths) ** 2, axis=0))
nrmse = rmse / series.std()

fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
ax.semilogy(steps, nrmse, color="tab:red")
ax.axhline(1.0, color="0.5", linestyle=":", label="error of predicting the mean")
ax.set_xlabel("forecast horizon (steps)")
ax.set_ylabel("NRMSE over 40 forecasts")
ax.legend(loc="lower right")
plt.show()

for h in (1, 50, 100, 200, 300):
    print(f"horizon {h:3d}: NRMSE {nrmse[h - 1]:.4f}")
