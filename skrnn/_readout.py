r"""The ridge readout of the echo state networks: its sums and its solve.

The readout is a ridge regression of targets ``y`` on feature columns
``z = [1, u_t, x_t(, y_{t-1})]``, the constant not penalised. Everything it
needs from the data is five sums over the training rows, each row weighted
by ``w``:

.. math::

    S = \sum w, \quad G = \sum w\, z z^\top, \quad B = \sum w\, z y^\top,
    \quad Q = \sum w\, y \circ y

(``S`` is ``G[0, 0]``, since the first feature is the constant; the first row
of ``G`` and ``B`` holds the weighted sums of the features and targets).
:class:`ReadoutSums` holds them; adding rows to them, or adding two of them
(two chunks, two ``partial_fit`` calls, two workers), are the same sums in
another order. :func:`solve_readout` turns them into weights.

Choosing the penalty (generalized cross-validation)
----------------------------------------------------
Centre the sums (the constant then drops out of the problem)::

    mean_z = G[0, 1:] / S,  mean_y = B[0] / S
    C = G[1:, 1:] - S mean_z mean_zᵀ        (D x D)
    r = B[1:] - mean_z B[0]ᵀ                (D x k)
    q = Q - S mean_y²                       (k,)

and decompose ``C = V diag(λ) Vᵀ`` once. With ``p = Vᵀ r``, the ridge
weights for a penalty ``α`` are ``β = V diag(1 / (λ + α)) p``; their weighted
residual sum of squares follows from the sums alone::

    RSS(α) = q - 2 βᵀ r + βᵀ C β
           = Σ_k [ q_k - Σ_j p_jk² (λ_j + 2α) / (λ_j + α)² ]

and the trace of the hat matrix (the effective number of parameters, the
constant included) is ``df(α) = 1 + Σ_j λ_j / (λ_j + α)``. The generalized
cross-validation score (Golub, Heath and Wahba, 1979) is

    GCV(α) = n · RSS(α) / (n - γ df(α))²,

where ``n`` counts the observations: sample weights count as frequencies
(so that a weight of 2 is a repeated row), while factors that change a
row's importance without adding data (class weights) weigh the residuals
and the Gram matrix but do not count as more rows. (With frequencies only,
a class weighted a thousand times would count as a thousand times more
data, and GCV would let the readout interpolate the other classes.) Efficient leave-one-out, which :class:`~sklearn.linear_model.RidgeCV`
uses, needs every row's leverage, which the sums do not keep; GCV replaces
each leverage by their mean ``df / n``. Every candidate ``α`` costs ``O(D k)``
once the decomposition is done, so the grid can be long.

Each degree of freedom costs ``γ`` in the denominator. Plain GCV (``γ =
1``) is known to favour nearly interpolating fits when rows are few and
targets noisy; Kim and Gu (2004) recommend ``γ = 1.4`` (the default of the
R package gss for smoothing splines), which the regressor uses (on the
benchmarks' short noisy series plain GCV chose penalties of 1e-8 whose
forecasts ran away). The classifier keeps
``γ = 1``: its one-hot targets carry no noise to fit, accuracy does not
suffer from a close fit as squared error does, and on the benchmarks'
classification sets ``γ = 1.4`` over-regularised (0.06 to 0.28 lower
accuracy).

Unpenalised columns (direct input terms)
----------------------------------------
The first ``f`` features after the constant may be left unpenalised, as the
constant is: the regressor's direct input window (an echo state network
with input-to-output connections, ``[1, u_{T-w+1}, ..., u_T, x_T]``), whose
linear terms then cost nothing, while the reservoir's ``x_T`` is shrunk.
They are eliminated like the constant, after the centring: with ``C`` split
into the free block ``A`` (f x f), the penalised block ``E`` and the cross
block ``B`` (``E``'s rows, ``A``'s columns), and ``A⁺`` the pseudo-inverse
of ``A`` (its numerical null space dropped)::

    C̃ = E - B A⁺ Bᵀ,   r̃ = r_E - B A⁺ r_A,   q̃ = q - diag(r_Aᵀ A⁺ r_A)

is the ridge problem of the penalised weights, solved (and its ``α``
chosen) as above, with ``rank(A)`` more degrees of freedom; the free
weights follow as ``A⁺ (r_A - Bᵀ β)``. Nothing changes in the sums: which
columns are free is decided at the solve. When ``C̃`` is zero (its trace
below ``√eps`` of ``E``'s), nothing is free: the free columns span every
row, as they do when there are no more rows than ``rank(A) + 1``, so with
the constant they alone would fit every target exactly, and only the
penalty can keep their weights bounded.

Numerical safeguards. The residual is a difference of large sums; the part
of it below the rounding of ``q`` (``D·eps·q``) is noise, and a penalty
whose fit would interpolate the data (``γ df`` close to ``n``) would divide
that noise by nearly zero: the residual is floored at that rounding level,
and ``n - γ df`` must stay above one half. With no more rows
than features, the data can be fitted exactly, and the residual of an
exact fit is pure rounding of a size that depends on the order of the sums
(weights against repeated rows, say): there the floor is ``√eps·q``, so
that among the penalties that fit exactly the largest wins, whatever the
order. And with no more rows than features the Gram matrix is singular by
construction: its null space holds only rounding error, so directions with
eigenvalues below ``D·eps·λ_max`` are dropped, as
:func:`numpy.linalg.lstsq` drops small singular values (see
:func:`solve_readout`).
"""

