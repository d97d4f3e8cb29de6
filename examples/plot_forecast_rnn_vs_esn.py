"""
Multi-step forecasting: a trained RNN and an echo state network side by side
============================================================================

``RNNRegressor`` and ``EchoStateRegressor`` share the forecasting API: both
learn one-step-ahead prediction from lag windows of a series, and both
``forecast(X, n_steps)`` in closed loop, feeding each prediction back as the
next input. So one script can swap one model for the other.

The series is seasonal: a daily profile of 24 steps (a fundamental and its
first harmonic, as in an electricity load curve) with noise.
"""

# %%
# Data: lag windows of a seasonal series
# --------------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np

from skrnn import EchoStateRegressor, RNNRegressor
from skrnn.datasets import lag_windows

rng = np.random.RandomState(0)
t = np.arange(2000)
series = (
    np.sin(2 * np.pi * t / 24)
    + 0.4 * np.sin(4 * np.pi * t / 24 + 1)
    + 0.05 * rng.normal(size=t.size)
)
train, test = series[:1800], series[1800:]
WINDOW, HORIZON = 48, 150
X, y = lag_windows(train, WINDOW)
print(f"X {X.shape} (lag windows), y {y.shape} (next values)")

# %%
# Two models, one API
# -------------------
models = {
    "RNNRegressor (gru)": RNNRegressor(
        cell="gru",
        hidden_layer_sizes=(32,),
        learning_rate_init=0.005,
        max_iter=40,
        random_state=0,
    ),
    "EchoStateRegressor": EchoStateRegressor(
        n_reservoir=300, washout=0, alpha=1e-4, random_state=0
    ),
}
context = train[-WINDOW:][np.newaxis]  # the last window before the test part
forecasts = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    forecasts[name] = model.forecast(context, n_steps=HORIZON)[0]
    error = forecasts[name] - test[:HORIZON]
    nrmse = np.sqrt(np.mean(error**2)) / np.std(test[:HORIZON])
    print(f"{name:20s} fit {seconds:5.1f} s, NRMSE over {HORIZON} steps: {nrmse:.3f}")

# %%
# Forecasts against the truth
# ---------------------------
# Left: the closed-loop forecasts after the training series. Right: how the
# absolute error grows with the horizon as errors feed back into the inputs.
fig, (ax_series, ax_error) = plt.subplots(1, 2, figsize=(10, 3.4))
history = np.arange(1800 - 100, 1800)
ax_series.plot(history, train[-100:], color="0.6", label="training series")
future = np.arange(1800, 1800 + HORIZON)
ax_series.plot(future, test[:HORIZON], "k", label="truth")
for name, forecast in forecasts.items():
    ax_series.plot(future, forecast, "--", label=name)
    ax_error.plot(np.abs(forecast - test[:HORIZON]), label=name)
ax_series.set(xlabel="time step", title="closed-loop forecast")
ax_series.set_ylim(-1.6, 2.3)  # room for the legend above the curves
ax_series.legend(fontsize="small", loc="upper left", ncols=2)
ax_error.set(xlabel="steps ahead", ylabel="absolute error", title="error growth")
ax_error.legend(fontsize="small")
fig.tight_layout()
plt.show()
