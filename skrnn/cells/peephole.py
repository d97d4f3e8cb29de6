"""LSTM with peephole connections."""

import numpy as np

from skrnn._workspace import FRESH
from skrnn.cells._base import (
    half_sigmoid_,
    halve_sigmoid_inputs_,
    register_cell,
    sigmoid_,
    tanh_,
)
from skrnn.cells.lstm import LSTMCell


@register_cell
class PeepholeLSTMCell(LSTMCell):
    r"""LSTM whose gates also see the cell state (Gers & Schmidhuber 2000),
    ``cell="peephole"``.

    .. math::

        [a_i, a_f, a_o, a_g] &= x_t W + h_{t-1} U + b \\
        i_t = \sigma(a_i + p_i \odot c_{t-1}), \quad
        f_t &= \sigma(a_f + p_f \odot c_{t-1}), \quad g_t = \tanh(a_g) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        o_t &= \sigma(a_o + p_o \odot c_t) \\
        h_t &= o_t \odot \tanh(c_t)

    Notation as in :class:`~skrnn.cells.lstm.LSTMCell`; ``P`` (3, H) holds
    the diagonal peephole weights ``p_i``, ``p_f`` and ``p_o`` row by row.
    The input and forget gates look at the previous cell state, the output
    gate at the new one. ``P`` starts at zero (a plain LSTM).
    """

    name = "peephole"

    def extra_parameters(self):
        return [("P", (3, self.n_hidden), True)]

    def initialize(self, params, rng):
        super().initialize(params, rng)
        params["P"][...] = 0.0

    def forward(self, Z, params, steps, H, carry=None, workspace=FRESH):
        U, P = params["U"], params["P"]
        Hd = self.n_hidden
        T, B, _ = Z.shape
        fused = Z.dtype == np.float32
        if fused:
            # Each sigmoid one tanh and an affine map (see half_sigmoid_):
            # the peephole weights are halved with the rest.
            U = halve_sigmoid_inputs_(Z, U, 3 * Hd)
            P = 0.5 * P
        C = workspace.zeros("C", (T + 1, B, Hd), Z.dtype)
        if carry is not None:
            C[0, : len(carry)] = carry
        tanh_C = workspace.zeros("tanh_C", (T, B, Hd), Z.dtype)
        # Scratch rows reused at every step (as in the LSTM cell).
        recurrent = np.empty((B, 4 * Hd), dtype=Z.dtype)
        peep = np.empty((B, 2, Hd), dtype=Z.dtype)
        product = np.empty((B, Hd), dtype=Z.dtype)
        for t, n in enumerate(steps):
            a = Z[t, :n]
            np.dot(H[t, :n], U, out=recurrent[:n])
            a += recurrent[:n]
            c_prev = C[t, :n]
            i, f, o, g = (
                a[:, :Hd],
                a[:, Hd : 2 * Hd],
                a[:, 2 * Hd : 3 * Hd],
                a[:, 3 * Hd :],
            )
            # Input and forget gates see c_{t-1}: both peepholes in one product.
            np.multiply(c_prev[:, np.newaxis, :], P[:2], out=peep[:n])
            a[:, : 2 * Hd] += peep[:n].reshape(n, 2 * Hd)
            if fused:
                half_sigmoid_(a[:, : 2 * Hd])
                np.tanh(g, out=g)
            else:
                sigmoid_(a[:, : 2 * Hd])
                tanh_(g)
            c = C[t + 1, :n]
            np.multiply(f, c_prev, out=c)
            np.multiply(i, g, out=product[:n])
            c += product[:n]
            np.multiply(P[2], c, out=product[:n])
            o += product[:n]
            tc = tanh_C[t, :n]
            if fused:
                half_sigmoid_(o)
                np.tanh(c, out=tc)
            else:
                sigmoid_(o)
                tc[...] = c
                tanh_(tc)
            np.multiply(o, tc, out=H[t + 1, :n])
        return C, tanh_C

    def final_carry(self, cache, n):
        """The cell state ``c`` after the last step."""
        return cache[0][-1, :n].copy()

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        C = cache[0]
        P = params["P"]
        Hd = self.n_hidden
        B = Z.shape[1]
        f = Z[:, :, Hd : 2 * Hd]
        dZ = workspace.empty("dZ", Z.shape, Z.dtype)
        dc = np.empty((B, Hd), dtype=Z.dtype)
        dc_carried = np.zeros((B, Hd), dtype=Z.dtype)
        product = np.empty((B, Hd), dtype=Z.dtype)
        peeps = np.empty((B, 2, Hd), dtype=Z.dtype)
        # The LSTM's loop and derivative factors (the same functions of the
        # activated gates); the peepholes add to what dc carries.
        for t, n, dc_from_dh in self._sweep(Z, params, steps, cache, dH, dZ):
            dh = dH[t, :n]
            d = dZ[t, :n].reshape(n, 4, Hd)
            # Output gate first: through p_o it feeds back into dc.
            do = d[:, 2]
            do *= dh
            # dc = dh o (1 - tanh(c)²) + da_o p_o + dc from step t + 1
            np.multiply(dh, dc_from_dh, out=dc[:n])
            dc[:n] += dc_carried[:n]
            np.multiply(do, P[2], out=product[:n])
            dc[:n] += product[:n]
            np.multiply(d[:, :2], dc[:n, np.newaxis], out=d[:, :2])
            np.multiply(d[:, 3], dc[:n], out=d[:, 3])
            # dc_{t-1} = dc f + da_i p_i + da_f p_f
            np.multiply(dc[:n], f[t, :n], out=dc_carried[:n])
            np.multiply(d[:, :2], P[:2], out=peeps[:n])
            dc_carried[:n] += peeps[:n, 0]
            dc_carried[:n] += peeps[:n, 1]
        width = Z.shape[0] * Z.shape[1]
        previous = C[:-1].reshape(width, Hd)
        grads["P"][0] += np.einsum(
            "ij,ij->j", dZ[:, :, :Hd].reshape(width, Hd), previous
        )
        grads["P"][1] += np.einsum(
            "ij,ij->j", dZ[:, :, Hd : 2 * Hd].reshape(width, Hd), previous
        )
        grads["P"][2] += np.einsum(
            "ij,ij->j",
            dZ[:, :, 2 * Hd : 3 * Hd].reshape(width, Hd),
            C[1:].reshape(width, Hd),
        )
        return dZ, dZ
