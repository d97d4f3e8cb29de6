"""Long short-term memory cell."""

import numpy as np

from skrnn.cells._base import (
    Cell,
    register_cell,
    sigmoid_,
    sigmoid_derivative,
    tanh_,
)


@register_cell
class LSTMCell(Cell):
    r"""Long short-term memory cell (Hochreiter & Schmidhuber 1997, with a
    forget gate as in Gers et al. 2000), ``cell="lstm"``.

    .. math::

        [a_i, a_f, a_o, a_g] &= x_t W + h_{t-1} U + b \\
        i_t = \sigma(a_i), \quad f_t &= \sigma(a_f), \quad
        o_t = \sigma(a_o), \quad g_t = \tanh(a_g) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    Notation: ``W`` (n_inputs, 4H), ``U`` (H, 4H) and ``b`` (4H,) hold the
    input, forget and output gates and the candidate ``g`` side by side, in
    that order, so that the three sigmoid gates form one contiguous block.
    ``c_t`` is the cell state. The forget-gate bias starts at 1 so that the
    cell remembers by default.
    """

    name = "lstm"
    n_gates = 4

    def initialize(self, params, rng):
        super().initialize(params, rng)
        H = self.n_hidden
        params["b"][H : 2 * H] = 1.0

    def forward(self, Z, params, steps, H):
        U = params["U"]
        Hd = self.n_hidden
        T, B, _ = Z.shape
        C = np.zeros((T + 1, B, Hd), dtype=Z.dtype)
        tanh_C = np.zeros((T, B, Hd), dtype=Z.dtype)
        for t, n in enumerate(steps):
            a = Z[t, :n]
            a += H[t, :n] @ U
            sigmoid_(a[:, : 3 * Hd])
            tanh_(a[:, 3 * Hd :])
            i, f, o, g = (a[:, k * Hd : (k + 1) * Hd] for k in range(4))
            c = C[t + 1, :n]
            np.multiply(f, C[t, :n], out=c)
            c += i * g
            tc = tanh_C[t, :n]
            tc[...] = c
            tanh_(tc)
            np.multiply(o, tc, out=H[t + 1, :n])
        return C, tanh_C

    def backward(self, Z, params, steps, H, cache, dH, grads):
        C, tanh_C = cache
        U_T = params["U"].T
        Hd = self.n_hidden
        i, f, o, g = (Z[:, :, k * Hd : (k + 1) * Hd] for k in range(4))
        # Derivative factors for all steps at once (large vectorised passes);
        # the loop below then does only what the recurrence needs:
        #   dc_t = dh_t o_t (1 - tanh²c_t) + dc_{t+1} f_{t+1}
        #   [da_i, da_f, da_o, da_g] = [dc M_i, dc M_f, dh M_o, dc M_g]
        M = np.empty_like(Z)
        np.multiply(g, sigmoid_derivative(i), out=M[:, :, :Hd])
        np.multiply(C[:-1], sigmoid_derivative(f), out=M[:, :, Hd : 2 * Hd])
        np.multiply(tanh_C, sigmoid_derivative(o), out=M[:, :, 2 * Hd : 3 * Hd])
        np.multiply(i, 1.0 - g * g, out=M[:, :, 3 * Hd :])
        dc_from_h = o * (1.0 - tanh_C * tanh_C)
        M_if = M[:, :, : 2 * Hd].reshape(Z.shape[:2] + (2, Hd))

        dZ = np.zeros_like(Z)
        dc = np.zeros((Z.shape[1], Hd), dtype=Z.dtype)
        for t in range(len(steps) - 1, -1, -1):
            n = steps[t]
            dh = dH[t, :n]
            dc_t = dc[:n]
            dc_t += dh * dc_from_h[t, :n]
            d = dZ[t, :n]
            np.multiply(
                M_if[t, :n],
                dc_t[:, np.newaxis, :],
                out=d[:, : 2 * Hd].reshape(n, 2, Hd),
            )
            np.multiply(M[t, :n, 2 * Hd : 3 * Hd], dh, out=d[:, 2 * Hd : 3 * Hd])
            np.multiply(M[t, :n, 3 * Hd :], dc_t, out=d[:, 3 * Hd :])
            dc_t *= f[t, :n]
            if t > 0:
                dH[t - 1, :n] += d @ U_T
        return dZ, dZ
