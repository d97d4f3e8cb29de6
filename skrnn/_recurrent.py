"""RNNClassifier and RNNRegressor, and the base class they share."""

from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from skrnn._covariates import check_covariates
from skrnn._losses import OUTPUT_ACTIVATIONS
from skrnn._memory import check_memory
from skrnn._network import RecurrentNetwork
from skrnn._restore import restore_on_failure
from skrnn._scaling import (
    Standardization,
    row_statistics,
    standardize_each_sequence,
)
from skrnn._sequences import (
    Sequences,
    check_target_form,
    slide_windows_,
    validate_sequences,
)
from skrnn._steps import flatten_steps, format_steps, real_steps, unflatten_steps
from skrnn._training import TrainingData, fit_lbfgs, fit_stochastic, training_dtype
from skrnn._workspace import Workspace
from skrnn.cells import CELLS

#: Hyperparameters that count something: booleans are refused.
_COUNT_PARAMETERS = (
    "max_iter",
    "n_iter_no_change",
    "max_fun",
    "bptt_steps",
    "conv_filters",
    "conv_kernel_size",
    "conv_pool",
    "input_window",
)


def _is_count(value):
    """An integer that is not a boolean."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


#: The dtypes inputs are validated to, and predictions computed in: float32
#: stays float32, anything else (float16 and integers included) becomes
#: float64, as in scikit-learn. Training runs in the dtype that the
#: estimator's ``dtype`` gives (see :func:`skrnn._training.training_dtype`):
#: float32 by default, whatever the input.
INPUT_DTYPES = (np.float64, np.float32)


class BaseRecurrent(BaseEstimator, metaclass=ABCMeta):
    """Everything the recurrent classifier and regressor share.

    Subclasses say how targets become network outputs (``_encode_targets``),
    which loss and output activation they use (``_loss``) and how a score is
    computed for early stopping (``_validation_score``).
    """

    _parameter_constraints = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "bidirectional": ["boolean"],
        "solver": [StrOptions({"adam", "sgd", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "clip_norm": [None, Interval(Real, 0, None, closed="neither")],
        "return_sequences": ["boolean"],
        "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
        "clock_periods": ["array-like"],
        "conv_filters": [Interval(Integral, 0, None, closed="left")],
        "conv_kernel_size": [Interval(Integral, 1, None, closed="left")],
        "conv_pool": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "pooling": [StrOptions({"auto", "last", "mean", "max"})],
        "standardize": ["boolean"],
        "validation_split": [StrOptions({"random", "last"})],
        "dtype": [StrOptions({"auto", "float32", "float64"})],
        "input_window": [
            Interval(Integral, 0, None, closed="left"),
            StrOptions({"auto"}),
        ],
    }

    def __init__(
        self,
        *,
        cell,
        hidden_layer_sizes,
        bidirectional,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        clip_norm,
        return_sequences,
        bptt_steps,
        clock_periods,
        conv_filters,
        conv_kernel_size,
        conv_pool,
        pooling,
        standardize,
        validation_split,
        dtype,
        input_window,
    ):
        # The subclasses' own __init__ list these with their defaults (so
        # that help() and errors name the public class); this one stores.
        self.cell = cell
        self.hidden_layer_sizes = hidden_layer_sizes
        self.bidirectional = bidirectional
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.clip_norm = clip_norm
        self.return_sequences = return_sequences
        self.bptt_steps = bptt_steps
        self.clock_periods = clock_periods
        self.conv_filters = conv_filters
        self.conv_kernel_size = conv_kernel_size
        self.conv_pool = conv_pool
        self.pooling = pooling
        self.standardize = standardize
        self.validation_split = validation_split
        self.dtype = dtype
        self.input_window = input_window

    # -- hooks for the subclasses ---------------------------------------------
    @abstractmethod
    def _encode_targets(self, y, first_pass, dtype, classes=None, incremental=False):
        """Validate ``y`` and return it as a float array (n_samples, n_outputs)."""

    @abstractmethod
    def _loss(self):
        """Name of the loss in :mod:`skrnn._losses`."""

    @abstractmethod
    def _validation_score(self, Y, raw, sample_weight):
        """Score of raw outputs against encoded targets ``Y`` (higher is better)."""

    def _stratify(self, Y):
        """Labels to stratify the early-stopping split by, or None."""
        return

    # -- fitted weights ---------------------------------------------------------
    @property
    def weights_(self):
        """Recurrent weights: ``weights_[layer][direction]`` is a dict of arrays.

        Direction 0 runs forward in time, direction 1 (bidirectional only)
        backward. Each dict holds ``"W"`` (n_inputs, n_gates * H) input
        weights, ``"U"`` (H, n_gates * H) recurrent weights and ``"b"``
        (n_gates * H,) biases, gates side by side in the order the cell's
        docstring gives, plus any parameters the cell adds. The arrays are
        views into :attr:`params_`.
        """
        check_is_fitted(self, "params_")
        return self._network.unpack(self.params_)[0]

    @property
    def conv_weights_(self):
        """Convolutional front end: ``{"W": (k, n_features, C), "b": (C,)}``.

        ``k`` is ``conv_kernel_size`` and ``C`` is ``conv_filters``;
        ``W[j]`` multiplies the input ``k - 1 - j`` steps back (``W[k - 1]``
        the current step). None when ``conv_filters=0``. The arrays are views
        into :attr:`params_`.
        """
        check_is_fitted(self, "params_")
        return self._network.unpack_conv(self.params_)

    @property
    def output_weights_(self):
        """Output layer: ``{"W": (n_last, n_outputs), "b": (n_outputs,)}``,
        and ``"V": (input_window_ * n_inputs, n_outputs)`` with an input
        window (the weights of its steps, oldest first, each step's features
        together).

        ``n_last`` is the last hidden layer size, doubled when bidirectional.
        """
        check_is_fitted(self, "params_")
        return self._network.unpack(self.params_)[1]

    # -- fitting ---------------------------------------------------------------
    def _architecture(self, n_inputs, n_outputs, input_window=0):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not sizes or any(not _is_count(s) or s < 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a non-empty "
                f"sequence of positive integers, got {self.hidden_layer_sizes!r}."
            )
        return (
            self.cell,
            n_inputs,
            tuple(int(s) for s in sizes),
            self.bidirectional,
            n_outputs,
            self._cell_options(),
            self.return_sequences,
            self.conv_filters,
            self.conv_kernel_size,
            self._conv_pool(),
            self._pooling(),
            input_window,
            self._added_channels(),
        )

    def _cell_options(self):
        """The hyperparameters the chosen cell takes, as (name, value) pairs."""
        options = []
        for name in CELLS[self.cell].options:
            value = getattr(self, name)
            if np.ndim(value):
                value = tuple(np.asarray(value).ravel().tolist())
            options.append((name, value))
        return tuple(options)

    #: What ``pooling="auto"`` means for whole sequences (the subclasses').
    _auto_pooling = "last"

    #: What ``conv_pool="auto"`` means with one output per sequence.
    _auto_conv_pool = 4

    def _conv_pool(self):
        """The front end's pooling window: ``"auto"`` pools every
        ``_auto_conv_pool`` steps when the model reads one output per
        sequence, and never with one output per step (which needs every
        step)."""
        if self.conv_pool != "auto":
            return self.conv_pool
        return 1 if self.return_sequences else self._auto_conv_pool

    def _pooling(self):
        """The pooling the network uses: ``"auto"`` is the subclass's choice
        for whole sequences, and the last state under truncated BPTT (which
        never holds a whole sequence)."""
        if self.pooling != "auto":
            return self.pooling
        return self._auto_pooling if self.bptt_steps is None else "last"

    def _check_options(self):
        """What ``_parameter_constraints`` cannot say: booleans where counts
        are expected (``True`` is an ``Integral`` to Python), and
        combinations of hyperparameters that cannot work together."""
        for name in _COUNT_PARAMETERS:
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise TypeError(
                    f"{name} must be an integer, got the boolean {value!r}."
                )
        periods = np.ravel(np.asarray(self.clock_periods, dtype=object))
        if self.cell == "clockwork" and not all(_is_count(p) for p in periods):
            raise TypeError(
                f"clock_periods must be positive integers, got {self.clock_periods!r}."
            )
        if self.bidirectional and self.bptt_steps is not None:
            raise ValueError(
                "bptt_steps (truncated backpropagation through time) carries "
                "the state forward from one window of steps to the next, which "
                "a bidirectional network cannot do; set bptt_steps=None or "
                "bidirectional=False."
            )
        if (
            self._pooling() != "last"
            and self.bptt_steps is not None
            and not self.return_sequences
        ):
            raise ValueError(
                f"pooling={self.pooling!r} reads every step of a sequence, but "
                f"bptt_steps={self.bptt_steps} runs sequences in windows that "
                "are never held at once; use pooling='last' (or 'auto') with "
                "bptt_steps, or bptt_steps=None."
            )

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        self._check_options()
        restart = not (incremental or self.warm_start) or not hasattr(self, "params_")
        sequences = validate_sequences(self, X, reset=restart, dtype=INPUT_DTYPES)
        # Targets are encoded (and their statistics taken) in the inputs'
        # precision; only the scaled data is rounded to the training dtype.
        input_dtype = sequences.values.dtype
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the "
                "target y is None."
            )
        if self.return_sequences:
            n_timesteps = sequences.values.shape[1]
            rows = flatten_steps(y, sequences.lengths, n_timesteps)
            Y_rows = self._encode_targets(
                rows, restart, input_dtype, classes, incremental
            )
            Y = unflatten_steps(Y_rows, sequences.lengths, n_timesteps)
        else:
            Y_rows = Y = self._encode_targets(
                y, restart, input_dtype, classes, incremental
            )
        check_consistent_length(sequences.lengths, Y)
        sample_weight = _check_sample_weight(
            sample_weight, Y, dtype=np.float64, ensure_non_negative=True
        )
        sample_weight = sample_weight * self._class_weights(Y, incremental)
        total = sample_weight.sum()
        with np.errstate(over="ignore", divide="ignore"):
            penalty = self.alpha / total
        if not (np.isfinite(total) and np.isfinite(penalty)):
            # The loss is a weighted mean and the L2 penalty alpha / total.
            raise ValueError(
                f"sample_weight sums to {total:.3g}, too far from the number "
                "of samples to weigh the loss and its penalty; rescale the "
                "weights (for example to a mean of 1)."
            )

        n_inputs = sequences.n_features + self._added_channels()
        window = self._input_window(sequences.values.shape[1], n_inputs, restart)
        architecture = self._architecture(n_inputs, Y.shape[-1], window)
        continued = not restart and architecture == self._network_architecture
        dtype = self._fit_dtype(input_dtype, continued and incremental)
        self._check_fit_memory(sequences, Y.shape[-1], dtype)
        self._random_state = check_random_state(self.random_state)
        if restart or architecture != self._network_architecture:
            if not restart and incremental:
                raise ValueError(
                    "partial_fit cannot change the network's architecture: it "
                    f"was built as {self._network_architecture} and is now asked "
                    f"for {architecture} (cell, n_features, hidden_layer_sizes, "
                    "bidirectional, n_outputs, cell options, return_sequences, "
                    "conv_filters, conv_kernel_size, conv_pool, pooling, "
                    "input_window, standardize)."
                )
            self._network_architecture = architecture
            self._network = RecurrentNetwork(*architecture)
            self.input_window_ = self._network.input_window
            params = self._network.initialize(self._random_state, dtype)
            restart = True
        else:
            params = self.params_.astype(dtype, copy=True)
        self.n_outputs_ = Y.shape[-1]
        if restart:
            self._fit_scalers(sequences, Y_rows, sample_weight)
        data = TrainingData(
            self._scale_inputs(sequences, dtype),
            self._scale_targets(Y, dtype),
            sample_weight,
        )

        self._fitted_bptt_steps = self.bptt_steps
        # One workspace for the whole call: every minibatch reuses the
        # memory of the last one (see skrnn._workspace).
        workspace = Workspace()

        def batch_loss(params, batch):
            return self._batch_loss(params, batch, workspace)

        if self.solver == "lbfgs":
            params = fit_lbfgs(self, params, data, batch_loss)
        else:
            params = fit_stochastic(
                self,
                params,
                data,
                batch_loss,
                restart=restart,
                incremental=incremental,
                stratify=None if self.return_sequences else self._stratify(Y),
            )
        self.params_ = params
        return self

    def _fit_dtype(self, input_dtype, continued):
        """The dtype this fit trains in: that of :attr:`params_` when
        ``partial_fit`` continues (its optimizer's moments are in it),
        otherwise the one ``dtype`` gives for this solver and input."""
        if continued:
            return self.params_.dtype
        return training_dtype(self.dtype, self.solver, input_dtype)

    def _check_fit_memory(self, sequences, n_outputs, dtype):
        """Fail before allocating when a fit cannot fit in memory, naming what
        to lower. The estimate counts the inputs (as given, and the scaled
        copy in the training ``dtype``), the parameters (with their
        gradient, the optimizer's moments and the best copy) and the
        activations of one minibatch, forward and backward."""
        sizes = self._architecture(1, 1)[2]
        n_gates = CELLS[self.cell].n_gates
        directions = 2 if self.bidirectional else 1
        T = int(sequences.lengths.max())
        if self.bptt_steps is not None:
            T = min(T, self.bptt_steps)
        batch = len(sequences.lengths)
        if self.batch_size != "auto":
            batch = min(batch, self.batch_size)
        width = self.conv_filters or sequences.n_features
        n_parameters = self.conv_kernel_size * sequences.n_features * self.conv_filters
        activations = 3 * T * batch * self.conv_filters
        for size in sizes:
            n_parameters += directions * n_gates * size * (width + size + 1)
            activations += directions * T * batch * size * (2 * n_gates + 4)
            width = size * directions
        n_parameters += (width + 1) * n_outputs
        itemsize = np.dtype(dtype).itemsize
        check_memory(
            itemsize * (8 * n_parameters + activations + sequences.values.size)
            + sequences.values.nbytes,
            f"{type(self).__name__}(hidden_layer_sizes={self.hidden_layer_sizes!r}, "
            f"conv_filters={self.conv_filters}) on batches of {batch} sequences "
            f"of up to {T} steps",
            "lower hidden_layer_sizes or conv_filters, or batch_size (or set "
            "bptt_steps for long sequences)",
        )

    # -- scaling ---------------------------------------------------------------
    #: ``input_window="auto"`` reads every step of sequences of at most this
    #: many values (steps times features), as the echo state readout does.
    _AUTO_WINDOW_VALUES = 32

    def _input_window(self, n_timesteps, n_inputs, restart):
        """The input steps the output layer reads directly: ``"auto"`` is
        decided by the first fit (every step of short lag windows, none of
        long sequences) and kept by ``partial_fit`` and ``warm_start``."""
        if self.return_sequences:
            return 0
        if self.input_window != "auto":
            return int(self.input_window)
        if not restart and hasattr(self, "input_window_"):
            return self.input_window_
        if n_timesteps * n_inputs <= self._AUTO_WINDOW_VALUES:
            return int(n_timesteps)
        return 0

    def _added_channels(self):
        """Input channels the scaling adds to every step: each sequence's
        level and log-scale with ``standardize="sequence"``."""
        return 2 if self.standardize == "sequence" else 0

    def _fit_scalers(self, sequences, Y_rows, sample_weight):
        """Statistics of the inputs (and regression targets) of a first fit;
        ``partial_fit`` and ``warm_start`` keep them."""
        if not self.standardize:
            self._input_scaler = self._target_scaler = None
            return
        self._input_scaler = Standardization.fit(sequences, sample_weight)
        self._target_scaler = self._fit_target_scaler(Y_rows, sequences, sample_weight)

    def _fit_target_scaler(self, Y_rows, sequences, sample_weight):
        """The targets' standardisation (the regressor's); None for labels."""
        return None

    def _scale_inputs(self, sequences, dtype=None):
        """``sequences`` on the scale the network reads, in ``dtype`` (None:
        their own)."""
        scaler = getattr(self, "_input_scaler", None)
        if scaler is not None:
            sequences = scaler.transform_sequences(sequences, dtype=dtype)
            # The network built for standardize="sequence" reads each
            # sequence's level and log-scale as its side features.
            if self._network.side_features:
                sequences = standardize_each_sequence(sequences)
            return sequences
        if dtype is None:
            return sequences
        # Values beyond float32's range become inf; the first loss then
        # names the data (see skrnn._training).
        with np.errstate(over="ignore"):
            values = sequences.values.astype(dtype, copy=False)
        return sequences._replace(values=values)

    def _scale_targets(self, Y, dtype=None):
        """Encoded targets on the scale the network is trained on, in
        ``dtype`` (None: their own)."""
        scaler = getattr(self, "_target_scaler", None)
        if scaler is not None:
            return scaler.transform(Y, "y", dtype)
        with np.errstate(over="ignore"):
            return Y if dtype is None else Y.astype(dtype, copy=False)

    def _class_weights(self, Y, incremental):
        """Per-sample factors from ``class_weight`` (the classifier's)."""
        return 1.0

    @property
    def input_mean_(self):
        """Per-feature mean of the training inputs over their real steps
        (None with ``standardize=False``)."""
        check_is_fitted(self, "params_")
        scaler = self._input_scaler
        return None if scaler is None else scaler.mean

    @property
    def input_scale_(self):
        """Per-feature standard deviation of the training inputs over their
        real steps, 1 for a constant feature (None with
        ``standardize=False``)."""
        check_is_fitted(self, "params_")
        scaler = self._input_scaler
        return None if scaler is None else scaler.scale

    def _batch_loss(self, params, data, workspace):
        # The loss is a weighted mean over sequences, or over their real
        # steps with per-step outputs (each step then counts as a sample).
        sequences, Y, sample_weight = data
        if self._network.return_sequences:
            total = sample_weight @ sequences.lengths
        else:
            total = sample_weight.sum()
        return self._network.loss_and_gradient(
            params,
            sequences,
            Y,
            sample_weight / total,
            self._loss(),
            self.alpha / total,
            bptt_steps=self.bptt_steps,
            workspace=workspace,
        )

    # -- prediction ------------------------------------------------------------
    def _raw_rows(self, params, sequences):
        """Raw network outputs, one row per output read: per sequence, or
        per real step (sequence after sequence) with per-step outputs."""
        raw = self._network.decision(params, sequences, bptt_steps=self._windows())
        if self._network.return_sequences:
            raw = raw[real_steps(sequences.lengths, raw.shape[1])]
        return raw

    def _real_outputs(self, params, data):
        """Encoded targets, raw outputs and weights, one row per output read."""
        sequences, Y, sample_weight = data
        raw = self._raw_rows(params, sequences)
        if not self._network.return_sequences:
            return Y, raw, sample_weight
        n_timesteps = sequences.values.shape[1]
        mask = real_steps(sequences.lengths, n_timesteps)
        weights = np.repeat(sample_weight, sequences.lengths)
        return Y[:, :n_timesteps][mask], raw, weights

    def _windows(self):
        """Window length for running long sequences (one-way networks), as
        fitted: ``set_params`` after a fit changes nothing until the next."""
        return None if self._network.n_directions == 2 else self._fitted_bptt_steps

    def _validated(self, X):
        """``X`` as :class:`Sequences` on the network's scale, float32 if it
        is float32 and float64 otherwise: the dtype predictions are computed
        in (see :meth:`_inference_params`)."""
        check_is_fitted(self, "params_")
        sequences = validate_sequences(self, X, reset=False, dtype=INPUT_DTYPES)
        return self._scale_inputs(sequences)

    def _inference_params(self, dtype):
        """:attr:`params_` in ``dtype``, the dtype of the validated inputs.

        Predictions run in the inputs' dtype whatever the dtype training
        ran in: float32 input gives float32 output, and float64 input is
        computed in float64 from the (float32-trained) parameters cast up,
        so that a sequence's prediction agrees with itself to float64
        rounding in any batch (scikit-learn's contract), not to float32's.
        Everything that runs the network on validated inputs (predictions,
        forecasts) takes its parameters from here.
        """
        return self.params_.astype(dtype, copy=False)

    def _decision(self, X):
        """Raw network outputs for ``X``, one row per output read, and what
        :meth:`_layout` needs to put them into the layout of ``X``."""
        sequences = self._validated(X)
        params = self._inference_params(sequences.values.dtype)
        rows = self._raw_rows(params, sequences)
        if not np.isfinite(rows).all():
            raise ValueError(
                "X holds values too large for the fitted model: its outputs "
                f"overflow (largest |X| {np.abs(sequences.values).max():.3g} on "
                "the model's scale, where training saw values of about 1)."
            )
        if not self._network.return_sequences:
            return rows, None
        n_timesteps = sequences.values.shape[1]
        return rows, (sequences.lengths, n_timesteps, isinstance(X, (list, tuple)))

    @staticmethod
    def _layout(rows, layout):
        """Outputs per sequence as they are; per step in the layout of X."""
        return rows if layout is None else format_steps(rows, *layout)

    def _per_step(self):
        """Whether the fitted model gives one output per step (False before
        fit: scoring then fails in ``predict`` with sklearn's usual error)."""
        network = getattr(self, "_network", None)
        return network is not None and network.return_sequences

    def _score_steps(self, metric, X, y, sample_weight):
        """``metric`` over the real steps of every sequence (per-step mode)."""
        rows, layout = self._decision(X)
        lengths, n_timesteps, _ = layout
        y_rows = flatten_steps(y, lengths, n_timesteps)
        if sample_weight is not None:
            sample_weight = np.repeat(
                _check_sample_weight(sample_weight, lengths), lengths
            )
        return metric(y_rows, self._predict_rows(rows), sample_weight=sample_weight)

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = True
        tags.input_tags.allow_nan = False
        return tags


_SHARED_PARAMETERS_DOC = """
    Parameters
    ----------
    cell : {"rnn", "lstm", "gru", "peephole", "clockwork"}, default="gru"
        The recurrent cell: ``"rnn"`` is the Elman cell with tanh, ``"lstm"``
        long short-term memory, ``"gru"`` the gated recurrent unit,
        ``"peephole"`` an LSTM whose gates also see the cell state,
        ``"clockwork"`` an Elman layer split into groups that update at
        different periods. Their equations are on the user guide's page
        :doc:`/cells`. The GRU is the default: on the real-data benchmark
        it trained faster and scored higher than the LSTM (on ACSF1, 0.83
        against 0.60 with the same front end).
    hidden_layer_sizes : array-like of shape (n_layers,), default=@hidden@
        Hidden units of each stacked recurrent layer (per direction).@hidden_why@
    bidirectional : bool, default=False
        Whether each layer also reads the sequences backwards in time; the
        two directions' states are concatenated.
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        As in :class:`~sklearn.neural_network.MLPClassifier`.
    alpha : float, default=1e-4
        Strength of the L2 penalty on weights (not biases).
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of the ``"sgd"`` solver.
    learning_rate_init : float, default=1e-3
        Initial step size of ``"sgd"`` and ``"adam"``.
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int, default=200
        Maximum number of epochs (``"sgd"``, ``"adam"``) or iterations
        (``"lbfgs"``).
    shuffle : bool, default=True
        Whether to shuffle samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, shuffling and the early-stopping
        split. Re-created at every ``fit``: the same integer gives the same
        model.
    tol : float, default=1e-4
        Minimum improvement of the loss (or validation score) that counts.
    verbose : bool or int, default=False
        Print the loss of every epoch (and, for ``"lbfgs"``, scipy's
        progress report at levels above 1).
    warm_start : bool, default=False
        Start ``fit`` from the previous solution.
    momentum : float, default=0.9
        Momentum of ``"sgd"``.
    nesterovs_momentum : bool, default=True
        Nesterov momentum for ``"sgd"``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best parameters are kept.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decay rates.
    epsilon : float, default=1e-8
        Adam's numerical stability constant.
    n_iter_no_change : int, default=10
        Epochs without ``tol`` improvement before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``"lbfgs"``.
    clip_norm : float or None, default=None
        Rescale each minibatch gradient to at most this Euclidean norm: the
        usual remedy for exploding gradients in recurrent networks.
    return_sequences : bool, default=False
        Whether to predict one target per time step instead of one per
        sequence. ``y`` is then laid out like ``X`` per step: an array
        ``(n_samples, n_timesteps)`` (or ``(n_samples, n_timesteps,
        n_outputs)``), or a list of ``(T_i,)`` arrays matching a list of
        sequences; steps after a sequence's end never enter the loss, which
        is the mean over real steps. ``predict`` and ``score`` follow the same
        layout; a bidirectional network sees the whole sequence at every step.
    bptt_steps : int or None, default=None
        Truncated backpropagation through time: run each minibatch in windows
        of this many steps, every window starting from the state the previous
        one ended with but passing no gradient back into it. Memory then grows
        with the window, not the sequence length. None backpropagates through
        whole sequences. Parameters are still updated once per minibatch: cut
        a long series into several sequences for more updates. One-way
        networks only.
    clock_periods : array-like of int, default=(1, 2, 4, 8)
        Update periods of the groups of a ``"clockwork"`` layer (ignored by
        the other cells); each layer size must be a multiple of their number.
        With ``conv_pool > 1`` they count pooled steps.
    conv_filters : int, default=@conv_filters@
        Filters of a convolutional front end (a CNN-GRU with
        ``cell="gru"``); 0 means none. Each step becomes ``ReLU(b + Σ_j
        x_{t-k+1+j} W[j])``: a causal convolution (steps before the start
        count as zero), so every sequence, even one shorter than the kernel,
        keeps one output per step and never sees its padding or its future.
        The first recurrent layer reads these ``conv_filters`` features; the
        filters are trained jointly and penalised by ``alpha`` (their biases
        are not). See :attr:`conv_weights_`.@conv_why@
    conv_kernel_size : int, default=@conv_kernel_size@
        Number of consecutive time steps each filter reads.
    conv_pool : int or "auto", default=@conv_pool@
        Window and stride of the max pooling over time after the
        convolution; 1 means no pooling. A sequence of length ``L`` becomes
        ``ceil(L / conv_pool)`` steps, the last window pooling what is left;
        ``bptt_steps`` then counts pooled steps. ``"auto"`` pools every 4
        steps for one output per sequence and not at all with
        ``return_sequences=True``, where it must be 1.
    dtype : {"auto", "float32", "float64"}, default="auto"
        The precision training runs in. ``"auto"`` trains the stochastic
        solvers (``"adam"``, ``"sgd"``) in float32 whatever the dtype of
        ``X`` (about twice as fast as float64 per epoch, as PyTorch and
        Keras train), and ``"lbfgs"`` in float32 for float32 ``X`` and
        float64 otherwise (its line search needs float64's resolution of
        the loss). :attr:`params_` keep the training dtype; ``partial_fit``
        continues in it. Predictions are computed in the dtype of the ``X``
        they are given, whatever the training dtype: float32 for float32,
        float64 for anything else, with the parameters cast to it.
    pooling : {"auto", "last", "mean", "max"}, default="auto"
        How a model with one output per sequence reads the top layer's
        states: the last state (of both directions), or their mean or
        maximum over each sequence's real steps, never its padding.
        ``"auto"`` is ``"max"`` for :class:`RNNClassifier` (on the
        benchmarks' real classification sets of 275-1460 steps it beat the
        last state and the mean) and ``"last"`` for :class:`RNNRegressor`
        (the next value of a lag window follows from the latest state).
        With ``bptt_steps`` only ``"last"`` is possible (a sequence is never
        held whole) and ``"auto"`` means it; ``return_sequences=True`` has
        one output per step and ignores pooling.
    standardize : @standardize_type@
        Standardise every input feature over the real steps of the first
        fit's sequences (and, for :class:`RNNRegressor`, every target),
        inside the model; predictions and forecasts are mapped back to the
        targets' scale. Raw data (values in the hundreds, say) then train
        as well as scaled data. ``partial_fit`` and ``warm_start`` keep the
        first fit's statistics (see ``input_mean_`` and ``input_scale_``).@standardize_sequence@
    input_window : int or "auto", default=@input_window@
        With one output per sequence, the output layer also reads the last
        ``input_window`` input steps of each sequence directly (all their
        features), through weights that are not penalised: a linear
        autoregression on the window beside the recurrent layers (as the
        autoregressive component of LSTNet, or the input-to-output
        connections of an echo state readout). Steps before a shorter
        sequence's start count as zero. ``"auto"`` reads every step of
        sequences of at most 32 values (steps times features) and none of
        longer ones; the first fit decides (see ``input_window_``), and
        ``partial_fit`` and ``warm_start`` keep it. 0 means none; ignored
        with ``return_sequences=True``.@input_window_why@
    validation_split : {"random", "last"}, default="random"
        Which samples ``early_stopping`` holds out: a random (for the
        classifier, stratified) share, or the last ``validation_fraction``
        of them in their given order, for overlapping windows of one series
        where a random split would leak the future into training. A
        held-out part too small to score is an error.
"""


def _parameters_doc(**defaults):
    """The shared Parameters section with one estimator's defaults (and why
    they differ between the classifier and the regressor) filled in."""
    doc = _SHARED_PARAMETERS_DOC
    for name, text in defaults.items():
        doc = doc.replace(f"@{name}@", text)
    return doc


_SHARED_ATTRIBUTES_DOC = """
    loss_ : float
        Loss at the end of training (last epoch's mean minibatch loss).
    best_loss_ : float or None
        Lowest loss seen (None with ``early_stopping``).
    loss_curve_ : list of float
        Loss of each epoch (stochastic solvers).
    validation_scores_ : list of float or None
        Validation score of each epoch with ``early_stopping``.
    best_validation_score_ : float or None
        Best validation score with ``early_stopping``.
    t_ : int
        Number of training samples seen.
    n_iter_ : int
        Number of epochs (or L-BFGS iterations) run.
    n_outputs_ : int
        Width of the output layer.
    n_features_in_ : int
        For 2D input, the number of columns (time steps); for 3D or list
        input, the number of features per time step.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` was a DataFrame.
    params_ : ndarray of shape (n_parameters,)
        All learned parameters in one flat vector.
    weights_ : list of list of dict
        Views of the recurrent weights, ``weights_[layer][direction]``.
    output_weights_ : dict
        Views of the output layer's ``"W"`` and ``"b"``, and ``"V"`` (the
        input window's weights) when ``input_window_ > 0``.
    input_window_ : int
        The input steps the output layer reads directly (see
        ``input_window``).
    conv_weights_ : dict or None
        Views of the convolutional front end's ``"W"`` and ``"b"``; None
        without one. With it, ``weights_[0][d]["W"]`` has ``conv_filters``
        rows.
"""


class RNNClassifier(ClassifierMixin, BaseRecurrent):
    # The maximum over time: on UCR sets of 275-1460 steps it beat the last
    # state and the mean (benchmarks/README.md, bench_real_data.py).
    _auto_pooling = "max"
    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "standardize": ["boolean", StrOptions({"sequence"})],
    }

    __doc__ = (
        """Recurrent neural network classifier trained by backpropagation
    through time.

    Reads each sequence with stacked (optionally bidirectional) recurrent
    layers and classifies it from its states pooled over time (by default
    their maximum over the sequence's real steps; see ``pooling``).
    Binary and multilabel targets use logistic outputs, multiclass targets a
    softmax; the loss is the cross-entropy.

    ``X`` is 2D ``(n_samples, n_timesteps)`` (univariate sequences), 3D
    ``(n_samples, n_timesteps, n_features)``, a list of sequences of varying
    lengths, or a 3D array padded at the end of sequences with NaN.
"""
        + _parameters_doc(
            hidden="(64,)",
            hidden_why="",
            conv_filters="32",
            conv_why="""
        The classifier's default front end (32 filters of 8 steps, their
        maximum over every 4 steps) finds local shapes wherever they occur
        and shortens long sequences fourfold: on the real-data benchmark
        (seed 0) it raised the LSTM's accuracy on OSULeaf from 0.49 to 0.64,
        on ACSF1 from 0.34 to 0.60 and on PickupGestureWiimoteZ from 0.68 to
        0.76, with fits several times shorter.""",
            conv_kernel_size="8",
            conv_pool='"auto"',
            standardize_type='bool or "sequence", default="sequence"',
            input_window="0",
            input_window_why="",
            standardize_sequence="""
        ``"sequence"`` then also splits each sequence into its shape (the
        sequence standardised by its own mean and standard deviation, over
        its real steps and all its features: the z-normalisation of the UCR
        archive) and its level and log-scale, two channels constant over the
        sequence, as :class:`EchoStateClassifier` does: the shape reaches
        the front end and the recurrent layers, the level and log-scale the
        output layer only (through penalised weights, ``"S"`` in
        :attr:`output_weights_`). It is the default: on PLAID, whose
        appliances' currents span orders of magnitude, it lifts the
        accuracy from 0.45 to 0.85, and on the benchmark's other sets it
        stays above the published tuned echo state network (TWIESN), within
        a few points of ``standardize=True`` (OSULeaf 0.74 against 0.75,
        ACSF1 0.75 against 0.79). ``True`` suits data whose amplitude at
        each step is what tells the classes apart (per-step labels of signs,
        say).""",
        )
        + """    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight`` as in
        scikit-learn's classifiers. ``"balanced"`` weighs each class by
        ``n_samples / (n_classes * its count)`` in the data of ``fit``;
        ``partial_fit`` cannot know the counts of all the data and refuses
        it (pass a dict). Not for multilabel targets.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels."""
        + _SHARED_ATTRIBUTES_DOC
        + """
    See Also
    --------
    RNNRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : Feed-forward counterpart.

    References
    ----------
    Hochreiter, S. and Schmidhuber, J. (1997). Long short-term memory.
    Neural Computation, 9(8).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skrnn import RNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) / 16  # 8 time steps of 8 pixels
    >>> clf = RNNClassifier(cell="gru", max_iter=5, random_state=0)
    >>> clf.fit(X[:500], y[:500]).predict(X[:3]).shape
    (3,)
    """
    )

    def __init__(
        self,
        cell="gru",
        hidden_layer_sizes=(64,),
        bidirectional=False,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        clip_norm=None,
        return_sequences=False,
        bptt_steps=None,
        clock_periods=(1, 2, 4, 8),
        conv_filters=32,
        conv_kernel_size=8,
        conv_pool="auto",
        pooling="auto",
        standardize="sequence",
        validation_split="random",
        dtype="auto",
        class_weight=None,
        input_window=0,
    ):
        super().__init__(
            cell=cell,
            hidden_layer_sizes=hidden_layer_sizes,
            bidirectional=bidirectional,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            clip_norm=clip_norm,
            return_sequences=return_sequences,
            bptt_steps=bptt_steps,
            clock_periods=clock_periods,
            conv_filters=conv_filters,
            conv_kernel_size=conv_kernel_size,
            conv_pool=conv_pool,
            pooling=pooling,
            standardize=standardize,
            validation_split=validation_split,
            dtype=dtype,
            input_window=input_window,
        )
        self.class_weight = class_weight

    def _encode_targets(self, y, first_pass, dtype, classes=None, incremental=False):
        check_target_form(y)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if not (y.ndim == 2 and y.shape[1] > 1):  # a label indicator matrix stays 2D
            y = column_or_1d(y, warn=True)
        if first_pass:
            check_classification_targets(y)
            self._label_binarizer = LabelBinarizer()
            if classes is not None and not type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(classes)
            else:
                self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        # Checked on every call: partial_fit may have been given the classes
        # up front, and LabelBinarizer would silently zero an unknown label.
        # (Labels that are all known classes are a valid classification
        # target, so later calls skip type_of_target, which costs a tenth of
        # a small network's epoch.)
        classes = self._label_binarizer.classes_
        if self._label_binarizer.y_type_.startswith("multilabel"):
            if type_of_target(y) != self._label_binarizer.y_type_ or (
                y.shape[1] != len(classes)
            ):
                raise ValueError(
                    "The target must keep its multilabel indicator layout with "
                    f"{len(classes)} labels; got {type_of_target(y)} target."
                )
            return self._label_binarizer.transform(y).astype(dtype)
        if y.ndim != 1:  # LabelBinarizer says what is wrong with it
            return self._label_binarizer.transform(y).astype(dtype)
        codes = np.searchsorted(classes, y)
        codes[codes == len(classes)] = 0  # beyond the last class: unknown
        if not np.array_equal(classes[codes], y):
            raise ValueError(
                "`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{classes}. 'y' has {np.unique(y)}."
            )
        # What LabelBinarizer.transform gives, without its validation (which
        # costs more than an epoch of a small network in partial_fit): one
        # indicator column per class, or one column for two classes.
        if self._label_binarizer.y_type_ == "multiclass":
            Y = np.zeros((len(y), len(classes)), dtype=dtype)
            Y[np.arange(len(y)), codes] = 1
            return Y
        return (codes == 1).astype(dtype)[:, np.newaxis]

    def _loss(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _predict_rows(self, raw):
        probabilities = OUTPUT_ACTIVATIONS[self._loss()](raw)
        if self.n_outputs_ == 1:
            probabilities = probabilities.ravel()
        return self._label_binarizer.inverse_transform(probabilities)

    def _validation_score(self, Y, raw, sample_weight):
        if self._loss() == "softmax":
            return accuracy_score(
                Y.argmax(axis=1), raw.argmax(axis=1), sample_weight=sample_weight
            )
        return accuracy_score(Y > 0.5, raw > 0, sample_weight=sample_weight)

    def _class_weights(self, Y, incremental):
        if self.class_weight is None:
            return 1.0
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError(
                "class_weight is not supported for multilabel targets; pass "
                "sample_weight instead."
            )
        if self.return_sequences:
            raise ValueError(
                "class_weight weighs sequences by their label, but with "
                "return_sequences=True every step has its own label; pass "
                "sample_weight (one weight per sequence) instead."
            )
        if self.class_weight == "balanced" and incremental:
            raise ValueError(
                "class_weight='balanced' needs the class frequencies of all "
                "the data, which partial_fit does not see at once; pass a "
                "dict of weights per class instead (e.g. from "
                "sklearn.utils.class_weight.compute_class_weight)."
            )
        codes = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(np.intp)
        labels = self.classes_[codes]
        try:
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=labels
            )
        except ValueError as error:
            raise ValueError(
                f"class_weight does not fit the labels of y: {error}"
            ) from error
        return weights[codes]

    def _stratify(self, Y):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label indicator matrix (multilabel).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNClassifier
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(BaseRecurrent._check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X``, ``y`` (continuing from the current state).

        Parameters
        ----------
        X : array-like or list of array-like
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            All classes that will ever appear; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNClassifier
        """
        if _check_partial_fit_first_call(self, classes):
            for attribute in ("params_", "_optimizer"):
                self.__dict__.pop(attribute, None)
            return self._fit(X, y, sample_weight, incremental=True, classes=classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels of sequences (or of every step).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            With ``return_sequences=True``: of shape (n_samples,
            n_timesteps), or a list of ``(T_i,)`` arrays when ``X`` is a
            list; steps after a sequence's end hold NaN (None for labels
            that are not numbers).
        """
        rows, layout = self._decision(X)
        return self._layout(self._predict_rows(rows), layout)

    def _proba_rows(self, raw):
        probabilities = OUTPUT_ACTIVATIONS[self._loss()](raw)
        if self.n_outputs_ == 1 and self._label_binarizer.y_type_ == "binary":
            return np.hstack([1 - probabilities, probabilities])
        return probabilities

    def predict_proba(self, X):
        """Class probabilities of sequences (or of every step).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            With ``return_sequences=True``: of shape (n_samples,
            n_timesteps, n_classes), NaN after a sequence's end, or a list
            of ``(T_i, n_classes)`` arrays when ``X`` is a list.
        """
        rows, layout = self._decision(X)
        return self._layout(self._proba_rows(rows), layout)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Laid out as :meth:`predict_proba`'s result.
        """
        rows, layout = self._decision(X)
        return self._layout(np.log(self._proba_rows(rows)), layout)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``.

        With ``return_sequences=True`` the accuracy is over all real
        (unpadded) steps, each weighted by its sequence's ``sample_weight``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.
        y : array-like
            True labels, per sequence or per step.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence.

        Returns
        -------
        score : float
        """
        if not self._per_step():
            return super().score(X, y, sample_weight)
        return self._score_steps(accuracy_score, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class RNNRegressor(RegressorMixin, BaseRecurrent):
    __doc__ = (
        """Recurrent neural network regressor trained by backpropagation
    through time.

    Reads each sequence with stacked (optionally bidirectional) recurrent
    layers and predicts one or several values from the last hidden state (of
    both directions), with a linear output and the squared error loss.

    ``X`` is 2D ``(n_samples, n_timesteps)`` (univariate sequences, e.g. lag
    windows of a series), 3D ``(n_samples, n_timesteps, n_features)``, a
    list of sequences of varying lengths, or a 3D array padded at the end of
    sequences with NaN.
"""
        + _parameters_doc(
            hidden="(32,)",
            hidden_why="""
        The regressor's default is half the classifier's: on lag windows of
        real series (81-151 windows of 10-12 steps in the real-data
        benchmark) 32 units overfit less than 64.""",
            conv_filters="0",
            conv_why="",
            conv_kernel_size="3",
            conv_pool="1",
            standardize_type="bool, default=True",
            standardize_sequence="",
            input_window='"auto"',
            input_window_why="""
        On lag windows of real series it brings the regressor to the
        linear model's level where the recurrent layers alone fall short
        (Lynx, one step ahead: 713 against 754, ``Ridge`` 731).""",
        )
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRIBUTES_DOC
        + """
    See Also
    --------
    RNNClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : Feed-forward counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(200, 10))  # 200 sequences of 10 steps
    >>> y = X.sum(axis=1)
    >>> reg = RNNRegressor(cell="gru", max_iter=50, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """
    )

    def __init__(
        self,
        cell="gru",
        hidden_layer_sizes=(32,),
        bidirectional=False,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        clip_norm=None,
        return_sequences=False,
        bptt_steps=None,
        clock_periods=(1, 2, 4, 8),
        conv_filters=0,
        conv_kernel_size=3,
        conv_pool=1,
        pooling="auto",
        standardize=True,
        validation_split="random",
        dtype="auto",
        input_window="auto",
    ):
        super().__init__(
            cell=cell,
            hidden_layer_sizes=hidden_layer_sizes,
            bidirectional=bidirectional,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            clip_norm=clip_norm,
            return_sequences=return_sequences,
            bptt_steps=bptt_steps,
            clock_periods=clock_periods,
            conv_filters=conv_filters,
            conv_kernel_size=conv_kernel_size,
            conv_pool=conv_pool,
            pooling=pooling,
            standardize=standardize,
            validation_split=validation_split,
            dtype=dtype,
            input_window=input_window,
        )

    def _encode_targets(self, y, first_pass, dtype, classes=None, incremental=False):
        check_target_form(y)
        y = check_array(y, ensure_2d=False, dtype=dtype, input_name="y")
        if y.ndim > 2:
            raise ValueError(f"y must be 1D or 2D, got an array of shape {y.shape}.")
        if first_pass or not incremental:
            # A warm-started fit may change the number of outputs (and so
            # the network): predictions then take the new layout.
            self._y_ndim = y.ndim
        return y.reshape(len(y), -1)

    def _fit_target_scaler(self, Y_rows, sequences, sample_weight):
        # One row per output read: per sequence, or per real step.
        weights = sample_weight
        if self.return_sequences:
            weights = np.repeat(sample_weight, sequences.lengths)
        Y_rows = np.asarray(Y_rows).reshape(len(Y_rows), -1)
        return Standardization(*row_statistics(Y_rows, weights, "y"))

    @property
    def target_mean_(self):
        """Per-output mean of the training targets (None with
        ``standardize=False``)."""
        check_is_fitted(self, "params_")
        scaler = self._target_scaler
        return None if scaler is None else scaler.mean

    @property
    def target_scale_(self):
        """Per-output standard deviation of the training targets, 1 for a
        constant target (None with ``standardize=False``)."""
        check_is_fitted(self, "params_")
        scaler = self._target_scaler
        return None if scaler is None else scaler.scale

    def _outputs(self, raw):
        """Network outputs on the scale of the targets."""
        scaler = self._target_scaler
        return raw if scaler is None else scaler.inverse_transform(raw)

    def _loss(self):
        return "squared"

    def _validation_score(self, Y, raw, sample_weight):
        return r2_score(Y, raw, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNRegressor
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(BaseRecurrent._check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``X``, ``y`` (continuing from the current state).

        Parameters
        ----------
        X : array-like or list of array-like
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNRegressor
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _predict_rows(self, raw):
        raw = self._outputs(raw)
        return raw.ravel() if self._y_ndim == 1 else raw

    def predict(self, X):
        """Predict targets of sequences (or of every step).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            With ``return_sequences=True``: of shape (n_samples, n_timesteps)
            or (n_samples, n_timesteps, n_outputs) with NaN after a
            sequence's end, or a list of ``(T_i,)`` or ``(T_i, n_outputs)``
            arrays when ``X`` is a list.
        """
        rows, layout = self._decision(X)
        return self._layout(self._predict_rows(rows), layout)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² on ``X`` and ``y``.

        With ``return_sequences=True`` R² is computed over all real
        (unpadded) steps, each weighted by its sequence's ``sample_weight``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.
        y : array-like
            True targets, per sequence or per step.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence.

        Returns
        -------
        score : float
        """
        if not self._per_step():
            return super().score(X, y, sample_weight)
        return self._score_steps(r2_score, X, y, sample_weight)

    def forecast(self, X, n_steps, covariates=None):
        """Run over contexts, then predict ``n_steps`` ahead in closed loop.

        Every prediction is fed back as the next input. A model trained with
        ``return_sequences=True`` continues from its state after the context;
        a model trained on windows (one target per sequence) slides each
        window: the prediction is appended and the oldest step dropped.
        The contract is that of :meth:`EchoStateRegressor.forecast`.

        Parameters
        ----------
        X : array-like or list of array-like
            Context sequence(s), as for :meth:`predict`; they are forecast
            together, each as if alone (to rounding).
        n_steps : int
            Number of steps to forecast, at least 1.
        covariates : array-like of shape (n_contexts, n_steps, n_covariates), \
                default=None
            Known future values of the input features after the
            ``n_outputs_`` fed back, as for
            :meth:`EchoStateRegressor.forecast`.

        Returns
        -------
        y : ndarray of shape (n_contexts, n_steps) or \
                (n_contexts, n_steps, n_outputs)
            The first step is the prediction that follows the context.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RNNRegressor
        >>> from skrnn.datasets import lag_windows
        >>> series = np.sin(np.arange(400) * 2 * np.pi / 25)
        >>> X, y = lag_windows(series, 25)
        >>> reg = RNNRegressor(cell="gru", hidden_layer_sizes=(16,),
        ...                    max_iter=30, random_state=0).fit(X, y)

        The context that ends at the last known value is the series' last
        25 steps (``X[-1:]`` ends one step earlier: its target is known):

        >>> reg.forecast(series[np.newaxis, -25:], n_steps=5).shape
        (1, 5)
        """
        check_is_fitted(self, "params_")
        if not _is_count(n_steps) or n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}.")
        network = self._network
        if network.n_directions == 2:
            raise ValueError(
                "forecast runs forward in time, feeding each prediction back "
                "as the next input, but this model is bidirectional: it reads "
                "every step's future, which a forecast does not have. Train "
                "with bidirectional=False to forecast."
            )
        sequences = self._validated(X)
        # Forecasts run in the inputs' dtype, as predictions do.
        params = self._inference_params(sequences.values.dtype)
        covariates = check_covariates(
            covariates,
            len(sequences.lengths),
            n_steps,
            self.n_outputs_,
            self._n_step_features,
            params.dtype,
        )
        check_memory(
            2
            * len(sequences.lengths)
            * n_steps
            * self._n_step_features
            * params.itemsize,
            f"forecast(n_steps={n_steps}) of {len(sequences.lengths)} contexts",
            "forecast fewer steps per call (a forecast can continue from the "
            "end of the last one) or fewer contexts at a time",
        )
        if covariates is not None and self._input_scaler is not None:
            # Covariates enter on the inputs' scale: the last features' statistics.
            k, scaler = self.n_outputs_, self._input_scaler
            covariates = Standardization(scaler.mean[k:], scaler.scale[k:]).transform(
                covariates, "covariates"
            )
        if network.return_sequences:
            result = network.forecast(
                params,
                sequences,
                n_steps,
                feedback=self._feedback,
                covariates=covariates,
            )
            result = self._outputs(result)
        else:
            result = self._forecast_windows(params, sequences, n_steps, covariates)
        return result[..., 0] if self._y_ndim == 1 else result

    def _feedback(self, raw):
        """A prediction (raw network output) as the next input step's first
        features, on the scale the network reads its inputs in."""
        if self._input_scaler is None and self._target_scaler is None:
            return raw
        y = self._outputs(raw)
        scaler = self._input_scaler
        if scaler is None:
            return y
        k = y.shape[-1]
        if k != len(scaler.mean):
            # Followed by covariates: the first k features' statistics.
            scaler = Standardization(scaler.mean[:k], scaler.scale[:k])
        return scaler.transform(y)

    def _forecast_windows(self, params, sequences, n_steps, covariates=None):
        """Closed loop for a model of windows: slide each window by one step;
        the new step is the prediction, then the step's known covariates."""
        window, lengths = sequences.values.copy(), sequences.lengths
        result = np.empty((len(lengths), n_steps, self.n_outputs_), window.dtype)
        for step in range(n_steps):
            raw = self._network.decision(params, Sequences(window, lengths))
            result[:, step] = self._outputs(raw)
            if step == n_steps - 1:
                break
            last = self._feedback(raw)
            if covariates is not None:
                last = np.concatenate([last, covariates[:, step]], axis=1)
            slide_windows_(window, lengths, last)
        return result

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
