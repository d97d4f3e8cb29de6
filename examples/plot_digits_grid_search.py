"""
Sequence classification: a grid search over cells on digits
============================================================

scikit-learn's digits are 8 × 8 images. Read row by row, each image is a
sequence of 8 time steps with 8 features (the pixels of a row), the 3D
layout ``(n_samples, n_timesteps, n_features)`` that
:class:`~skrnn.RNNClassifier` reads. The cell is an ordinary hyperparameter,
so :class:`~sklearn.model_selection.GridSearchCV` picks it like any other.

To keep the example quick, the networks are small and trained for a few
epochs; :doc:`../performance` gives the accuracy of longer runs (0.96-0.98).
"""

# %%
# Digits as sequences
# -------------------
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from skrnn import RNNClassifier

X, y = load_digits(return_X_y=True)
X = X.reshape(-1, 8, 8) / 16  # 8 steps of 8 pixels, scaled to [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=800, stratify=y, random_state=0
)
print(X_train.shape, X_test.shape)

# %%
# The grid search
# ---------------
# Three cells, three folds, two processes. The networks stop after 15
# epochs, before the loss has settled; scikit-learn would warn about that
# (``ConvergenceWarning``) for every fit, so the warning is silenced here.
search = GridSearchCV(
    RNNClassifier(
        hidden_layer_sizes=(32,),
        batch_size=32,
        max_iter=15,
        learning_rate_init=5e-3,
        random_state=0,
    ),
    {"cell": ["rnn", "lstm", "gru"]},
    cv=3,
    n_jobs=2,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)

results = search.cv_results_
for cell, mean, std, fit_time in zip(
    results["param_cell"],
    results["mean_test_score"],
    results["std_test_score"],
    results["mean_fit_time"],
):
    print(f"{cell:5} accuracy {mean:.3f} ± {std:.3f}, fit {fit_time:.2f} s")
print(
    "best:",
    search.best_params_,
    f"test accuracy {search.score(X_test, y_test):.3f}",
)

# %%
# Scores and fit times
# --------------------
cells = list(results["param_cell"])
fig, (ax_score, ax_time) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
ax_score.bar(
    cells,
    results["mean_test_score"],
    yerr=results["std_test_score"],
    color="tab:blue",
    capsize=4,
)
ax_score.set_ylim(0.5, 1.0)
ax_score.set_ylabel("cross-validated accuracy")
ax_score.set_title("accuracy (3-fold CV)")
ax_time.bar(cells, results["mean_fit_time"], color="tab:orange")
ax_time.set_ylabel("seconds")
ax_time.set_title("mean fit time")
plt.show()

# %%
# Predictions of the best model
# -----------------------------
# The refitted best model on held-out digits; each image was read as a
# sequence of its rows, top to bottom.
predicted = search.predict(X_test[:10])
fig, axes = plt.subplots(1, 10, figsize=(8, 1.4), layout="constrained")
for ax, image, label in zip(axes, X_test[:10], predicted):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(str(label))
    ax.set_axis_off()
plt.show()
