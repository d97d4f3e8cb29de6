"""Random reservoirs for echo state networks: weights and spectral scaling."""

import numbers

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs
from sklearn.utils import check_random_state

__all__ = ["Reservoir", "make_reservoir", "spectral_radius"]

_DENSE_LIMIT = 600


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