import numpy as np
import scipy.linalg

__all__ = ["DEFAULT_ALPHAS", "ReadoutSums", "solve_readout"]

#: The penalties tried by ``alpha="auto"``: 1e-12 to 1e4, four per decade.
#: Noise-free series forecast in closed loop need the smallest (Mackey-Glass
#: wants about 1e-10 to 1e-11 with a few thousand steps), noisy data with few
#: rows the largest.
DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-12, 4, 65))

#: Default cost of a degree of freedom in the GCV denominator (module doc).
GCV_DF_COST = 1.4

# From this many sequences in a chunk on, the sums take one syrk per step
# instead of copying the chunk into one (D, steps * sequences) matrix.
SLAB_SYRK_WIDTH = 32


class ReadoutSums:
    """Weighted sums of the readout's rows: all a ridge solve needs.

    Parameters
    ----------
    n_features : int
        ``D``, the number of readout features, the constant included.
    n_outputs : int
        ``k``, the number of targets.

    Attributes
    ----------
    xtx : ndarray of shape (D, D), Fortran order
        ``Σ w z zᵀ``; only its upper triangle is kept up to date (BLAS
        ``syrk`` writes one triangle).
    xty : ndarray of shape (D, k)
        ``Σ w z yᵀ``.
    yty : ndarray of shape (k,)
        ``Σ w y²`` per output.
    n_rows : int
        Rows added, whatever their weight.
    n_weighted_rows : int
        Rows of non-zero weight.
    n_observations : float
        What the rows count for as observations: the sum of their sample
        weights (frequencies), without factors such as class weights that
        change a row's importance but add no data. GCV's row count.
    y_min, y_max : ndarray of shape (k,)
        Range of the targets of the rows of non-zero weight.
    """

    def __init__(self, n_features, n_outputs):
        self.xtx = np.zeros((n_features, n_features), order="F")
        self.xty = np.zeros((n_features, n_outputs))
        self.yty = np.zeros(n_outputs)
        self.n_rows = 0
        self.n_weighted_rows = 0
        self.n_observations = 0.0
        self.y_min = np.full(n_outputs, np.inf)
        self.y_max = np.full(n_outputs, -np.inf)

    @property
    def total_weight(self):
        """``S``, the sum of the weights (the constant feature's square)."""
        return float(self.xtx[0, 0])

    def add(self, features, targets, weight, frequency=None):
        """Add rows: ``features`` (D, m), ``targets`` (k, m), ``weight`` (m,).

        ``frequency`` (m,), what each row counts for as observations
        (default: its weight), only enters :attr:`n_observations`.

        Scaling both by ``sqrt(w)`` keeps ``Z Zᵀ`` the product of an array
        with its own transpose, which numpy hands to BLAS ``syrk`` (half the
        work of a general product). Weights are non-negative (checked by
        the estimators).
        """
        self._update_range(targets[:, weight > 0])
        if not np.all(weight == 1.0):
            root = np.sqrt(weight)
            features = features * root
            targets = targets * root
        self.xtx += features @ features.T
        self.xty += features @ targets.T
        self.yty += np.einsum("km,km->k", targets, targets)
        self.n_rows += features.shape[1]
        self.n_weighted_rows += np.count_nonzero(weight)
        self.n_observations += float(np.sum(weight if frequency is None else frequency))

    def add_slabs(self, Z, targets):
        """Add unit-weight rows a step at a time: one BLAS ``syrk`` per step.

        ``Z`` is (c, D, m) and ``targets`` (m, c, k). Each step's (D, m)
        slab is already a matrix BLAS can read (as its Fortran-ordered
        transpose), so no (D, c * m) copy of the chunk is made; with ``m``
        of a few dozen sequences or more, the rank-``m`` updates run as fast
        as one large product. ``Xᵀy`` is added step by step too, while the
        slab is in cache: a second pass over the chunk would read it from
        memory again.
        """
        for slab, target in zip(Z, targets.transpose(1, 0, 2)):
            self.xtx = scipy.linalg.blas.dsyrk(
                1.0, slab.T, beta=1.0, c=self.xtx, trans=1, overwrite_c=1
            )
            self.xty += slab @ target
        self.yty += np.einsum("mck,mck->k", targets, targets)
        self.n_rows += Z.shape[0] * Z.shape[2]
        self.n_weighted_rows += Z.shape[0] * Z.shape[2]
        self.n_observations += Z.shape[0] * Z.shape[2]
        self._update_range(targets.reshape(-1, targets.shape[-1]).T)

    def _update_range(self, targets):
        if targets.size:
            np.minimum(self.y_min, targets.min(axis=1), out=self.y_min)
            np.maximum(self.y_max, targets.max(axis=1), out=self.y_max)

    def __add__(self, other):
        """New sums of the rows of both (neither operand changes)."""
        total = ReadoutSums(*self.xty.shape)
        total.xtx = np.asfortranarray(self.xtx + other.xtx)
        total.xty = self.xty + other.xty
        total.yty = self.yty + other.yty
        total.n_rows = self.n_rows + other.n_rows
        total.n_weighted_rows = self.n_weighted_rows + other.n_weighted_rows
        total.n_observations = self.n_observations + other.n_observations
        total.y_min = np.minimum(self.y_min, other.y_min)
        total.y_max = np.maximum(self.y_max, other.y_max)
        return total

    def is_finite(self):
        """Whether no sum overflowed (huge inputs or targets)."""
        return bool(
            np.isfinite(np.triu(self.xtx)).all()
            and np.isfinite(self.xty).all()
            and np.isfinite(self.yty).all()
        )

    def centred(self):
        """``C``, ``r``, ``q``, ``mean_z``, ``mean_y`` (see the module doc)."""
        G = np.triu(self.xtx)
        G += np.triu(G, 1).T
        b = self.xty
        total = G[0, 0]
        mean_z, mean_y = G[0, 1:] / total, b[0] / total
        C = G[1:, 1:] - total * np.outer(mean_z, mean_z)
        r = b[1:] - np.outer(mean_z, b[0])
        q = self.yty - total * mean_y**2
        return C, r, q, mean_z, mean_y


