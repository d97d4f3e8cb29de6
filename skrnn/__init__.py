"""skrnn: recurrent neural networks and echo state networks as scikit-learn estimators."""

from skrnn import datasets, preprocessing
from skrnn._echo_state import EchoStateRegressor
from skrnn._echo_state_classifier import EchoStateClassifier
from skrnn._recurrent import RNNClassifier, RNNRegressor

__version__ = "0.1.0"
__all__ = [
    "EchoStateClassifier",
    "EchoStateRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "datasets",
    "preprocessing",
]
