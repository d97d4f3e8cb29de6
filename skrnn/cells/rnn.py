"""Elman recurrent cell with a tanh non-linearity."""

import numpy as np

from skrnn._workspace import FRESH
from skrnn.cells._base import Cell, register_cell, tanh_, zero_padding_


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

    def forward(self, Z, params, steps, H, carry=None, workspace=FRESH):
        U = params["U"]
        for t, n in enumerate(steps):
            h = H[t + 1, :n]
            np.dot(H[t, :n], U, out=h)
            h += Z[t, :n]
            tanh_(h)

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        # A contiguous copy: BLAS multiplies by it faster than by the
        # transposed view at these sizes.
        U_T = np.ascontiguousarray(params["U"].T)
        # tanh'(z) = 1 - h², for all steps at once: the loop only multiplies.
        dZ = workspace.empty("dZ", Z.shape, Z.dtype)
        np.multiply(H[1:], H[1:], out=dZ)
        np.subtract(1.0, dZ, out=dZ)
        recurrent = np.empty(Z.shape[1:], Z.dtype)
        for t in range(len(steps) - 1, -1, -1):
            n = steps[t]
            d = dZ[t, :n]
            d *= dH[t, :n]
            if t > 0:
                np.dot(d, U_T, out=recurrent[:n])
                dH[t - 1, :n] += recurrent[:n]
        return zero_padding_(dZ, steps), dZ
