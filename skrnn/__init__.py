"""skrnn: recurrent neural networks and echo state networks as scikit-learn estimators."""

__version__ = "0.1.0"
__all__ = []
