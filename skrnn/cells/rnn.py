"""Elman recurrent cell with a tanh non-linearity."""

import numpy as np

from skrnn.cells._base import Cell, register_cell, tanh_


@register_cell
class ElmanCell(Cell):
    r"""Elman (vanilla) recurrent cell, ``cell="rnn"``.

    .. math::

        h_t = \tanh(x_t W + h_{t-1} U + b)

    Notation: ``x_t`` input at step t (row vector), ``h_t`` hidden state,
    ``W`` (n_inputs, H) input weights, ``U`` (H, H) recurrent weights,
    ``b`` (H,) bias.
    """

    name = "rnn"
    n_gates = 1

    def forward(self, Z, params, steps, H):
        U = params["U"]
        for t, n in enumerate(steps):
            h = H[t + 1, :n]
            np.dot(H[t, :n], U, out=h)
            h += Z[t, :n]
            tanh_(h)

    def backward(self, Z, params, steps, H, cache, dH, grads):
        U_T = params["U"].T
        dZ = np.zeros_like(Z)
        for t in range(len(steps) - 1, -1, -1):
            n = steps[t]
            h = H[t + 1, :n]
            d = dZ[t, :n]
            # dz = dh (1 - h²)
            np.multiply(h, h, out=d)
            np.subtract(1.0, d, out=d)
            d *= dH[t, :n]
            if t > 0:
                dH[t - 1, :n] += d @ U_T
        return dZ, dZ
