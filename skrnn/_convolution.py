r"""The convolutional front end: causal 1D convolution over time, ReLU, max pooling.

With ``conv_filters > 0`` every sequence first goes through

.. math::

    a_t = \operatorname{ReLU}\Big(b + \sum_{j=0}^{k-1} x_{t-k+1+j} W[j]\Big),
    \qquad
    u_s = \max_{sp \le t < \min((s+1)p,\, L)} a_t

and the recurrent layers read ``u`` instead of ``x`` (a CNN-LSTM when the
cell is ``"lstm"``).

Notation: ``x_t`` input at step t (row vector of ``F`` features), zero for
``t < 0``; ``k`` kernel size; ``W`` (k, F, C) filters, ``W[j]`` applied to
the step ``k - 1 - j`` steps back (``W[k - 1]`` to the current step); ``b``
(C,) biases; ``C`` number of filters; ``p`` pooling window and stride;
``L`` the sequence's length.

Design choices, each so that a sequence's output never depends on its batch
or its padding:

* **Causal padding.** The window at step t covers steps ``t - k + 1 .. t``
  and steps before the start count as zero, so the output has one step per
  input step and never looks past the sequence's end (nor into the future,
  which keeps forecasting honest). A sequence shorter than the kernel is
  therefore valid: its windows are partly zero padding.
* **Pooling keeps a partial last window.** A sequence of length ``L`` gives
  ``ceil(L / p)`` pooled steps; the last window pools only the sequence's
  own steps. Steps of the convolution output past a sequence's end are set
  to zero, and as ReLU outputs are never negative such a zero never raises a
  maximum, so it changes nothing.
* **im2col.** The ``k`` shifted copies of the inputs are placed side by side
  (a Python loop over the kernel taps, not over time) and the convolution of
  all steps of all sequences is one matrix product, as is the weight
  gradient.
"""

import numpy as np


class ConvFrontEnd:
    """Causal 1D convolution over time, ReLU and non-overlapping max pooling.

    Parameters
    ----------
    n_inputs : int
        Features per time step ``F``.
    n_filters : int
        Number of filters ``C``: the features per step of the output.
    kernel_size : int
        Number of consecutive steps ``k`` each filter reads.
    pool : int
        Max-pooling window and stride ``p`` over time; 1 means no pooling.
    """

    def __init__(self, n_inputs, n_filters, kernel_size, pool):
        self.n_inputs = n_inputs
        self.n_filters = n_filters
        self.kernel_size = kernel_size
        self.pool = pool

    def parameter_shapes(self):
        """Names and shapes of the parameters, and whether each is a weight.

        Returns
        -------
        list of (name, shape, is_weight)
            ``W`` (kernel_size, n_inputs, n_filters), penalised by ``alpha``;
            ``b`` (n_filters,), not penalised.
        """
        return [
            ("W", (self.kernel_size, self.n_inputs, self.n_filters), True),
            ("b", (self.n_filters,), False),
        ]

    def initialize(self, params, rng):
        """He-uniform filters (the fan-in suits a ReLU), zero biases, in place."""
        fan_in = self.kernel_size * self.n_inputs
        bound = np.sqrt(6.0 / fan_in)
        params["W"][...] = rng.uniform(-bound, bound, params["W"].shape)
        params["b"][...] = 0.0

    def output_lengths(self, lengths):
        """Lengths of the front end's output sequences: ``ceil(lengths / pool)``."""
        return (lengths + self.pool - 1) // self.pool

    def _columns(self, X):
        """im2col: ``(T, B, k * F)``, the window of every step in one row."""
        k = self.kernel_size
        T, B, F = X.shape
        padded = np.zeros((T + k - 1, B, F), dtype=X.dtype)
        padded[k - 1 :] = X
        # Tap j is the input k - 1 - j steps back; the order matches W.reshape.
        return np.concatenate([padded[j : j + T] for j in range(k)], axis=2)

    def forward(self, params, X, lengths):
        """Run the front end over a time-major batch.

        Parameters
        ----------
        params : dict of ndarray
            ``"W"`` and ``"b"`` views.
        X : ndarray of shape (T, B, n_inputs)
            Time-major inputs, zero after each sequence's end.
        lengths : ndarray of shape (B,)
            Length of each sequence.

        Returns
        -------
        U : ndarray of shape (ceil(T / pool), B, n_filters)
            Output sequences, zero after each one's end.
        out_lengths : ndarray of shape (B,)
            Their lengths, ``ceil(lengths / pool)``.
        cache : tuple
            What :meth:`backward` needs.
        """
        T, B, _ = X.shape
        C, p = self.n_filters, self.pool
        columns = self._columns(X).reshape(T * B, -1)
        A = (columns @ params["W"].reshape(-1, C)).reshape(T, B, C)
        A += params["b"]
        np.maximum(A, 0.0, out=A)
        # Zero the steps past each sequence's end: they saw its last real
        # steps and would otherwise leak into pooling.
        padding = np.arange(T)[:, np.newaxis] >= lengths[np.newaxis, :]
        A[padding] = 0.0
        if p == 1:
            return A, lengths, (columns, A, None)
        n_out = -(-T // p)
        windows = np.zeros((n_out * p, B, C), dtype=A.dtype)
        windows[:T] = A
        windows = windows.reshape(n_out, p, B, C)
        argmax = windows.argmax(axis=1)[:, np.newaxis]
        U = np.take_along_axis(windows, argmax, axis=1)[:, 0]
        return U, self.output_lengths(lengths), (columns, A, argmax)

    def last_step(self, params, window):
        """The convolution and ReLU at the last step of a window of inputs.

        Parameters
        ----------
        params : dict of ndarray
            ``"W"`` and ``"b"`` views.
        window : ndarray of shape (kernel_size, B, n_inputs)
            Time-major: the current input and the ``kernel_size - 1`` before
            it (zeros before a sequence's start).

        Returns
        -------
        ndarray of shape (B, n_filters)
            Unpooled, so only meaningful with ``pool=1`` (closed-loop
            forecasting feeds back one step at a time).
        """
        k, B, F = window.shape
        columns = window.transpose(1, 0, 2).reshape(B, k * F)
        a = columns @ params["W"].reshape(k * F, -1) + params["b"]
        return np.maximum(a, 0.0, out=a)

    def backward(self, params, grads, cache, dU):
        """Fill the gradients of ``W`` and ``b`` from the gradient of the output.

        Parameters
        ----------
        params : dict of ndarray
            ``"W"`` and ``"b"`` views.
        grads : dict of ndarray
            Gradient views of ``"W"`` and ``"b"``, overwritten.
        cache : tuple
            As returned by :meth:`forward`.
        dU : ndarray of shape (ceil(T / pool), B, n_filters)
            Gradient of the loss with respect to the output sequences.
        """
        columns, A, argmax = cache
        T, B, C = A.shape
        if argmax is None:
            dA = dU.copy()
        else:
            # Each pooled value came from one step of its window: route the
            # gradient there (the first maximum on ties, as in the forward).
            windows = np.zeros((len(dU), self.pool, B, C), dtype=dU.dtype)
            np.put_along_axis(windows, argmax, dU[:, np.newaxis], axis=1)
            dA = windows.reshape(-1, B, C)[:T]
        # ReLU: no gradient where the output is zero (this also clears the
        # steps zeroed past each sequence's end).
        dA *= A > 0
        dA = dA.reshape(T * B, C)
        np.dot(columns.T, dA, out=grads["W"].reshape(-1, C))
        np.sum(dA, axis=0, out=grads["b"])
