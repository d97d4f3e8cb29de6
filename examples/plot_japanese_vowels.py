"""
Classifying speakers from variable-length recordings: Japanese vowels
=====================================================================

Nine male speakers each uttered the Japanese vowels /ae/ in a row; every
utterance is a sequence of 12 LPC cepstrum coefficients, 7 to 29 frames long,
and the task is to tell the speaker (Kudo, Toyama and Shimbo, 1999; UCI
Machine Learning Repository). The data set ships with sktime as
``sktime.datasets.load_japanese_vowels``, split into 270 training and 370
test utterances: nothing is downloaded.

:class:`~skrnn.EchoStateClassifier` reads the sequences as they are, a list
of arrays of different lengths. The baseline is the usual one for time
series classification, the 1-nearest-neighbour rule with the Euclidean
distance, which needs sequences of one length: each is resampled to the
longest length first.
"""

# %%
# The data
# --------
# sktime returns a nested DataFrame (one cell per utterance and coefficient);
# each utterance becomes an array of shape ``(n_frames, 12)``.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_japanese_vowels

from skrnn import EchoStateClassifier


def load(split):
    frame, labels = load_japanese_vowels(split, return_type="nested_univ")
    sequences = [
        np.column_stack([cell.to_numpy() for cell in row])
        for row in frame.itertuples(index=False)
    ]
    return sequences, labels


X_train, y_train = load("train")
X_test, y_test = load("test")
lengths = [len(seq) for seq in X_train + X_test]
n_coefficients = X_train[0].shape[1]
print(
    f"{len(X_train)} training and {len(X_test)} test utterances, "
    f"{n_coefficients} coefficients, {min(lengths)}-{max(lengths)} frames"
)

# %%
# Echo state network, with its defaults
# -------------------------------------
# The reservoir runs over each utterance to its own end; a linear readout
# classifies the mean of its states over the utterance (``pooling="mean"``).
# Training is one linear solve. Only the seed is set, for a reproducible
# reservoir.
start = time.perf_counter()
esn = EchoStateClassifier(random_state=0).fit(X_train, y_train)
esn_predicted = esn.predict(X_test)
esn_seconds = time.perf_counter() - start
esn_accuracy = accuracy_score(y_test, esn_predicted)
print(f"echo state network: accuracy {esn_accuracy:.3f} ({esn_seconds:.1f} s)")

# %%
# Baseline: 1-NN on resampled sequences
# -------------------------------------
# Every utterance is stretched to the longest length by linear interpolation
# of each coefficient, then flattened into one row.
n_frames = max(lengths)


def resample(seq):
    old = np.linspace(0, 1, len(seq))
    new = np.linspace(0, 1, n_frames)
    return np.column_stack([np.interp(new, old, col) for col in seq.T]).ravel()


knn = KNeighborsClassifier(n_neighbors=1)
knn.fit([resample(seq) for seq in X_train], y_train)
knn_predicted = knn.predict([resample(seq) for seq in X_test])
knn_accuracy = accuracy_score(y_test, knn_predicted)
print(f"1-NN Euclidean:     accuracy {knn_accuracy:.3f}")

# %%
# Which speakers are confused?
# ----------------------------
# Rows are the true speakers, columns the predicted ones; the few errors
# left are scattered over the off-diagonal cells.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
for ax, predicted, title in [
    (axes[0], esn_predicted, "echo state network"),
    (axes[1], knn_predicted, "1-NN Euclidean"),
]:
    ConfusionMatrixDisplay.from_predictions(
        y_test, predicted, ax=ax, colorbar=False, cmap="Blues"
    )
    ax.set_title(f"{title}: {accuracy_score(y_test, predicted):.1%}")
    ax.set_xlabel("predicted speaker")
    ax.set_ylabel("true speaker")
plt.show()
