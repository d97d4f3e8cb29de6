"""Random reservoirs for echo state networks: weights, spectral scaling and
batched state harvesting."""

import functools
import numbers

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs
from sklearn.utils import check_random_state

__all__ = [
    "Reservoir",
    "harvest",
    "make_reservoir",
    "run_closed_loop",
    "spectral_radius",
]


def _seed_sequence(random_state):
    """SeedSequence from None (fresh entropy), an int or a RandomState."""
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, numbers.Integral):
        return np.random.SeedSequence(int(random_state))
    rng = check_random_state(random_state)
    return np.random.SeedSequence(int(rng.randint(np.iinfo(np.int32).max)))


def _power_iteration(W, n_iter=500, seed=0):
    """Bounded power iteration estimate of the spectral radius."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(W.shape[0])
    v /= np.linalg.norm(v)
    estimate = 0.0
    for _ in range(n_iter):
        w = W @ v
        norm = np.linalg.norm(w)
        if norm == 0:
            return 0.0
        # Two steps per norm ratio tolerates complex-conjugate dominant pairs.
        w2 = W @ (w / norm)
        norm2 = np.linalg.norm(w2)
        estimate = np.sqrt(norm * norm2)
        v = w2 / max(norm2, np.finfo(float).tiny)
    return float(estimate)


def spectral_radius(W, *, maxiter=None, tol=1e-8):
    """Largest absolute eigenvalue of a square sparse or dense matrix.

    ARPACK (``eigs``, ``k=1``, ``which="LM"``) with bounded iterations; small
    matrices and ARPACK failures use dense ``eigvals`` (or, for large
    matrices, a bounded power iteration), so this never hangs.
    """
    n = W.shape[0]
    if n == 0:
        return 0.0
    if n <= 64 or (sp.issparse(W) and W.nnz == 0):
        dense = W.toarray() if sp.issparse(W) else np.asarray(W)
        return float(np.max(np.abs(np.linalg.eigvals(dense)))) if n else 0.0
    try:
        values = eigs(
            W.astype(np.float64),
            k=1,
            which="LM",
            maxiter=maxiter or 20 * n,
            tol=tol,
            ncv=min(n - 1, 64),
            return_eigenvectors=False,
            v0=np.random.default_rng(0).uniform(-1.0, 1.0, n),
        )
        return float(np.max(np.abs(values)))
    except (ArpackNoConvergence, ArpackError):
        if n <= 3000:
            dense = W.toarray() if sp.issparse(W) else np.asarray(W)
            return float(np.max(np.abs(np.linalg.eigvals(dense))))
        return _power_iteration(W)


class Reservoir:
    """Fixed random weights of an echo state network.

    Attributes
    ----------
    W : scipy.sparse.csr_matrix of shape (n_reservoir, n_reservoir)
    W_in : ndarray of shape (n_reservoir, n_inputs)
    W_fb : ndarray of shape (n_reservoir, n_outputs) or None
    bias : ndarray of shape (n_reservoir,)
    noise_seed : numpy.random.SeedSequence
    """

    def __init__(self, W, W_in, W_fb, bias, noise_seed):
        self.W = W
        self.W_in = W_in
        self.W_fb = W_fb
        self.bias = bias
        self.noise_seed = noise_seed


def make_reservoir(
    n_reservoir,
    n_inputs,
    n_outputs,
    *,
    density,
    spectral_radius: float,
    input_scaling,
    bias_scaling,
    feedback,
    feedback_scaling,
    random_state,
):
    """Draw reservoir weights from independent random streams.

    One :class:`numpy.random.SeedSequence` is spawned into children for W,
    W_in, W_fb, the bias and the training noise, so changing the input width
    does not change W and vice versa.
    """
    seeds = _seed_sequence(random_state).spawn(5)
    rng_w, rng_in, rng_fb, rng_b = (np.random.default_rng(s) for s in seeds[:4])
    N = n_reservoir
    nnz = max(1, int(round(density * N * N)))
    flat = rng_w.choice(N * N, size=nnz, replace=False)
    data = rng_w.uniform(-1.0, 1.0, size=nnz)
    W = sp.csr_matrix((data, (flat // N, flat % N)), shape=(N, N))
    W.sum_duplicates()
    W.sort_indices()
    rho = _spectral_radius(W)
    if rho > 0:
        W = (W * (spectral_radius / rho)).tocsr()
    W_in = rng_in.uniform(-input_scaling, input_scaling, size=(N, n_inputs))
    W_fb = (
        rng_fb.uniform(-feedback_scaling, feedback_scaling, size=(N, n_outputs))
        if feedback
        else None
    )
    bias = rng_b.uniform(-bias_scaling, bias_scaling, size=N)
    return Reservoir(W, W_in, W_fb, bias, seeds[4])


_spectral_radius = spectral_radius


try:  # The kernels behind ``csr_matrix @ dense``, called without the dispatch.
    from scipy.sparse._sparsetools import csr_matvec, csr_matvecs
except ImportError:  # pragma: no cover - a scipy that moved its private kernels
    csr_matvec = csr_matvecs = None


def _recurrent_kernel(W, m):
    """A function ``f(x, out)`` doing ``out += W @ x`` in place.

    ``x`` and ``out`` are C-contiguous, of shape (N,) when ``m == 1`` and
    (N, m) otherwise. This is the only product inside the time loop. For
    small batches scipy's operator dispatch costs as much as the product
    itself and ``W @ x`` allocates; the CSR kernel accumulates straight into
    the pre-activation buffer. It sums every output element in the same
    order whatever ``m`` is, so a sequence gets bit-identical states alone
    or in a batch.
    """
    n = W.shape[0]
    if csr_matvecs is None:  # pragma: no cover

        def product(x, out):
            out += W @ x

        return product
    if m == 1:
        return functools.partial(csr_matvec, n, n, W.indptr, W.indices, W.data)
    return functools.partial(csr_matvecs, n, n, m, W.indptr, W.indices, W.data)


def _activate(pre, x, a, spare):
    """``pre <- (1 - a) x + a tanh(pre)`` in place; ``spare`` is scratch."""
    np.tanh(pre, out=pre)
    if a != 1.0:
        pre *= a
        np.multiply(x, 1.0 - a, out=spare)
        pre += spare


def harvest(
    reservoir,
    values,
    lengths,
    *,
    leak_rate,
    feedback_signal=None,
    readout=None,
    noise=0.0,
    rng=None,
    sink=None,
    chunk_samples=4096,
):
    r"""Drive the reservoir over a padded batch of sequences.

    .. math::

        x_t = (1 - a)\, x_{t-1} + a \tanh(W_{in} u_t + W x_{t-1}
              + W_{fb} y_{t-1} + b) + \sigma \varepsilon_t

    The sequences run together, sorted by decreasing length so that those
    still running are always the first ``m``; time is cut into segments over
    which ``m`` is constant and those into chunks of about ``chunk_samples``
    (step, sequence) pairs. A chunk is one buffer ``Z`` of shape
    ``(c, D, m)`` that holds the readout features ``[1, u_t, x_t, y_{t-1}]``
    of each step and sequence as a column: inputs, bias and teacher-forced
    feedback of all its steps are projected before the time loop, and each
    step only adds ``W x_{t-1}`` into its slab, takes the ``tanh`` in place
    and mixes in the leak; without noise or closed-loop feedback nothing is
    allocated per step.

    Parameters
    ----------
    reservoir : Reservoir
        The fixed weights.
    values : ndarray of shape (n, T, F)
        Inputs, padded after the end of each sequence.
    lengths : ndarray of shape (n,)
        Length of every sequence, at least 1.
    leak_rate : float
        Leak rate ``a``.
    feedback_signal : ndarray of shape (n, T, k), default=None
        With feedback weights: ``y_{t-1} = feedback_signal[:, t - 1]``
        (teacher forcing), and zero at ``t = 0``.
    readout : ndarray of shape (D, k), default=None
        With feedback weights and no ``feedback_signal``, close the loop:
        ``y_t = readout.T @ [1, u_t, x_t, y_{t-1}]`` is fed back.
    noise : float, default=0.0
        Standard deviation ``sigma`` of Gaussian noise added to every state.
    rng : numpy.random.Generator, default=None
        Source of the noise.
    sink : callable, default=None
        ``sink(rows, t0, Z)`` receives every chunk: ``rows`` the original
        positions of its ``m`` sequences, ``t0`` its first step and ``Z`` the
        features (read-only; every column is a real step, no padding). ``Z``
        is valid during the call only: the next chunk reuses its memory.
    chunk_samples : int, default=4096
        Target number of (step, sequence) pairs per chunk: large enough for
        the readout's ``Z Z^T`` to run at BLAS speed, small enough to stay
        in cache-friendly memory.

    Returns
    -------
    states : ndarray of shape (n, N)
        ``x`` at the last step of every sequence.
    inputs : ndarray of shape (n, F)
        ``u`` at the last step of every sequence.
    """
    W, W_fb = reservoir.W, reservoir.W_fb
    n, _, F = values.shape
    N = W.shape[0]
    k = 0 if W_fb is None else W_fb.shape[1]
    D = 1 + F + N + k
    xs, xe = 1 + F, 1 + F + N  # rows of the state in a feature column
    a = float(leak_rate)
    closed = k > 0 and feedback_signal is None and readout is not None
    # The bias is the weight of the constant feature: one product projects
    # the constant and the inputs of a whole chunk.
    W_const_in = np.hstack([reservoir.bias[:, np.newaxis], reservoir.W_in])
    order = np.argsort(-lengths, kind="stable")
    lens = lengths[order]
    final_x, final_u = np.empty((n, N)), np.empty((n, F))
    x = np.zeros((N, n))  # running states, one column per sequence
    y = np.zeros((k, n))  # previous output, closed-loop feedback only
    # One buffer for every chunk (c * m <= max(chunk_samples, n) columns):
    # a fresh one per chunk was faulted in page by page each time.
    buffer = np.empty(D * max(chunk_samples, n))
    t = 0
    for end in np.unique(lens):
        m = int(np.count_nonzero(lens >= end))
        rows = order[:m]
        # The kernel needs contiguous columns: drop the finished sequences.
        x, y = np.ascontiguousarray(x[:, :m]), np.ascontiguousarray(y[:, :m])
        product = _recurrent_kernel(W, m)
        # With one sequence, work on 1D slabs: the kernel for one vector is
        # several times faster than the one for a block of them.
        squeeze = m == 1
        if squeeze:
            x, y = x[:, 0], y[:, 0]
        spare = np.empty_like(x)
        c_max = max(1, chunk_samples // m)
        while t < end:
            c = int(min(c_max, end - t))
            Z = buffer[: c * D * m].reshape(c, D, m)
            Z[:, 0] = 1.0
            Z[:, 1:xs] = values[rows, t : t + c].transpose(1, 2, 0)
            np.matmul(W_const_in, Z[:, :xs], out=Z[:, xs:xe])
            if k and not closed:
                prev = np.zeros((c, k, m))
                if feedback_signal is not None:
                    fb = feedback_signal[rows, max(t - 1, 0) : t + c - 1]
                    prev[c - fb.shape[1] :] = fb.transpose(1, 2, 0)
                Z[:, xe:] = prev
                Z[:, xs:xe] += np.matmul(W_fb, prev)
            columns = Z[..., 0] if squeeze else Z
            for j in range(c):
                column = columns[j]
                slab = column[xs:xe]
                if closed:
                    column[xe:] = y
                    slab += W_fb @ y
                product(x, slab)
                _activate(slab, x, a, spare)
                if noise:
                    slab += noise * rng.standard_normal(slab.shape)
                x = slab
                if closed:
                    y = readout.T @ column
            # Own copy: the next chunk overwrites this one.
            x = x.copy()
            if sink is not None:
                Z.flags.writeable = False
                sink(rows, t, Z)
            t += c
        if squeeze:
            x, y = x[:, np.newaxis], y[:, np.newaxis]
        done = order[int(np.count_nonzero(lens > end)) : m]
        final_x[done] = x[:, m - len(done) :].T
        final_u[done] = values[done, end - 1]
    return final_x, final_u


def run_closed_loop(
    reservoir,
    states,
    inputs,
    previous,
    readout,
    n_steps,
    leak_rate,
    *,
    to_input=None,
    covariates=None,
    progress=None,
):
    r"""Generate ``n_steps`` outputs, each fed back as the next input.

    .. math::

        y_s = R [1, u_s, x_s(, y_{s-1})], \qquad u_{s+1} = [g \circ y_s + h, c_s]

    where the affine map ``(g, h)`` takes an output to the scale of the
    inputs (the identity unless the estimator standardises inputs and
    targets differently). Since the fed-back output is both the next input
    and, with feedback weights, the previous output, the map is folded into
    the weights once, and the loop carries only ``y`` and ``x``. The known
    covariates ``c_s`` (none by default) are the input features after the
    ``k`` outputs; their weights act on them step by step.

    Parameters
    ----------
    reservoir : Reservoir
        The fixed weights; with feedback weights the output also enters
        through ``W_fb``.
    states : ndarray of shape (n, N)
        States after the last context step.
    inputs : ndarray of shape (n, F)
        Inputs at the last context step.
    previous : ndarray of shape (n, k) or None
        Previous outputs at the last context step, with feedback.
    readout : ndarray of shape (D, k)
        Readout on ``[1, u, x(, y_prev)]``; ``k`` must equal ``F`` less the
        number of covariates.
    n_steps : int
        Number of outputs.
    leak_rate : float
        Leak rate ``a``.
    to_input : tuple of two ndarray of shape (k,), default=None
        ``(g, h)``: the next input is ``g * y + h``. None is the identity.
    covariates : ndarray of shape (n, n_steps, F - k), default=None
        The last input features of each fed-back step, on the inputs' scale:
        step ``s`` follows output ``s`` (the last step is not read).
    progress : callable, default=None
        Called with the number of steps done after every step.

    Returns
    -------
    outputs : ndarray of shape (n, n_steps, k)
    """
    W, W_in, W_fb = reservoir.W, reservoir.W_in, reservoir.W_fb
    n, F = inputs.shape
    N = W.shape[0]
    k = readout.shape[1]
    a = float(leak_rate)
    g, h = (np.ones(k), np.zeros(k)) if to_input is None else to_input
    c0 = readout[0][:, np.newaxis]
    R_u, R_x = readout[1 : 1 + F].T, readout[1 + F : 1 + F + N].T
    R_y = None if W_fb is None else readout[1 + F + N :].T
    # The covariates' weights, in the reservoir and in the readout.
    W_c, R_c = W_in[:, k:], R_u[:, k:]
    W_in_y, R_u_y = W_in[:, :k], R_u[:, :k]
    # From the second step on the input is g * y + h: its weights, in the
    # reservoir and in the readout, act on y, and h becomes a constant.
    W_y = W_in_y * g if W_fb is None else W_in_y * g + W_fb
    bias_y = (reservoir.bias + W_in_y @ h)[:, np.newaxis]
    R_next = R_u_y * g if R_y is None else R_u_y * g + R_y
    c_next = c0 + (R_u_y @ h)[:, np.newaxis]
    x = np.ascontiguousarray(states.T)
    out = np.empty((n_steps, k, n))
    pre, spare = np.empty((N, n)), np.empty((N, n))
    product = _recurrent_kernel(W, n)
    # The first output reads the last context step's own input and output.
    y = R_x @ x
    y += R_u @ inputs.T
    y += c0
    if R_y is not None:
        y += R_y @ previous.T
    for s in range(n_steps):
        out[s] = y
        if progress is not None:
            progress(s + 1)
        if s == n_steps - 1:
            break
        np.matmul(W_y, y, out=pre)
        pre += bias_y
        if covariates is not None:
            c = covariates[:, s].T
            pre += W_c @ c
        product(x, pre)
        _activate(pre, x, a, spare)
        x, pre = pre, x
        y_next = R_x @ x
        y_next += R_next @ y
        y_next += c_next
        if covariates is not None:
            y_next += R_c @ c
        y = y_next
    return out.transpose(2, 0, 1)