def _cholesky_or_none(C, rhs, alpha):
    try:
        factor = scipy.linalg.cho_factor(C + alpha * np.eye(len(C)), check_finite=False)
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
        return None  # singular without a penalty: the eigen-solve instead
    return scipy.linalg.cho_solve(factor, rhs, check_finite=False)


def _eigen(C, drop):
    """Eigenvalues and vectors of ``C``, its numerical null space dropped
    if ``drop`` (no more rows than features, see the module doc, or no
    penalty to keep it bounded)."""
    if len(C) == 0:
        return np.zeros(0), np.zeros((0, 0))
    values, vectors = scipy.linalg.eigh(C, check_finite=False)
    if drop:
        keep = values > len(C) * np.finfo(C.dtype).eps * max(values[-1], 0.0)
        values, vectors = values[keep], vectors[:, keep]
    # C is positive semi-definite: negative eigenvalues are rounding.
    return np.maximum(values, 0.0), vectors


def _eliminate_free(C, r, q, n_free):
    """The penalised problem once the first ``n_free`` (unpenalised)
    columns are eliminated (module doc): ``C̃``, ``r̃``, ``q̃``, a function
    that turns penalised weights into the free ones, and ``rank(A)``; or
    None when the free columns span every row (``C̃ = 0``)."""
    A, B, E = C[:n_free, :n_free], C[n_free:, :n_free], C[n_free:, n_free:]
    values, vectors = _eigen(A, drop=True)
    root = vectors / np.sqrt(values)  # A⁺ = root rootᵀ
    Br, rr = B @ root, root.T @ r[:n_free]
    reduced_C = E - Br @ Br.T
    # C̃ = 0 (PSD, so its trace says it): the free columns leave the
    # penalised ones nothing, as when there are no more rows than free
    # columns plus one. Unpenalised they would fit the targets exactly (a
    # SeriesForecaster's calibration copy on 12 points of a short series:
    # an exact autoregression whose closed loop ran to 1e162). Ranks, not
    # row counts: repeated rows, weights and all-zero columns (a window
    # longer than every sequence) change nothing.
    left, before = np.trace(reduced_C), np.trace(E)
    if before > 0 and left <= np.sqrt(np.finfo(C.dtype).eps) * before:
        return None
    reduced_r = r[n_free:] - Br @ rr
    reduced_q = q - np.einsum("jk,jk->k", rr, rr)

    def free_weights(coef):
        return root @ (rr - Br.T @ coef)

    return reduced_C, reduced_r, reduced_q, free_weights, len(values)


