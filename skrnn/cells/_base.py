"""The cell interface and the registry that maps ``cell`` strings to classes.

A cell is one recurrent layer's update rule in one direction. The network
(:mod:`skrnn._network`) does everything that is the same for every cell: it
projects the inputs of all time steps with one matrix product
``Z = X W + b`` before the time loop, and after the backward sweep it forms
the weight gradients with one matrix product over all steps::

    dW = Xᵀ dZ,   db = Σ dZ,   dU = H_prevᵀ dZ_rec,   dX = dZ Wᵀ

The cell only runs the time loop: the recurrent product ``h_{t-1} U`` (all
gates fused in one matrix) and the gate non-linearities, forward and exactly
backward.

Batches arrive sorted by decreasing length, time-major, so at step ``t`` only
the first ``steps[t]`` rows of the batch are real; a cell touches only those
rows (a contiguous prefix), and leaves every other row of its buffers at zero.
"""

import numpy as np

from skrnn._workspace import FRESH

CELLS = {}


def register_cell(cls):
    """Class decorator: make ``cls`` available as ``cell=cls.name``."""
    CELLS[cls.name] = cls
    return cls


def get_cell(name, n_hidden, options=None):
    """Instantiate the cell registered under ``name`` with ``n_hidden`` units.

    ``options`` maps hyperparameter names to values; the cell receives those
    it declares in its ``options`` attribute.
    """
    cls = CELLS[name]
    options = options or {}
    return cls(n_hidden, **{key: options[key] for key in cls.options if key in options})


def sigmoid_(a):
    """Logistic sigmoid in place.

    float32: ``0.5 * tanh(0.5 a) + 0.5``, several times faster than
    :func:`scipy.special.expit`. float64: ``1 / (1 + exp(-a))``, because
    numpy's float64 ``exp`` is about twice as fast as its ``tanh``. Both are
    exact to rounding; ``exp`` overflowing to inf gives the right limit 0
    (the network silences that warning).
    """
    if a.dtype == np.float32:
        a *= 0.5
        np.tanh(a, out=a)
        a *= 0.5
        a += 0.5
    else:
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1.0
        np.reciprocal(a, out=a)
    return a


def tanh_(a):
    """Hyperbolic tangent in place; float64 as ``2 / (1 + exp(-2a)) - 1``."""
    if a.dtype == np.float32:
        np.tanh(a, out=a)
    else:
        a *= -2.0
        np.exp(a, out=a)
        a += 1.0
        np.divide(2.0, a, out=a)
        a -= 1.0
    return a


def halve_sigmoid_inputs_(Z, U, width):
    """Prepare float32 sigmoid gates for :func:`half_sigmoid_`.

    Halves the first ``width`` columns (the sigmoid gates) of the input
    projections ``Z`` in place, for all steps at once, and returns a copy of
    the recurrent weights ``U`` with the same columns halved: then
    ``half_sigmoid_`` of each step's pre-activation is the sigmoid.
    """
    Z[:, :, :width] *= 0.5
    U = U.copy()
    U[:, :width] *= 0.5
    return U


def half_sigmoid_(a):
    """``sigmoid(2 a)`` in place, as ``0.5 tanh(a) + 0.5``.

    For float32 gates whose pre-activations (input projections and weights)
    were halved beforehand: one pass fewer than :func:`sigmoid_` per step.
    """
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def tanh_grad_(d, t):
    """Multiply ``d`` in place by the tanh derivative ``1 - t²``."""
    d *= 1.0 - t * t
    return d


def zero_padding_(A, steps):
    """Zero the rows of time-major ``A`` beyond ``steps[t]`` at every step t.

    Backward passes compute derivative factors for whole buffers at once and
    then multiply only the running rows; this clears what the padded rows
    were left with.
    """
    batch_size = A.shape[1]
    for t, n in enumerate(steps):
        if n < batch_size:
            A[t, n:] = 0.0
    return A


# Elements of gate pre-activations that a backward pass treats as one block
# of steps: large enough to amortise numpy's per-call cost over several
# steps, small enough (256 KiB of float32) to stay in cache.
BLOCK_ELEMENTS = 1 << 16


