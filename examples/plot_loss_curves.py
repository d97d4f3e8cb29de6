"""
Loss curves of the Elman, LSTM and GRU cells
============================================

With ``solver="adam"`` or ``"sgd"``, every fit records the mean training
loss of each epoch in ``loss_curve_``. Plotting it for the three classic cells
shows how they differ on two problems:

* **short sequences** (digits read as 8 rows of 8 pixels): every cell learns;
* **a long-range dependency**, the adding problem (Hochreiter & Schmidhuber
  1997): each step carries a random value and a marker, and the target is
  the sum of the two marked values, one in each half of a 40-step sequence.
  The gated cells learn to hold the first value until the second arrives;
  the Elman cell's gradient fades over the steps in between, and it stays
  close to predicting the mean.
"""

# %%
# Two problems
# ------------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier, RNNRegressor

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits[:600].reshape(-1, 8, 8) / 16
y_digits = y_digits[:600]


def adding_problem(n_samples, n_timesteps, rng):
    """Sequences of (value, marker) pairs; the target: sum of marked values."""
    values = rng.uniform(0, 1, size=(n_samples, n_timesteps))
    markers = np.zeros((n_samples, n_timesteps))
    rows = np.arange(n_samples)
    markers[rows, rng.randint(0, n_timesteps // 2, n_samples)] = 1
    markers[rows, rng.randint(n_timesteps // 2, n_timesteps, n_samples)] = 1
    return np.stack([values, markers], axis=2), (values * markers).sum(axis=1)


X_adding, y_adding = adding_problem(500, 40, np.random.RandomState(0))
print(X_adding.shape)  # 500 sequences, 40 steps, 2 features

# %%
# Training
# --------
# The same settings for every cell: 16 units, Adam, minibatches of 32, and
# gradient clipping for the long sequences.
cells = ["rnn", "lstm", "gru"]
colors = {"rnn": "tab:gray", "lstm": "tab:blue", "gru": "tab:red"}
settings = dict(
    hidden_layer_sizes=(16,), batch_size=32, learning_rate_init=1e-2, random_state=0
)
curves = {"digits": {}, "adding": {}}
with warnings.catch_warnings():
    # short runs, on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    for cell in cells:
        start = time.perf_counter()
        clf = RNNClassifier(cell=cell, max_iter=20, **settings)
        clf.fit(X_digits, y_digits)
        reg = RNNRegressor(cell=cell, max_iter=30, clip_norm=1.0, **settings)
        reg.fit(X_adding, y_adding)
        curves["digits"][cell] = clf.loss_curve_
        curves["adding"][cell] = reg.loss_curve_
        print(
            f"{cell:5} digits loss {clf.loss_:.3f}, adding loss "
            f"{reg.loss_:.4f} ({time.perf_counter() - start:.1f} s)"
        )

# %%
# The curves
# ----------
# On the adding problem, predicting the mean of the target gives a loss of
# ``var(y) / 2`` (the regressor's loss is half the squared error), drawn as a
# dotted line.
fig, (ax_digits, ax_adding) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
for cell in cells:
    for ax, problem in ((ax_digits, "digits"), (ax_adding, "adding")):
        curve = curves[problem][cell]
        epochs = np.arange(1, len(curve) + 1)
        ax.plot(epochs, curve, color=colors[cell], label=cell)
ax_adding.axhline(
    y_adding.var() / 2, color="k", linestyle=":", label="predict the mean"
)
ax_digits.set_title("digits, 8 steps (cross-entropy)")
ax_adding.set_title("adding problem, 40 steps (half MSE)")
for ax in (ax_digits, ax_adding):
    ax.set_xlabel("epoch")
    ax.set_yscale("log")
    ax.legend()
ax_digits.set_ylabel("training loss")
plt.show()
