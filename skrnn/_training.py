"""The training loop of the recurrent estimators: epochs, minibatches,
solvers, stopping, and the best parameters seen.

The estimator hands over data it has already validated, encoded and scaled
(:class:`TrainingData`) and a way to compute the loss and gradient of a
batch; this module decides which parameters to try and which to keep.

What a fit with a stochastic solver keeps is the best it reached: the
parameters with the lowest training loss (or, under early stopping, the best
validation score), whatever ends training. A *spike* (an epoch whose loss is
more than :data:`SPIKE_FACTOR` times the best so far: full-batch Adam on a
small data set does this after it has reached a low loss) restores the best
parameters, halves the step size and starts the optimizer's moments afresh,
so that a spike neither ends training through the no-improvement rule nor
leaves damaged weights behind.
"""

import copy
import warnings
from typing import NamedTuple

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import gen_batches
from sklearn.utils.optimize import _check_optimize_result

from skrnn._optimizers import AdamOptimizer, SGDOptimizer
from skrnn._sequences import Sequences

__all__ = [
    "SPIKE_FACTOR",
    "TrainingData",
    "fit_lbfgs",
    "fit_stochastic",
    "training_dtype",
]

#: An epoch loss above this multiple of the best loss so far is a spike.
SPIKE_FACTOR = 2.0
#: Parameters beyond this magnitude make a fit check that they still give
#: finite outputs.
_SUSPICIOUS_MAGNITUDE = 1e15
#: The step size is halved at every spike; below this share of
#: ``learning_rate_init`` a spike ends training (it keeps recurring).
MIN_STEP_SHARE = 1e-3


def training_dtype(option, solver, input_dtype):
    """The dtype a fit trains in.

    Parameters
    ----------
    option : {"auto", "float32", "float64"}
        The estimator's ``dtype``.
    solver : {"adam", "sgd", "lbfgs"}
    input_dtype : dtype
        The dtype of the validated inputs (float32 or float64).

    Returns
    -------
    numpy.dtype
        ``"auto"`` is float32 for the stochastic solvers, whatever the
        input: their minibatch noise is far above float32's rounding, and
        float32 halves the cost of every product and ``tanh``. L-BFGS keeps
        the inputs' precision (float32 stays float32, anything else is
        float64): its line search compares losses in their last digits,
        and in float32 it ended at a higher loss in two of six fits
        measured (docs/training.rst).
    """
    if option != "auto":
        return np.dtype(option)
    if solver == "lbfgs" and input_dtype != np.float32:
        return np.dtype(np.float64)
    return np.dtype(np.float32)


class TrainingData(NamedTuple):
    """What a fit trains on, validated, encoded and scaled.

    Attributes
    ----------
    sequences : Sequences
    Y : ndarray of shape (n_samples, n_outputs) or, per step, (n_samples,
        n_timesteps, n_outputs)
        Encoded targets.
    sample_weight : ndarray of shape (n_samples,)
        Sample weights times class weights.
    """

    sequences: Sequences
    Y: np.ndarray
    sample_weight: np.ndarray

    def take(self, index):
        return TrainingData(
            self.sequences.take(index), self.Y[index], self.sample_weight[index]
        )


def check_loss(model, loss, where):
    """Raise the divergence error when ``loss`` is not finite."""
    if not np.isfinite(loss):
        raise ValueError(
            f"The training loss became {loss} {where}: training diverged. "
            f"Lower learning_rate_init (now {model.learning_rate_init}), set "
            f"clip_norm (now {model.clip_norm}; 1.0 is a common choice) to "
            "clip exploding gradients, or standardise the inputs X and targets "
            "y (standardize=True; or rescale values too large for it)."
        )


def check_parameters(model, params, where, data=None, batch_loss=None):
    """Raise the divergence error when an update left parameters that cannot
    give a finite loss (a last step can overflow after the last loss was
    computed, or leave finite weights too large to multiply).

    Parameters that large are far beyond anything training reaches, so the
    loss that makes sure is computed only then, on a few sequences of
    ``data``.
    """
    if not np.isfinite(params).all():
        check_loss(model, np.nan, where)
    if data is None or np.abs(params).max() < _SUSPICIOUS_MAGNITUDE:
        return
    few = data.take(np.arange(min(16, len(data.sample_weight))))
    check_loss(model, batch_loss(params, few)[0], where)


