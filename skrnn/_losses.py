"""Output activations and their matching losses.

Each loss takes the raw network outputs (``logits``), the targets and the
normalised sample weights (summing to one) and returns the loss and its
gradient with respect to the logits. Pairing each loss with its canonical
output activation keeps that gradient simple: ``w (p - y)`` in every case.

* ``"softmax"``: multiclass, cross-entropy of the softmax;
* ``"logistic"``: binary and multilabel, cross-entropy of the sigmoid summed
  over outputs (as ``MLPClassifier``'s ``binary_log_loss``);
* ``"squared"``: regression, ``½ Σ_k (p_k - y_k)²`` per sample (as
  ``MLPRegressor``'s ``squared_error`` for one output).
"""

import numpy as np
from scipy.special import expit, softmax


def _log_softmax(logits):
    # scipy.special.log_softmax validates and dispatches at a cost that
    # exceeds the arithmetic for minibatch-sized arrays.
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax_loss(logits, Y, weights):
    log_p = _log_softmax(logits)
    loss = -np.sum(weights * np.sum(Y * log_p, axis=1))
    return loss, weights[:, np.newaxis] * (np.exp(log_p) - Y)


def _logistic_loss(logits, Y, weights):
    # log(1 + e^z) - y z, computed without overflow
    per_sample = np.sum(np.logaddexp(0, logits) - Y * logits, axis=1)
    return np.sum(weights * per_sample), weights[:, np.newaxis] * (expit(logits) - Y)


def _squared_loss(logits, Y, weights):
    diff = logits - Y
    loss = 0.5 * np.sum(weights * np.sum(diff * diff, axis=1))
    return loss, weights[:, np.newaxis] * diff


LOSSES = {
    "softmax": _softmax_loss,
    "logistic": _logistic_loss,
    "squared": _squared_loss,
}

OUTPUT_ACTIVATIONS = {
    "softmax": lambda z: softmax(z, axis=1),
    "logistic": expit,
    "squared": lambda z: z,
}