def block_length(batch_size, width):
    """Steps per block for gate pre-activations of ``width`` per sequence."""
    return max(1, BLOCK_ELEMENTS // (batch_size * width))


def backward_sweep(steps, block, fill_factors, dZ, dZ_rec, U, dH):
    """The backward time loop of the gated cells, a block of steps at a time.

    What does not depend on the gradient flowing back (the derivative factors
    of the gates) is computed for a whole block of steps at once, by
    ``fill_factors(start, end)``, so that the loop makes few numpy calls per
    step; a block of :func:`block_length` steps stays in cache, where the
    whole sequence at once would be read from memory again.

    Yields ``(t, n, k)`` from the last step to the first: the step, its
    number of running sequences and its index within the block. The caller
    fills ``dZ[t, :n]`` and ``dZ_rec[t, :n]`` (the same array when the two
    coincide); when it asks for the next step, their padded rows are zeroed
    and ``dZ_rec[t, :n] Uᵀ`` is added into ``dH[t - 1, :n]``.
    """
    T, B, _ = dZ.shape
    # A contiguous copy: BLAS multiplies by it faster than by the transposed
    # view at these sizes.
    U_T = np.ascontiguousarray(U.T)
    recurrent = np.empty((B, U.shape[0]), dtype=dZ.dtype)
    for end in range(T, 0, -block):
        start = max(0, end - block)
        fill_factors(start, end)
        for t in range(end - 1, start - 1, -1):
            n = steps[t]
            yield t, n, t - start
            if n < B:
                dZ[t, n:] = 0.0
                dZ_rec[t, n:] = 0.0
            if t > 0:
                np.dot(dZ_rec[t, :n], U_T, out=recurrent[:n])
                dH[t - 1, :n] += recurrent[:n]


def orthogonal(rng, n):
    """A random ``n × n`` orthogonal matrix (QR of a Gaussian matrix)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


class Cell:
    """Base class of recurrent cells.

    Parameters
    ----------
    n_hidden : int
        Number of hidden units ``H``.

    Notes
    -----
    A subclass sets ``name`` (the registry key) and ``n_gates`` (the number of
    ``H``-wide blocks in ``W``, ``U`` and ``b``), and implements
    :meth:`forward` and :meth:`backward`. Parameters beyond ``W``, ``U`` and
    ``b`` are declared by :meth:`extra_parameters`.
    """

    name = None
    n_gates = 1
    #: Names of estimator hyperparameters the cell takes (e.g. clock periods).
    options = ()

    def __init__(self, n_hidden):
        self.n_hidden = n_hidden

    def parameter_shapes(self, n_inputs):
        """Names and shapes of the parameters, and whether each is a weight.

        Weights are penalised by ``alpha``; biases are not.

        Returns
        -------
        list of (name, shape, is_weight)
        """
        width = self.n_gates * self.n_hidden
        shapes = [
            ("W", (n_inputs, width), True),
            ("U", (self.n_hidden, width), True),
            ("b", (width,), False),
        ]
        return shapes + self.extra_parameters()

    def extra_parameters(self):
        """Parameters beyond ``W``, ``U`` and ``b``: list of (name, shape, is_weight)."""
        return []

    def initialize(self, params, rng):
        """Fill the parameter views in place.

        ``W`` is Glorot-uniform per gate block, ``U`` orthogonal per gate block
        (it keeps gradients from vanishing or exploding early in training),
        biases zero.
        """
        H = self.n_hidden
        n_inputs = params["W"].shape[0]
        bound = np.sqrt(6.0 / (n_inputs + H))
        params["W"][...] = rng.uniform(-bound, bound, params["W"].shape)
        for gate in range(self.n_gates):
            params["U"][:, gate * H : (gate + 1) * H] = orthogonal(rng, H)
        params["b"][...] = 0.0

    def finalize_gradients(self, grads):
        """Adjust the finished ``W``, ``U``, ``b`` gradients (e.g. mask them)."""

    def forward(self, Z, params, steps, H, carry=None, workspace=FRESH):
        """Run the cell over all time steps.

        Parameters
        ----------
        Z : ndarray of shape (T, B, n_gates * n_hidden)
            Input projections ``x_t W + b``; the cell may overwrite it (with
            its gate activations, say).
        params : dict of ndarray
            The cell's parameter views.
        steps : list of int
            ``steps[t]`` is the number of sequences still running at step t.
        H : ndarray of shape (T + 1, B, n_hidden)
            Zeros on entry except ``H[0]``, the initial state (zero, or the
            last state of the previous chunk under truncated
            backpropagation). The cell writes ``h_t`` into
            ``H[t + 1, :steps[t]]``.
        carry : object or None, default=None
            What :meth:`final_carry` returned at the end of the previous
            chunk of the same sequences (state beyond ``h``, such as an
            LSTM's cell state), or None at the start of the sequences.
        workspace : Workspace or FreshArrays, default=FRESH
            Where the cell takes its large arrays from, by name (see
            :mod:`skrnn._workspace`); they stay valid until the same names
            are asked for again, after this forward pass's backward pass.

        Returns
        -------
        cache : object
            Whatever :meth:`backward` needs besides ``Z`` and ``H``.
        """
        raise NotImplementedError

    def final_carry(self, cache, n):
        """State beyond ``h`` after the last step, for the first ``n`` rows.

        Passed back to :meth:`forward` as ``carry`` when the same sequences
        continue in a next chunk of time steps (truncated backpropagation
        through time, step-by-step forecasting). None for cells whose whole
        state is ``h``.
        """
        return None

    def backward(self, Z, params, steps, H, cache, dH, grads, workspace=FRESH):
        """Backpropagate through time.

        Parameters
        ----------
        Z, params, steps, H, cache
            As left by :meth:`forward`.
        dH : ndarray of shape (T, B, n_hidden)
            Gradient of the loss with respect to ``H[1:]`` from the layers
            above; the cell may add the recurrent gradient into it in place.
        grads : dict of ndarray
            Gradient views of the cell's parameters; the cell adds into those
            of its :meth:`extra_parameters` (the network forms ``W``, ``U``
            and ``b`` gradients). Adding, not assigning, lets the chunks of
            truncated backpropagation accumulate one gradient. The gradient
            with respect to the initial state ``H[0]`` is not propagated.
        workspace : Workspace or FreshArrays, default=FRESH
            As in :meth:`forward` (the same scope).

        Returns
        -------
        dZ : ndarray of shape (T, B, n_gates * n_hidden)
            Gradient with respect to the input projections ``Z``.
        dZ_rec : ndarray of shape (T, B, n_gates * n_hidden)
            Gradient with respect to the recurrent products ``h_{t-1} U``
            (the same array as ``dZ`` for cells where the two coincide).
            Zero at padded steps.
        """
        raise NotImplementedError
