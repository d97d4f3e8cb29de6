"""
Forecasting a seasonal series with an RNN in a pipeline
=======================================================

A series with a yearly cycle (period 12), a slow trend and noise, as monthly
data often look. Cut into lag windows, each window of the last 24 values is a
row of a 2D array, which :class:`~skrnn.RNNRegressor` reads as a univariate
sequence of 24 steps. That makes it one more step of a scikit-learn
:class:`~sklearn.pipeline.Pipeline`: here it follows a
:class:`~sklearn.preprocessing.StandardScaler`.

The model predicts the next value from the true past (one step ahead), and is
compared with the seasonal naive forecast, the value one period earlier,
which is the baseline to beat on seasonal data.
"""

# %%
# The series
# ----------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RNNRegressor
from skrnn.datasets import lag_windows

rng = np.random.RandomState(0)
t = np.arange(1200)  # 100 "years" of 12 "months"
series = (
    np.sin(2 * np.pi * t / 12)
    + 0.5 * np.sin(4 * np.pi * t / 12 + 1.0)  # 2nd harmonic: an uneven cycle
    + 0.002 * t  # slow trend
    + 0.15 * rng.normal(size=t.size)
)

n_lags, n_test = 24, 96
# X[i] = series[i : i + 24], y[i] = series[i + 24]
X, y = lag_windows(series, n_lags=n_lags)
X_train, X_test = X[:-n_test], X[-n_test:]
y_train, y_test = y[:-n_test], y[-n_test:]
print(X_train.shape, X_test.shape)

# %%
# The pipeline
# ------------
# The scaler standardises every lag column; the GRU reads the 24 scaled values
# in time order and predicts the next one. The test windows come after all
# the training windows in time. ``alpha`` (the L2 penalty) is raised from its
# default because the windows overlap and the model would otherwise fit the
# noise of the training years.
model = make_pipeline(
    StandardScaler(),
    RNNRegressor(
        cell="gru",
        hidden_layer_sizes=(16,),
        alpha=1e-2,
        batch_size=64,
        learning_rate_init=1e-2,
        max_iter=30,
        random_state=0,
    ),
)
with warnings.catch_warnings():
    # few epochs, on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X_train, y_train)

predicted = model.predict(X_test)
seasonal_naive = X_test[:, -12]  # the value 12 steps before each target
print(f"RNN            MAE {mean_absolute_error(y_test, predicted):.3f}")
print(f"seasonal naive MAE {mean_absolute_error(y_test, seasonal_naive):.3f}")
print(f"noise level    MAE {0.15 * np.sqrt(2 / np.pi):.3f} (the best possible)")

# %%
# Predictions on the test period
# ------------------------------
test_time = t[-n_test:]
fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
ax.plot(
    t[-n_test - 48 : -n_test],
    series[-n_test - 48 : -n_test],
    color="0.6",
    label="training data",
)
ax.plot(test_time, y_test, color="k", label="truth")
ax.plot(test_time, predicted, color="tab:blue", label="RNN, one step ahead")
ax.plot(
    test_time, seasonal_naive, color="tab:orange", linestyle=":", label="seasonal naive"
)
ax.set_xlabel("t (months)")
fig.legend(loc="outside upper center", ncols=4, fontsize="small")
plt.show()

# %%
# Training loss
# -------------
# The pipeline's last step keeps the loss of every epoch.
rnn = model[-1]
fig, ax = plt.subplots(figsize=(5, 2.8), layout="constrained")
ax.semilogy(np.arange(1, rnn.n_iter_ + 1), rnn.loss_curve_)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (half MSE)")
plt.show()
