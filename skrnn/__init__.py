"""skrnn: recurrent neural networks and echo state networks as scikit-learn estimators."""

from skrnn import datasets
from skrnn._recurrent import RNNClassifier, RNNRegressor

__version__ = "0.1.0"
__all__ = ["RNNClassifier", "RNNRegressor", "datasets"]