def fit_lbfgs(model, params, data, batch_loss):
    """Minimise the full-batch loss with scipy's L-BFGS-B.

    Parameters
    ----------
    model : BaseRecurrent
        Reads ``max_iter``, ``max_fun``, ``tol`` and ``verbose``; receives
        ``n_iter_``, ``loss_``, ``best_loss_``, ``loss_curve_`` and ``t_``.
    params : ndarray
        Starting parameters (their dtype is the training dtype).
    data : TrainingData
    batch_loss : callable
        ``batch_loss(params, data) -> (loss, gradient)``.

    Returns
    -------
    ndarray
        The parameters L-BFGS ends with: its line search only accepts steps
        that lower the loss, so they are the best it reached.
    """
    dtype = params.dtype
    curve = []

    def loss_and_gradient(theta):
        loss, grad = batch_loss(theta.astype(dtype), data)
        if not curve:
            _check_first_loss(model, loss, data)
        check_loss(model, loss, "in L-BFGS")
        curve.append(loss)
        return loss, grad.astype(np.float64)

    iprint = model.verbose - 1 if model.verbose > 0 else -1
    result = scipy.optimize.minimize(
        loss_and_gradient,
        params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        options={
            "maxfun": model.max_fun,
            "maxiter": model.max_iter,
            "gtol": model.tol,
            **({"iprint": iprint} if iprint >= 0 else {}),
        },
    )
    model.n_iter_ = _check_optimize_result("lbfgs", result, model.max_iter)
    model.loss_ = model.best_loss_ = float(result.fun)
    model.loss_curve_ = curve
    model.validation_scores_ = model.best_validation_score_ = None
    model.t_ = len(data.sample_weight) * model.n_iter_
    params = result.x.astype(dtype)
    check_parameters(model, params, "in L-BFGS", data, batch_loss)
    return params


def new_optimizer(model, n_parameters, dtype, learning_rate=None):
    """The optimizer ``model.solver`` names, with its hyperparameters."""
    rate = model.learning_rate_init if learning_rate is None else learning_rate
    if model.solver == "sgd":
        return SGDOptimizer(
            n_parameters,
            dtype,
            rate,
            model.learning_rate,
            model.momentum,
            model.nesterovs_momentum,
            model.power_t,
        )
    return AdamOptimizer(
        n_parameters, dtype, rate, model.beta_1, model.beta_2, model.epsilon
    )


def split_validation(model, data, stratify):
    """Training and validation indices for early stopping.

    ``validation_split="random"`` draws a (stratified) random share;
    ``"last"`` holds out the last samples in their given order, the right
    split when the samples are windows of one series (a random split would
    validate on windows that overlap the training ones).
    """
    n_samples = len(data.sample_weight)
    indices = np.arange(n_samples)
    if model.validation_split == "last":
        n_validation = int(np.ceil(model.validation_fraction * n_samples))
        train, validation = (
            indices[: n_samples - n_validation],
            indices[n_samples - n_validation :],
        )
    else:
        try:
            train, validation = train_test_split(
                indices,
                random_state=model._random_state,
                test_size=model.validation_fraction,
                stratify=stratify,
            )
        except ValueError as error:  # e.g. fewer held out than classes
            raise ValueError(
                f"early_stopping cannot hold out validation_fraction="
                f"{model.validation_fraction} of {n_samples} samples: {error} "
                "Increase validation_fraction or the number of samples, or set "
                "early_stopping=False."
            ) from error
    if len(validation) < 2 or len(train) < 1:
        raise ValueError(
            f"The validation set is too small ({len(validation)} of {n_samples} "
            "samples) to score early stopping; increase validation_fraction "
            f"(now {model.validation_fraction}) or the number of samples, or "
            "set early_stopping=False."
        )
    return train, validation


class _Best:
    """The best parameters seen in one fit, and the loss they had."""

    def __init__(self, params):
        self.params = params.copy()
        self.loss = np.inf
        self.score = -np.inf

    def offer(self, params, loss, score):
        """Keep ``params`` if they beat the best so far (by ``score`` when
        given, else by ``loss``); return whether they did."""
        better = score > self.score if score is not None else loss < self.loss
        if better:
            self.params[...] = params
            self.loss = loss
            if score is not None:
                self.score = score
        return better


