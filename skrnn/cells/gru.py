"""Gated recurrent unit."""

import numpy as np

from skrnn._workspace import FRESH
from skrnn.cells._base import (
    Cell,
    backward_sweep,
    block_length,
    half_sigmoid_,
    halve_sigmoid_inputs_,
    register_cell,
    sigmoid_,
    tanh_,
    zero_padding_,
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
        B = Z.shape[1]
        fused = Z.dtype == np.float32
        if fused:
            # Each sigmoid one tanh and an affine map (see half_sigmoid_).
            U = halve_sigmoid_inputs_(Z, U, 2 * Hd)
        Q_n = workspace.empty("Q_n", Z.shape[:2] + (Hd,), Z.dtype)
        # The backward pass reads whole blocks of steps: padded rows zero.
        zero_padding_(Q_n, steps)
        # Scratch rows reused at every step (as in the LSTM cell).
        recurrent = np.empty((B, 3 * Hd), dtype=Z.dtype)
        product = np.empty((B, Hd), dtype=Z.dtype)
        for t, n in enumerate(steps):
            a = Z[t, :n]
            h_prev = H[t, :n]
            q = recurrent[:n]
            np.dot(h_prev, U, out=q)
            rz = a[:, : 2 * Hd]
            rz += q[:, : 2 * Hd]
            if fused:
                half_sigmoid_(rz)
            else:
                sigmoid_(rz)
            r, z, cand = a[:, :Hd], a[:, Hd : 2 * Hd], a[:, 2 * Hd :]
            Q_n[t, :n] = q[:, 2 * Hd :]
            np.multiply(r, q[:, 2 * Hd :], out=product[:n])
            cand += product[:n]
            tanh_(cand)
            h = H[t + 1, :n]
            np.subtract(h_prev, cand, out=h)
            h *= z
            h += cand
        return Q_n

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        Q_n = cache
        Hd = self.n_hidden
        B = Z.shape[1]
        r, z = Z[:, :, :Hd], Z[:, :, Hd : 2 * Hd]
        dZ = workspace.empty("dZ", Z.shape, Z.dtype)
        dZ_rec = workspace.empty("dZ_rec", Z.shape, Z.dtype)
        block = block_length(B, Z.shape[2])
        spare = np.empty((block, B, Hd), dtype=Z.dtype)

        def fill_factors(start, end):
            self._derivative_factors(
                Z[start:end], H[start:end], Q_n[start:end], dZ[start:end], spare
            )

        product = np.empty((B, Hd), dtype=Z.dtype)
        sweep = backward_sweep(steps, block, fill_factors, dZ, dZ_rec, params["U"], dH)
        for t, n, _ in sweep:
            dh = dH[t, :n]
            d = dZ[t, :n].reshape(n, 3, Hd)
            # dz = dh (h_prev - n) z (1 - z) and dn = dh (1 - z) (1 - n²)
            np.multiply(d[:, 1:], dh[:, np.newaxis], out=d[:, 1:])
            # dr = dn q_n r (1 - r)
            d[:, 0] *= d[:, 2]
            # The recurrent product q_n enters through r: its gradient is dn r.
            d_rec = dZ_rec[t, :n]
            d_rec[:, : 2 * Hd] = dZ[t, :n, : 2 * Hd]
            np.multiply(d[:, 2], r[t, :n], out=d_rec[:, 2 * Hd :])
            if t > 0:
                np.multiply(dh, z[t, :n], out=product[:n])
                dH[t - 1, :n] += product[:n]
        return dZ, dZ_rec

    @staticmethod
    def _derivative_factors(Z, H_prev, Q_n, dZ, spare):
        """Fill ``dZ`` for a block of steps with the factors that turn
        ``dn_t`` (for ``r``) or ``dh_t`` (for ``z`` and ``n``) into the
        gradient of each pre-activation: ``r: q_n r (1 - r)``,
        ``z: (h_{t-1} - n) z (1 - z)``, ``n: (1 - z) (1 - n²)``.
        ``spare`` is scratch of at least the block's (steps, B, H).
        """
        Hd = Q_n.shape[2]
        z, cand = Z[:, :, Hd : 2 * Hd], Z[:, :, 2 * Hd :]
        spare = spare[: len(Z)]
        # s (1 - s) over whole contiguous rows; the candidate's block is
        # replaced below.
        np.subtract(1.0, Z, out=dZ)
        dZ *= Z
        dZ[:, :, :Hd] *= Q_n
        np.subtract(H_prev, cand, out=spare)
        dZ[:, :, Hd : 2 * Hd] *= spare
        d_cand = dZ[:, :, 2 * Hd :]
        np.multiply(cand, cand, out=d_cand)
        np.subtract(1.0, d_cand, out=d_cand)
        np.subtract(1.0, z, out=spare)
        d_cand *= spare
