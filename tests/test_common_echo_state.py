"""scikit-learn's estimator checks over both echo state heads and their options."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skrnn import EchoStateClassifier, EchoStateRegressor

ESTIMATORS = [
    EchoStateRegressor(),
    EchoStateClassifier(),
    # Output feedback and a leaky reservoir.
    EchoStateRegressor(feedback=True, leak_rate=0.7),
    # The pooled readouts, a fixed penalty, no standardisation.
    EchoStateRegressor(pooling="mean", alpha=1e-4, standardize=False),
    EchoStateClassifier(pooling="steps", washout=1, alphas=[1e-3, 1e-1, 10.0]),
    EchoStateClassifier(pooling="last", leak_rate=0.5, standardize=False),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