def gcv_scores(
    values,
    projected,
    q,
    total,
    alphas,
    underdetermined=False,
    df_cost=GCV_DF_COST,
    free_df=0,
):
    """GCV score of every penalty from the decomposition (module doc).

    Parameters
    ----------
    values : ndarray of shape (r,)
        Eigenvalues ``λ`` of the centred Gram matrix.
    projected : ndarray of shape (r, k)
        ``p = Vᵀ r``.
    q : ndarray of shape (k,)
        Centred ``Σ w y²`` per output.
    total : float
        ``n``, the number of observations (sum of the sample weights).
    alphas : ndarray of shape (n_alphas,)
        Positive penalties.
    underdetermined : bool, default=False
        No more rows than features: residuals below ``√eps·q`` count as an
        exact fit.
    df_cost : float, default=GCV_DF_COST
        ``γ``, the cost of a degree of freedom.
    free_df : int, default=0
        Degrees of freedom of unpenalised columns besides the constant
        (``rank(A)``, see the module doc).

    Returns
    -------
    scores : ndarray of shape (n_alphas,)
        Infinite where the fit would interpolate (``n - γ df`` below 1/2).
    """
    D = len(values)
    energy = np.einsum("jk,jk->j", projected, projected)  # Σ_k p_jk²
    shrunk = values[np.newaxis] + alphas[:, np.newaxis]  # (n_alphas, r)
    explained = (energy * (values + 2 * alphas[:, np.newaxis]) / shrunk**2).sum(1)
    q_total = float(np.sum(q))
    eps = np.finfo(np.float64).eps
    floor = (np.sqrt(eps) if underdetermined else max(D, 1) * eps) * max(q_total, 0)
    rss = np.maximum(q_total - explained, floor)
    df = 1.0 + free_df + (values / shrunk).sum(axis=1)
    residual_df = total - df_cost * df
    scores = np.full(len(alphas), np.inf)
    usable = residual_df > 0.5
    scores[usable] = total * rss[usable] / residual_df[usable] ** 2
    return scores


