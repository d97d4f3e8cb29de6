"""Clockwork recurrent cell."""

import numpy as np

from skrnn._workspace import FRESH
from skrnn.cells._base import Cell, register_cell, tanh_, tanh_grad_


@register_cell
class ClockworkCell(Cell):
    r"""Clockwork RNN (Koutník et al. 2014), ``cell="clockwork"``.

    The hidden units are split into ``len(clock_periods)`` equal groups,
    ordered by period ``T_k``. At step ``t`` only the groups with
    ``t mod T_k = 0`` update; the others keep their state:

    .. math::

        h_t[k] = \begin{cases}
            \tanh(x_t W[:, k] + h_{t-1} (U \odot M)[:, k] + b[k])
                & \text{if } t \bmod T_k = 0 \\
            h_{t-1}[k] & \text{otherwise}
        \end{cases}

    Notation: ``W`` (n_inputs, H), ``U`` (H, H), ``b`` (H,) as in the Elman
    cell; ``M`` is the fixed 0/1 mask that lets a unit read only from units
    whose period is at least its own (slower groups feed faster ones), so
    ``U ⊙ M`` is block triangular. Masked entries of ``U`` stay zero.

    Parameters
    ----------
    n_hidden : int
        Number of hidden units; a multiple of ``len(clock_periods)``.
    clock_periods : sequence of int, default=(1, 2, 4, 8)
        Period of each group.
    """

    name = "clockwork"
    n_gates = 1
    options = ("clock_periods",)

    def __init__(self, n_hidden, clock_periods=(1, 2, 4, 8)):
        super().__init__(n_hidden)
        periods = np.sort(np.asarray(clock_periods).ravel())
        if (
            periods.size == 0
            or not np.issubdtype(periods.dtype, np.integer)
            or periods.min() < 1
        ):
            raise ValueError(
                "clock_periods must be a non-empty sequence of positive integers, "
                f"got {clock_periods!r}."
            )
        if n_hidden % periods.size:
            raise ValueError(
                f"A clockwork layer of {n_hidden} units cannot be split into "
                f"{periods.size} equal groups (clock_periods={tuple(clock_periods)}); "
                "choose hidden_layer_sizes that are multiples of len(clock_periods)."
            )
        self.unit_periods = np.repeat(periods, n_hidden // periods.size)
        # mask[j, i]: unit j may feed unit i when j is at least as slow.
        self.mask = self.unit_periods[:, np.newaxis] >= self.unit_periods[np.newaxis, :]

    def _active(self, t):
        """The units that update at step t: a slice when they lead the layer."""
        active = np.flatnonzero(t % self.unit_periods == 0)
        if active.size == 0 or active[-1] == active.size - 1:
            return slice(0, active.size)
        return active

    def initialize(self, params, rng):
        super().initialize(params, rng)
        params["U"] *= self.mask

    def forward(self, Z, params, steps, H, carry=None, workspace=FRESH):
        # The clocks run on the sequence's own time: a chunk that continues
        # a sequence (carry) starts at the step where the last one ended.
        start = 0 if carry is None else carry
        U = params["U"] * self.mask
        for t, n in enumerate(steps):
            active = self._active(start + t)
            h_prev = H[t, :n]
            h = H[t + 1, :n]
            h[...] = h_prev
            updated = Z[t, :n][:, active] + h_prev @ U[:, active]
            h[:, active] = tanh_(updated)
        return start, len(steps)

    def final_carry(self, cache, n):
        """The time step at which a next chunk starts (the clocks' phase)."""
        start, n_steps = cache
        return start + n_steps

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        start, _ = cache
        # Contiguous: BLAS multiplies by it faster than by a transposed view.
        U_T = np.ascontiguousarray((params["U"] * self.mask).T)
        dZ = workspace.zeros("dZ", Z.shape, Z.dtype)
        for t in range(len(steps) - 1, -1, -1):
            n = steps[t]
            active = self._active(start + t)
            dh = dH[t, :n]
            d = dh[:, active] * 1.0
            tanh_grad_(d, H[t + 1, :n][:, active])
            dZ[t, :n][:, active] = d
            if t > 0:
                # Units that did not update pass their gradient straight on.
                carried = dh.copy()
                carried[:, active] = 0.0
                d_prev = dH[t - 1, :n]
                d_prev += carried
                d_prev += dZ[t, :n] @ U_T
        return dZ, dZ

    def finalize_gradients(self, grads):
        grads["U"] *= self.mask
