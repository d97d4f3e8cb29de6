"""Long short-term memory cell."""

import numpy as np

from skrnn._workspace import FRESH
from skrnn.cells._base import (
    Cell,
    backward_sweep,
    block_length,
    halve_sigmoid_inputs_,
    register_cell,
    sigmoid_,
    tanh_,
    zero_padding_,
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

    def forward(self, Z, params, steps, H, carry=None, workspace=FRESH):
        Hd = self.n_hidden
        T, B, _ = Z.shape
        U = params["U"]
        fused = Z.dtype == np.float32
        if fused:
            # sigmoid(x) = 0.5 tanh(x / 2) + 0.5: with the sigmoid gates'
            # pre-activations halved, one tanh per step covers all four blocks.
            U = halve_sigmoid_inputs_(Z, U, 3 * Hd)
        C = workspace.empty("C", (T + 1, B, Hd), Z.dtype)
        C[0] = 0.0
        if carry is not None:
            C[0, : len(carry)] = carry
        tanh_C = workspace.empty("tanh_C", (T, B, Hd), Z.dtype)
        # The backward pass reads whole buffers: padded rows must be zero.
        zero_padding_(C[1:], steps)
        zero_padding_(tanh_C, steps)
        # Scratch rows reused at every step: fresh temporaries per step cost
        # as much as the arithmetic at small sizes.
        recurrent = np.empty((B, 4 * Hd), dtype=Z.dtype)
        product = np.empty((B, Hd), dtype=Z.dtype)
        for t, n in enumerate(steps):
            a = Z[t, :n]
            np.dot(H[t, :n], U, out=recurrent[:n])
            a += recurrent[:n]
            gates = a[:, : 3 * Hd]
            if fused:
                # One tanh for all four blocks, then the sigmoid gates'
                # affine map.
                np.tanh(a, out=a)
                gates *= 0.5
                gates += 0.5
            else:
                sigmoid_(gates)
                tanh_(a[:, 3 * Hd :])
            c = C[t + 1, :n]
            np.multiply(a[:, Hd : 2 * Hd], C[t, :n], out=c)
            np.multiply(a[:, :Hd], a[:, 3 * Hd :], out=product[:n])
            c += product[:n]
            tc = tanh_C[t, :n]
            if fused:
                np.tanh(c, out=tc)
            else:
                tc[...] = c
                tanh_(tc)
            np.multiply(a[:, 2 * Hd : 3 * Hd], tc, out=H[t + 1, :n])
        return C, tanh_C

    def final_carry(self, cache, n):
        """The cell state ``c`` after the last step."""
        return cache[0][-1, :n].copy()

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        Hd = self.n_hidden
        B = Z.shape[1]
        f = Z[:, :, Hd : 2 * Hd]
        dZ = workspace.empty("dZ", Z.shape, Z.dtype)
        dc = np.empty((B, Hd), dtype=Z.dtype)
        dc_carried = np.zeros((B, Hd), dtype=Z.dtype)
        for t, n, dc_from_dh in self._sweep(Z, params, steps, cache, dH, dZ):
            dh = dH[t, :n]
            # dc_t = dh_t o_t (1 - tanh²(c_t)) + dc_{t+1} f_{t+1}
            np.multiply(dh, dc_from_dh, out=dc[:n])
            dc[:n] += dc_carried[:n]
            # The factors of i, f and g times dc, the output gate's times dh.
            d = dZ[t, :n].reshape(n, 4, Hd)
            np.multiply(d[:, :2], dc[:n, np.newaxis], out=d[:, :2])
            np.multiply(d[:, 2], dh, out=d[:, 2])
            np.multiply(d[:, 3], dc[:n], out=d[:, 3])
            np.multiply(dc[:n], f[t, :n], out=dc_carried[:n])
        return dZ, dZ

    def _sweep(self, Z, params, steps, cache, dH, dZ):
        """:func:`~skrnn.cells._base.backward_sweep` with the LSTM's factors.

        Yields ``(t, n, dc_from_dh)``: ``dZ[t]`` holds the derivative
        factors (see :meth:`_derivative_factors`) and ``dc_from_dh`` the
        running rows of ``o_t (1 - tanh²(c_t))``; the caller turns
        ``dZ[t, :n]`` into the gradient of the pre-activations. Shared by
        the LSTM cells.
        """
        C, tanh_C = cache
        B = Z.shape[1]
        block = block_length(B, Z.shape[2])
        dc_from_dh = np.empty((block, B, self.n_hidden), dtype=Z.dtype)

        def fill_factors(start, end):
            self._derivative_factors(
                Z[start:end],
                C[start : end + 1],
                tanh_C[start:end],
                dZ[start:end],
                dc_from_dh[: end - start],
            )

        sweep = backward_sweep(steps, block, fill_factors, dZ, dZ, params["U"], dH)
        for t, n, k in sweep:
            yield t, n, dc_from_dh[k, :n]

    @staticmethod
    def _derivative_factors(Z, C, tanh_C, dZ, dc_from_dh):
        """Fill ``dZ`` and ``dc_from_dh`` for a block of steps.

        ``dZ`` gets the factors that turn ``dc_t`` (``dh_t`` for the output
        gate) into the gradient of each pre-activation:
        ``i: g s_i (1 - s_i)``, ``f: c_{t-1} s_f (1 - s_f)``,
        ``o: tanh(c_t) s_o (1 - s_o)``, ``g: i (1 - g²)``; and
        ``dc_from_dh`` gets ``o (1 - tanh²(c_t))``, so that
        ``dc_t = dh_t dc_from_dh_t + dc_{t+1} f_{t+1}``. ``C`` holds one
        more step than the others: the cell state before the block.
        """
        Hd = C.shape[2]
        o, g = Z[:, :, 2 * Hd : 3 * Hd], Z[:, :, 3 * Hd :]
        # s (1 - s) over whole rows: contiguous, so much faster than over
        # the sigmoid blocks alone; the candidate's block is replaced below.
        np.subtract(1.0, Z, out=dZ)
        dZ *= Z
        d_cand = dZ[:, :, 3 * Hd :]
        np.multiply(g, g, out=d_cand)
        np.subtract(1.0, d_cand, out=d_cand)
        # Blocks i and g times g and i, in one call.
        shape = (*Z.shape[:2], 4, Hd)
        dZ.reshape(shape)[:, :, ::3] *= Z.reshape(shape)[:, :, 3::-3]
        dZ[:, :, Hd : 2 * Hd] *= C[:-1]
        dZ[:, :, 2 * Hd : 3 * Hd] *= tanh_C
        np.multiply(tanh_C, tanh_C, out=dc_from_dh)
        np.subtract(1.0, dc_from_dh, out=dc_from_dh)
        dc_from_dh *= o