def _start(model, restart, incremental, n_parameters, dtype, early_stopping):
    """The optimizer and the fitted history that this call continues."""
    if restart or not hasattr(model, "loss_curve_") or model.loss_curve_ is None:
        model.loss_curve_ = []
        model.t_ = 0
        model.n_iter_ = 0
        model.validation_scores_ = [] if early_stopping else None
        model.best_validation_score_ = -np.inf if early_stopping else None
        model.best_loss_ = None if early_stopping else np.inf
        model._no_improvement_count = 0
    else:
        # Copies, so that a failed fit leaves the fitted state untouched.
        model.loss_curve_ = list(model.loss_curve_)
        if early_stopping and model.validation_scores_ is None:
            model.validation_scores_ = []
            model.best_validation_score_ = -np.inf
        elif model.validation_scores_ is not None:
            model.validation_scores_ = list(model.validation_scores_)
    if incremental and not restart and hasattr(model, "_optimizer"):
        # partial_fit continues the optimizer's moments and step size; a fit
        # (also a warm-started one) starts a new one from the hyperparameters
        # as they are now, as MLPClassifier does.
        return copy.deepcopy(model._optimizer)
    return new_optimizer(model, n_parameters, dtype)


def _batch_size(model, n_train):
    if model.batch_size == "auto":
        return min(200, n_train)
    if model.batch_size > n_train:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. "
            "It is going to be clipped"
        )
    return int(np.clip(model.batch_size, 1, n_train))


def _check_first_loss(model, loss, data):
    """A loss that is not finite before any update is the data's fault."""
    if np.isfinite(loss):
        return
    values = data.sequences.values
    raise ValueError(
        f"The training loss is {loss} before any update: X or y hold values "
        f"too large for the network (largest |X| {np.abs(values).max():.3g}, "
        f"largest |y| {np.abs(data.Y).max():.3g} on the scale it trains on). "
        "Rescale them, or set standardize=True."
    )


def _epoch(model, params, optimizer, data, train, batch_size, batch_loss, first):
    """One pass over ``train`` in minibatches; the mean loss of the pass.
    ``first``: whether no update has been made yet in this call."""
    n_train = len(train)
    if model.shuffle and batch_size < n_train:
        train = model._random_state.permutation(train)
    accumulated_loss = 0.0
    for batch_slice in gen_batches(n_train, batch_size):
        batch = train[batch_slice]
        weights = data.sample_weight[batch]
        if weights.sum() <= 0:
            continue
        loss, grad = batch_loss(params, data.take(batch))
        if first:
            _check_first_loss(model, loss, data)
            first = False
        check_loss(model, loss, f"at iteration {model.n_iter_ + 1}")
        if model.clip_norm is not None:
            norm = np.sqrt(grad @ grad)
            if norm > model.clip_norm:
                grad *= model.clip_norm / norm
        optimizer.update(params, grad)
        accumulated_loss += loss * weights.sum()
    check_parameters(
        model, params, f"at iteration {model.n_iter_ + 1}", data, batch_loss
    )
    return accumulated_loss / data.sample_weight[train].sum()


