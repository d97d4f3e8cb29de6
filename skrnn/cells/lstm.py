"""Long short-term memory cell."""

import numpy as np

from skrnn.cells._base import (
    Cell,
    register_cell,
    sigmoid_,
    sigmoid_grad_,
    tanh_,
    tanh_grad_,
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

    def forward(self, Z, params, steps, H, carry=None):
        U = params["U"]
        Hd = self.n_hidden
        T, B, _ = Z.shape
        C = np.zeros((T + 1, B, Hd), dtype=Z.dtype)
        if carry is not None:
            C[0, : len(carry)] = carry
        tanh_C = np.zeros((T, B, Hd), dtype=Z.dtype)
        # Scratch rows reused at every step: fresh temporaries per step cost
        # as much as the arithmetic at small sizes.
        recurrent = np.empty((B, 4 * Hd), dtype=Z.dtype)
        product = np.empty((B, Hd), dtype=Z.dtype)
        fused = Z.dtype == np.float32
        for t, n in enumerate(steps):
            a = Z[t, :n]
            np.dot(H[t, :n], U, out=recurrent[:n])
            a += recurrent[:n]
            if fused:
                # sigmoid(x) = 0.5 tanh(x / 2) + 0.5: one tanh for all gates.
                gates = a[:, : 3 * Hd]
                gates *= 0.5
                np.tanh(a, out=a)
                gates *= 0.5
                gates += 0.5
            else:
                sigmoid_(a[:, : 3 * Hd])
                tanh_(a[:, 3 * Hd :])
            i, f, o, g = (
                a[:, :Hd],
                a[:, Hd : 2 * Hd],
                a[:, 2 * Hd : 3 * Hd],
                a[:, 3 * Hd :],
            )
            c = C[t + 1, :n]
            np.multiply(f, C[t, :n], out=c)
            np.multiply(i, g, out=product[:n])
            c += product[:n]
            tc = tanh_C[t, :n]
            if fused:
                np.tanh(c, out=tc)
            else:
                tc[...] = c
                tanh_(tc)
            np.multiply(o, tc, out=H[t + 1, :n])
        return C, tanh_C

    def final_carry(self, cache, n):
        """The cell state ``c`` after the last step."""
        return cache[0][-1, :n].copy()

    def backward(self, Z, params, steps, H, cache, dH, grads):
        C, tanh_C = cache
        U_T = params["U"].T
        Hd = self.n_hidden
        dZ = np.zeros_like(Z)
        dc_next = np.zeros((Z.shape[1], Hd), dtype=Z.dtype)
        for t in range(len(steps) - 1, -1, -1):
            n = steps[t]
            a = Z[t, :n]
            i, f, o, g = (a[:, k * Hd : (k + 1) * Hd] for k in range(4))
            d = dZ[t, :n]
            di, df, do, dg = (d[:, k * Hd : (k + 1) * Hd] for k in range(4))
            dh = dH[t, :n]
            tc = tanh_C[t, :n]
            np.multiply(dh, tc, out=do)
            # dc = dh o (1 - tanh(c)²) + dc from step t + 1
            dc = dh * o
            tanh_grad_(dc, tc)
            dc += dc_next[:n]
            np.multiply(dc, g, out=di)
            np.multiply(dc, C[t, :n], out=df)
            np.multiply(dc, i, out=dg)
            np.multiply(dc, f, out=dc_next[:n])
            sigmoid_grad_(d[:, : 3 * Hd], a[:, : 3 * Hd])
            tanh_grad_(dg, g)
            if t > 0:
                dH[t - 1, :n] += d @ U_T
        return dZ, dZ
