"""Gated recurrent unit."""

import numpy as np

from skrnn.cells._base import Cell, register_cell, sigmoid_, sigmoid_derivative, tanh_


@register_cell
class GRUCell(Cell):
    r"""Gated recurrent unit (Cho et al. 2014), ``cell="gru"``.

    .. math::

        [a_r, a_z, a_n] &= x_t W + b, \qquad [q_r, q_z, q_n] = h_{t-1} U \\
        r_t = \sigma(a_r + q_r), \quad z_t &= \sigma(a_z + q_z) \\
        n_t &= \tanh(a_n + r_t \odot q_n) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    Notation: ``W`` (n_inputs, 3H), ``U`` (H, 3H) and ``b`` (3H,) hold the
    reset gate ``r``, the update gate ``z`` and the candidate ``n`` side by
    side. The reset gate multiplies the recurrent product ``q_n`` (the
    "reset after" form of cuDNN and PyTorch), so all three recurrent products
    are one matrix product.
    """

    name = "gru"
    n_gates = 3

    def forward(self, Z, params, steps, H):
        U = params["U"]
        Hd = self.n_hidden
        Q_n = np.zeros(Z.shape[:2] + (Hd,), dtype=Z.dtype)
        for t, n in enumerate(steps):
            a = Z[t, :n]
            h_prev = H[t, :n]
            q = h_prev @ U
            rz = a[:, : 2 * Hd]
            rz += q[:, : 2 * Hd]
            sigmoid_(rz)
            r, z, cand = a[:, :Hd], a[:, Hd : 2 * Hd], a[:, 2 * Hd :]
            Q_n[t, :n] = q[:, 2 * Hd :]
            cand += r * Q_n[t, :n]
            tanh_(cand)
            h = H[t + 1, :n]
            np.subtract(h_prev, cand, out=h)
            h *= z
            h += cand
        return Q_n

    def backward(self, Z, params, steps, H, cache, dH, grads):
        Q_n = cache
        U_T = params["U"].T
        Hd = self.n_hidden
        r, z, cand = Z[:, :, :Hd], Z[:, :, Hd : 2 * Hd], Z[:, :, 2 * Hd :]
        # Derivative factors for all steps at once; with them the gradients
        # of the recurrent products are one multiplication per step:
        #   [dq_r, dq_z, dq_n] = dh [M_r, M_z, M_q]
        M_n = (1.0 - z) * (1.0 - cand * cand)  # da_n = dh M_n
        M = np.empty_like(Z)
        M_r, M_z, M_q = M[:, :, :Hd], M[:, :, Hd : 2 * Hd], M[:, :, 2 * Hd :]
        np.multiply(M_n, Q_n, out=M_r)
        M_r *= sigmoid_derivative(r)
        np.subtract(H[:-1], cand, out=M_z)
        M_z *= sigmoid_derivative(z)
        np.multiply(M_n, r, out=M_q)
        M_gates = M.reshape(Z.shape[:2] + (3, Hd))

        dZ_rec = np.zeros_like(Z)
        for t in range(len(steps) - 1, 0, -1):
            n = steps[t]
            dh = dH[t, :n]
            d_rec = dZ_rec[t, :n]
            np.multiply(
                M_gates[t, :n], dh[:, np.newaxis, :], out=d_rec.reshape(n, 3, Hd)
            )
            dh_prev = dH[t - 1, :n]
            dh_prev += dh * z[t, :n]
            dh_prev += d_rec @ U_T
        # Step 0 feeds the (constant) initial state: no recurrence to follow.
        n = steps[0]
        np.multiply(
            M_gates[0, :n],
            dH[0, :n, np.newaxis, :],
            out=dZ_rec[0, :n].reshape(n, 3, Hd),
        )
        # The input side differs only in the candidate block: da_n = dh M_n.
        dZ = dZ_rec.copy()
        np.multiply(M_n, dH, out=dZ[:, :, 2 * Hd :])
        return dZ, dZ_rec