def fit_stochastic(model, params, data, batch_loss, *, restart, incremental, stratify):
    """Train with ``"adam"`` or ``"sgd"`` and return the best parameters.

    Parameters
    ----------
    model : BaseRecurrent
        Reads the training hyperparameters; receives ``loss_``,
        ``best_loss_``, ``loss_curve_``, ``validation_scores_``,
        ``best_validation_score_``, ``n_iter_``, ``t_`` and ``_optimizer``.
    params : ndarray
        Starting parameters, updated in place.
    data : TrainingData
    batch_loss : callable
        ``batch_loss(params, data) -> (loss, gradient)``.
    restart : bool
        Whether the network was just initialised (no history to continue).
    incremental : bool
        ``partial_fit``: one epoch, no early stopping, nothing restored.
    stratify : ndarray or None
        Labels for a stratified random validation split.

    Returns
    -------
    ndarray
        The parameters to keep.
    """
    early_stopping = model.early_stopping and not incremental
    optimizer = _start(
        model, restart, incremental, params.size, params.dtype, early_stopping
    )
    train = np.arange(len(data.sample_weight))
    if early_stopping:
        train, validation = split_validation(model, data, stratify)
        validation_data = data.take(validation)
    batch_size = _batch_size(model, len(train))
    # With one batch per epoch the epoch's loss is exactly the loss of the
    # parameters the epoch started from; with several it is a running mean
    # that the parameters at the epoch's end stand for.
    full_batch = batch_size >= len(train)
    best = _Best(params)
    lowest_loss = np.inf  # for spikes; under early stopping not best.loss
    start = params.copy() if full_batch else None
    for epoch in range(1 if incremental else model.max_iter):
        if full_batch:
            start[...] = params
        loss = _epoch(
            model, params, optimizer, data, train, batch_size, batch_loss, epoch == 0
        )
        model.n_iter_ += 1
        model.t_ += len(train)
        model.loss_curve_.append(loss)
        if model.verbose:
            print("Iteration %d, loss = %.8f" % (model.n_iter_, loss))
        if incremental:
            model.loss_ = loss
            if model.best_loss_ is None or loss < model.best_loss_:
                model.best_loss_ = loss
            break

        score = None
        if early_stopping:
            score = model._validation_score(
                *model._real_outputs(params, validation_data)
            )
            model.validation_scores_.append(score)
            if model.verbose:
                print("Validation score: %f" % score)
        previous_best = best.loss if score is None else best.score
        candidate = start if full_batch and score is None else params
        improved_best = best.offer(candidate, loss, score)
        if score is None:
            improved = improved_best and loss <= previous_best - model.tol
        else:
            improved = improved_best and score >= previous_best + model.tol
        model._no_improvement_count = 0 if improved else model._no_improvement_count + 1

        if loss > SPIKE_FACTOR * lowest_loss + model.tol:
            optimizer = _recover_from_spike(model, params, best, optimizer)
            if optimizer is None:
                warnings.warn(
                    "The training loss kept spiking above %g times its lowest "
                    "value although the learning rate was halved at every "
                    "spike down to %g; training stopped at epoch %d with the "
                    "best parameters (loss %g). Lower learning_rate_init or set "
                    "clip_norm."
                    % (
                        SPIKE_FACTOR,
                        MIN_STEP_SHARE * model.learning_rate_init,
                        model.n_iter_,
                        best.loss,
                    ),
                    ConvergenceWarning,
                )
                optimizer = new_optimizer(model, params.size, params.dtype)
                params[...] = best.params
                break
            continue
        lowest_loss = min(lowest_loss, loss)

        optimizer.iteration_ends(model.t_)
        if model._no_improvement_count > model.n_iter_no_change:
            what = "Validation score" if early_stopping else "Training loss"
            msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                what,
                model.tol,
                model.n_iter_no_change,
            )
            if optimizer.trigger_stopping(msg, model.verbose):
                break
            model._no_improvement_count = 0
    else:
        if not incremental:
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations (%d) reached and "
                "the optimization hasn't converged yet." % model.max_iter,
                ConvergenceWarning,
            )
    model._optimizer = optimizer
    if incremental:
        return params
    if full_batch and not early_stopping:
        # The last update's result was never evaluated: it competes too.
        # (Under early stopping every epoch's result was scored on the
        # validation part, the last one included, and the best by that
        # score is kept: a lower training loss must not replace it.)
        loss = batch_loss(params, data.take(train))[0]
        check_loss(model, loss, "after the last update")
        best.offer(params, loss, None)
    # The best parameters, whatever ended training.
    model.loss_ = best.loss
    if early_stopping:
        model.best_validation_score_ = max(model.best_validation_score_, best.score)
        model.best_loss_ = None
    elif model.best_loss_ is None:
        model.best_loss_ = best.loss
    else:
        model.best_loss_ = min(model.best_loss_, best.loss)
    return best.params


def _recover_from_spike(model, params, best, optimizer):
    """Go back to the best parameters with half the step size.

    Returns the new optimizer (fresh moments: the old ones hold the spike's
    gradients), or None when the step size has been halved so often that
    going on is not worth it (spikes keep coming): training then ends with
    the best parameters.
    """
    rate = getattr(optimizer, "learning_rate", optimizer.learning_rate_init) / 2
    if rate < MIN_STEP_SHARE * model.learning_rate_init:
        return None
    if model.verbose:
        print(
            "Loss spiked above %g times its lowest; restoring the best "
            "parameters, learning rate now %g." % (SPIKE_FACTOR, rate)
        )
    params[...] = best.params
    model._no_improvement_count = 0
    return new_optimizer(model, params.size, params.dtype, rate)
