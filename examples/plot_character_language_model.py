"""
Character-level language model with per-step outputs
=====================================================

A recurrent classifier with ``return_sequences=True`` labels every step of a
sequence. Here the label of each character is the character that follows it:
the network learns to predict the next character of four of Shakespeare's
sonnets (public domain; the text ships with skrnn's documentation), and then
writes new text by feeding each sampled character back in.
"""

# %%
# The text, cut into windows
# --------------------------
# Each training sequence is a window of ``WINDOW`` characters, one-hot
# encoded as a 3D array ``(n_windows, WINDOW, n_characters)``; its targets are
# the same window shifted by one character, as labels ``(n_windows, WINDOW)``.
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skrnn import RNNClassifier

try:
    here = Path(__file__).resolve().parent
except NameError:  # run interactively
    here = Path.cwd()
text = (here.parent / "docs" / "_static" / "data" / "sonnets.txt").read_text()
characters = np.array(sorted(set(text)))
codes = np.searchsorted(characters, list(text))
one_hot = np.eye(len(characters))[codes]

WINDOW, STRIDE = 40, 4
starts = np.arange(0, len(text) - WINDOW - 1, STRIDE)
X = np.stack([one_hot[s : s + WINDOW] for s in starts])
y = np.stack([characters[codes[s + 1 : s + WINDOW + 1]] for s in starts])
print(f"{len(text)} characters, {len(characters)} distinct; X {X.shape}, y {y.shape}")

# %%
# Training
# --------
# A GRU with per-step outputs. The loss is the cross-entropy of every step's
# next-character prediction; ``score`` is the accuracy over all steps.
model = RNNClassifier(
    cell="gru",
    hidden_layer_sizes=(96,),
    return_sequences=True,
    learning_rate_init=0.01,
    batch_size=32,
    max_iter=20,
    random_state=0,
)
model.fit(X, y)
print(f"next-character accuracy on the training text: {model.score(X, y):.3f}")

# %%
# Writing new text
# ----------------
# Sampling feeds the model its own output: from a seed, predict the
# distribution of the next character at the last step, draw one (sharpened by
# a temperature below one), append it, and repeat on the last ``WINDOW``
# characters. With only four sonnets to learn from, the network mostly
# memorises them: sampling recites and recombines their lines more than it
# invents words. A real language model needs a larger text, and a held-out
# part of it to score on.
rng = np.random.RandomState(0)


def sample(seed, n_characters, temperature=0.5):
    written = list(seed)
    for _ in range(n_characters):
        context = np.searchsorted(characters, written[-WINDOW:])
        one_hot = np.eye(len(characters))[context]
        proba = model.predict_proba(one_hot[np.newaxis])
        logits = np.log(proba[0, -1] + 1e-12) / temperature
        p = np.exp(logits - logits.max())
        written.append(rng.choice(characters, p=p / p.sum()))
    return "".join(written)


generated = sample("Shall I compare thee", 240)
print(generated)

# %%
# How per-step accuracy grows with context
# ----------------------------------------
# The first characters of a window are predicted with little context; the
# accuracy of each position shows how much the recurrent state remembers.
predicted = model.predict(X)
accuracy_by_position = (predicted == y).mean(axis=0)

fig, (ax_loss, ax_position) = plt.subplots(1, 2, figsize=(9, 3.2))
ax_loss.plot(model.loss_curve_)
ax_loss.set(xlabel="epoch", ylabel="cross-entropy per step", title="training loss")
ax_position.plot(np.arange(1, WINDOW + 1), accuracy_by_position, marker=".")
ax_position.set(
    xlabel="position in the window",
    ylabel="next-character accuracy",
    title="accuracy by amount of context",
)
fig.tight_layout()
plt.show()
