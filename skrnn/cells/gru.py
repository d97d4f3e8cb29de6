"""Gated recurrent unit."""

import numpy as np

from skrnn._workspace import FRESH
from skrnn.cells._base import (
    Cell,
    register_cell,
    sigmoid_,
    sigmoid_grad_,
    tanh_,
    tanh_grad_,
)


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

    def forward(self, Z, params, steps, H, carry=None, workspace=FRESH):
        U = params["U"]
        Hd = self.n_hidden
        # Only the running rows of Q_n are written and read.
        Q_n = workspace.empty("Q_n", Z.shape[:2] + (Hd,), Z.dtype)
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

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        Q_n = cache
        # A contiguous copy: BLAS multiplies by it faster than by the
        # transposed view at these sizes.
        U_T = np.ascontiguousarray(params["U"].T)
        Hd = self.n_hidden
        dZ = workspace.zeros("dZ", Z.shape, Z.dtype)
        dZ_rec = workspace.zeros("dZ_rec", Z.shape, Z.dtype)
        for t in range(len(steps) - 1, -1, -1):
            n = steps[t]
            a = Z[t, :n]
            r, z, cand = a[:, :Hd], a[:, Hd : 2 * Hd], a[:, 2 * Hd :]
            d = dZ[t, :n]
            dr, dz, dn = d[:, :Hd], d[:, Hd : 2 * Hd], d[:, 2 * Hd :]
            d_rec = dZ_rec[t, :n]
            dh = dH[t, :n]
            h_prev = H[t, :n]
            # dn = dh (1 - z) (1 - n²)
            np.multiply(dh, z, out=dn)
            np.subtract(dh, dn, out=dn)
            tanh_grad_(dn, cand)
            # dz = dh (h_prev - n) z (1 - z)
            np.subtract(h_prev, cand, out=dz)
            dz *= dh
            np.multiply(dn, r, out=d_rec[:, 2 * Hd :])
            np.multiply(dn, Q_n[t, :n], out=dr)
            sigmoid_grad_(d[:, : 2 * Hd], a[:, : 2 * Hd])
            d_rec[:, : 2 * Hd] = d[:, : 2 * Hd]
            if t > 0:
                dh_prev = dH[t - 1, :n]
                dh_prev += dh * z
                dh_prev += d_rec @ U_T
        return dZ, dZ_rec