# GCV scores this close to the best count as ties. Where the fit barely
# changes with the penalty (all candidates far below the smallest kept
# eigenvalue, say), the scores differ only by rounding, and which one wins
# would depend on the order of the sums; ties go to the largest penalty.
_TIE_RTOL = 1e-6


def _best(scores):
    """Index of the largest penalty whose score ties with the lowest."""
    finite = np.isfinite(scores)
    if not finite.any():  # every candidate interpolates: the largest
        return len(scores) - 1
    lowest = scores[finite].min()
    return int(np.flatnonzero(scores <= lowest + _TIE_RTOL * abs(lowest))[-1])


def solve_readout(sums, alpha, alphas=DEFAULT_ALPHAS, df_cost=GCV_DF_COST, n_free=0):
    """Ridge readout from the sums; the constant is not penalised.

    The constant is eliminated by centring the normal equations (the same
    ridge problem as :class:`~sklearn.linear_model.Ridge`'s): the raw system
    with its column of ones is far worse conditioned than the centred one.

    With a fixed ``alpha`` and more rows (of non-zero weight) than features,
    the solve is a Cholesky factorisation. Otherwise ``C`` is decomposed
    once: ``alpha="auto"`` scores every penalty in ``alphas`` by GCV from
    that one decomposition and keeps the best. With no more rows than
    features, ``C`` is singular by construction and its null space holds
    nothing but rounding error, which a small penalty would amplify by
    ``1 / alpha``, so that two sums of the same data in another order
    (weights against repeated samples, chunks against one batch) would
    give visibly different readouts: eigen-directions below
    ``D * eps * lambda_max`` are then dropped. With more rows than features
    (long series) nothing is dropped, since there the tiny eigenvalues are
    real: a closed-loop Mackey-Glass forecast needs them.

    Parameters
    ----------
    sums : ReadoutSums
        Sums with a positive total weight.
    alpha : float or "auto"
        The penalty, or "auto" to choose it from ``alphas``.
    alphas : sequence of float, default=DEFAULT_ALPHAS
        Candidate penalties for ``alpha="auto"``, all positive.
    df_cost : float, default=GCV_DF_COST
        ``γ`` of the GCV score (see the module doc).
    n_free : int, default=0
        The first ``n_free`` features after the constant are not penalised
        (see the module doc), unless they span every row of non-zero
        weight (as with no more rows than their rank plus one), which they
        and the constant would fit exactly: then every feature is.

    Returns
    -------
    coef : ndarray of shape (D - 1, k)
        Weights on the features after the constant.
    intercept : ndarray of shape (k,)
    alpha : float
        The penalty used.
    scores : ndarray of shape (n_alphas,) or None
        GCV score of every candidate (lower is better); None for a fixed
        ``alpha``.
    """
    C, r, q, mean_z, mean_y = sums.centred()
    n_rows, D = sums.n_weighted_rows, len(C)
    free_weights, free_df = None, 0
    reduced = _eliminate_free(C, r, q, n_free) if n_free else None
    if reduced is not None:  # None: every column penalised (module doc)
        C, r, q, free_weights, free_df = reduced
    coef, scores = None, None
    if alpha != "auto" and n_rows > D:
        coef = _cholesky_or_none(C, r, alpha)
    if coef is None:
        values, vectors = _eigen(C, drop=n_rows <= D or alpha == 0)
        projected = vectors.T @ r
        if alpha == "auto":
            alphas = np.asarray(alphas, dtype=np.float64)
            scores = gcv_scores(
                values,
                projected,
                q,
                sums.n_observations,
                alphas,
                underdetermined=n_rows <= D,
                df_cost=df_cost,
                free_df=free_df,
            )
            alpha = float(alphas[_best(scores)])
        coef = vectors @ (projected / (values + alpha)[:, np.newaxis])
    if free_weights is not None:
        coef = np.vstack([free_weights(coef), coef])
    intercept = mean_y - mean_z @ coef
    return coef, intercept, float(alpha), scores
