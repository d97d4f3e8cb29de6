"""Echo state network classifier: the regressor's reservoir, a one-hot readout."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from skrnn._echo_state_base import (
    ATTRIBUTES_DOC,
    NOTES_DOC,
    BaseEchoState,
    parameters_doc,
)
from skrnn._restore import restore_on_failure

__all__ = ["EchoStateClassifier"]

# Width of the smooth floor of predict_proba: outputs well above it are
# kept as they are, negative ones become small positive numbers.
_PROBABILITY_FLOOR = 0.01


class EchoStateClassifier(ClassifierMixin, BaseEchoState):
    __doc__ = (
        """Echo state network classifier: a fixed reservoir, a ridge readout.

    The reservoir is :class:`EchoStateRegressor`'s,
    ``x_t = (1 - a) x_{t-1} + a tanh(W_in u_t + W x_{t-1} + b)``; the
    readout is a ridge regression of one-hot class indicators on features of
    the states (see ``pooling``), its penalty chosen from the data by
    default. A sequence (or, with ``return_sequences=True``, a step) gets the
    class of the largest output.

    Probabilities: least squares on one-hot indicators estimates the class
    probabilities directly (the linear probability model), and the outputs
    of every row sum to one. ``predict_proba`` keeps them where they are
    clearly positive and maps every output ``d`` through the smooth,
    increasing ``f(d) = 0.01 log(1 + exp(d / 0.01))``, which is ``d`` above
    a few hundredths and a small positive number below zero, then divides
    by the row's sum. The map is monotone, so probabilities rank rows as
    ``decision_function`` does; they are not calibrated further (wrap the
    model in :class:`~sklearn.calibration.CalibratedClassifierCV` for that).

    ``X`` is 2D ``(n_samples, n_timesteps)`` (univariate sequences), 3D
    ``(n_samples, n_timesteps, n_features)``, a list of sequences of varying
    lengths, or a 3D array padded at the end of sequences with NaN.

    Parameters
    ----------"""
        + parameters_doc(
            input_scaling=0.5,
            input_scaling_why=(
                "On the classification sets of the benchmarks, 0.25 to 1 did "
                "about equally well; 0.5 was the best compromise."
            ),
            pooling="mean",
            pooling_why=(
                'The default, ``"mean"``, was the most accurate on all five '
                "classification sets of the benchmarks: the last state "
                "trailed it by 0.1 to 0.65, TWIESN's per-step fit by 0.01 "
                "to 0.36."
            ),
            target_scaling="",
            standardize_type='bool or "sequence", default="sequence"',
            standardize_sequence="""
        ``"sequence"`` then splits each sequence into its shape (the
        sequence standardised by its own mean and standard deviation, over
        its real steps and all its features: the z-normalisation of the UCR
        archive), which the reservoir reads, and its level and log-scale,
        two constant channels that reach the readout only. It is the
        default: on the benchmarks' classification sets whose series are
        not z-normalised, the reservoir then sees shapes of comparable
        size whatever the amplitude (PLAID's appliances differ in current
        by orders of magnitude), and the readout still weighs the level
        and amplitude linearly.""",
        )
        + """
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight`` (per
        step with ``return_sequences=True``), as in scikit-learn's
        classifiers. ``"balanced"`` weighs each class by ``n_rows /
        (n_classes * its count)`` in the data of ``fit``; ``partial_fit``
        cannot know the counts of all the data and refuses it (pass a dict,
        for example from :func:`~sklearn.utils.class_weight.compute_class_weight`
        on a large enough sample of the labels).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels."""
        + ATTRIBUTES_DOC
        + """

    See Also
    --------
    EchoStateRegressor : The same reservoir with a regression readout.
    RNNClassifier : A recurrent network whose every weight is trained.
    sklearn.linear_model.RidgeClassifierCV : The readout's classifier, with
        its penalty chosen by cross-validation.

    Notes
    -----"""
        + NOTES_DOC
        + """

    References
    ----------
    Jaeger, H. (2001). The "echo state" approach to analysing and training
    recurrent neural networks. GMD Report 148.

    Tanisaro, P. and Heidemann, G. (2016). Time series classification using
    time warping invariant echo state networks. IEEE ICMLA.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import EchoStateClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(50)
    >>> X = np.stack([np.sin(t / (3 + c)) for c in rng.integers(0, 2, 60)])
    >>> y = (X[:, 10] < np.sin(10 / 3.5)).astype(int)
    >>> clf = EchoStateClassifier(n_reservoir=100, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> float(clf.score(X, y))
    1.0
    """
    )

    # Plain GCV: see skrnn._readout for why the classifier does not take the
    # regressor's robust 1.4.
    _gcv_df_cost = 1.0

    _parameter_constraints = {
        **BaseEchoState._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "standardize": ["boolean", StrOptions({"sequence"})],
    }

    def __init__(
        self,
        n_reservoir=500,
        *,
        density=0.02,
        spectral_radius=1.0,
        leak_rate=1.0,
        input_scaling=0.5,
        bias_scaling=0.2,
        alpha="auto",
        alphas=None,
        washout="auto",
        pooling="mean",
        input_window="auto",
        feedback=False,
        feedback_scaling=0.1,
        noise=0.0,
        standardize="sequence",
        return_sequences=False,
        class_weight=None,
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            n_reservoir,
            density=density,
            spectral_radius=spectral_radius,
            leak_rate=leak_rate,
            input_scaling=input_scaling,
            bias_scaling=bias_scaling,
            alpha=alpha,
            alphas=alphas,
            washout=washout,
            pooling=pooling,
            input_window=input_window,
            feedback=feedback,
            feedback_scaling=feedback_scaling,
            noise=noise,
            standardize=standardize,
            return_sequences=return_sequences,
            verbose=verbose,
            random_state=random_state,
        )
        self.class_weight = class_weight

    # -- targets -----------------------------------------------------------------
    def _labels(self, y):
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y.ndim == 2 and y.shape[1] > 1:
            raise ValueError(
                f"{type(self).__name__} takes one label per sequence (or per "
                f"step); got y of shape {y.shape}. Multilabel and multi-output "
                "targets are not supported."
            )
        return column_or_1d(y, warn=True)

    def _codes(self, y):
        """Positions of the labels in ``classes_``; unknown labels raise."""
        codes = np.searchsorted(self.classes_, y)
        codes[codes == len(self.classes_)] = 0
        if not np.array_equal(self.classes_[codes], y):
            raise ValueError(
                f"y has classes not in classes_ ({self.classes_}): "
                f"{np.setdiff1d(np.unique(y), self.classes_)}."
            )
        return codes

    def _encode_targets(self, y, first_call, classes):
        y = self._labels(y)
        if first_call:
            check_classification_targets(y)
            if classes is None:
                self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes "
                    f"in the data, but the data contain only 1 class: "
                    f"{self.classes_[0]!r}."
                )
        Y = np.zeros((len(y), len(self.classes_)))
        Y[np.arange(len(y)), self._codes(y)] = 1.0
        return Y

    def _row_factors(self, y, partial):
        if self.class_weight is None:
            return None
        if partial and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: it "
                "needs the class counts of all the data. Pass a dict instead, "
                "for example compute_class_weight('balanced', classes=classes, "
                "y=labels) on a large enough sample of the labels."
            )
        y = self._labels(y)
        try:
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y
            )
        except ValueError as error:
            raise ValueError(
                f"class_weight does not fit the labels of y: {error}"
            ) from error
        return weights[self._codes(y)]

    # -- fitting -------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def fit(self, X, y, sample_weight=None):
        """Fit the ridge readout on the reservoir states.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Input sequences.
        y : array-like
            Labels: (n_samples,) by default; per time step, laid out like X,
            with ``return_sequences=True`` (values after a sequence's end
            are ignored).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of every sequence (of each of its steps).

        Returns
        -------
        self : EchoStateClassifier
        """
        self.__dict__.pop("classes_", None)
        return self._fit(X, y, sample_weight, first_call=True, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_failure
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Add sequences to the readout's sums and solve it again.

        The sums of all calls are those of one :meth:`fit` on all the data
        (see Notes), so the readout is the same, to rounding.

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences.
        y : array-like
            Labels, as for :meth:`fit`.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call,
            ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of every sequence.

        Returns
        -------
        self : EchoStateClassifier
        """
        first_call = _check_partial_fit_first_call(self, classes)
        return self._fit(X, y, sample_weight, first_call, partial=True, classes=classes)

    # -- prediction ------------------------------------------------------------
    def _decision_values(self, rows, dtype):
        if len(self.classes_) == 2:
            # One-hot outputs of two classes sum to one: their difference
            # is positive exactly when the second class wins.
            rows = rows[:, 1] - rows[:, 0]
        return rows.astype(dtype, copy=False)

    def _labels_of(self, rows, dtype=None):
        return self.classes_[np.argmax(rows, axis=1)]

    @staticmethod
    def _probabilities(rows, dtype):
        floor = _PROBABILITY_FLOOR
        with np.errstate(over="ignore", invalid="ignore"):
            positive = floor * np.logaddexp(0.0, rows / floor)
            proba = positive / positive.sum(axis=1, keepdims=True)
        # Decision values so large that their softplus overflows: all the
        # probability goes to the largest (the limit of the formula).
        overflowed = ~np.isfinite(proba).all(axis=1)
        if overflowed.any():
            proba[overflowed] = 0.0
            proba[overflowed, rows[overflowed].argmax(axis=1)] = 1.0
        return proba.astype(dtype)

    def decision_function(self, X):
        """Readout outputs: one per class, or one for two classes.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, positive values favour ``classes_[1]``. With
            ``return_sequences=True``, one row per step in the layout of X.
        """
        rows, layout, dtype = self._decision_rows(X)
        return self._layout(self._decision_values(rows, dtype), layout)

    def predict(self, X):
        """Predict the class of every sequence (or step).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            With ``return_sequences=True``: of shape (n_samples, n_timesteps)
            with NaN (None for labels that are not numbers) after each
            sequence's end, or a list of ``(T_i,)`` arrays for a list.
        """
        rows, layout, _ = self._decision_rows(X)
        return self._layout(self._labels_of(rows), layout)

    def predict_proba(self, X):
        """Class probabilities (see the class docstring for how).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            With ``return_sequences=True``, one row per step in the layout
            of X.
        """
        rows, layout, dtype = self._decision_rows(X)
        return self._layout(self._probabilities(rows, dtype), layout)

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
        rows, layout, dtype = self._decision_rows(X)
        return self._layout(np.log(self._probabilities(rows, dtype)), layout)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``.

        With ``return_sequences=True`` the accuracy is over all real
        (unpadded) steps, each weighted by its sequence's ``sample_weight``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences.
        y : array-like or list of array-like
            True labels, per sequence or per step.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "coef_")
        if not self._fitted_params["return_sequences"]:
            return super().score(X, y, sample_weight)
        return self._score_steps(accuracy_score, X, y, sample_weight, self._labels_of)
