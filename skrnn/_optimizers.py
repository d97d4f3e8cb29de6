"""Adam and SGD on the flat parameter vector.

The same update rules and learning-rate schedules as scikit-learn's
``sklearn.neural_network._stochastic_optimizers``, applied in one vectorised
step to the whole flat parameter vector instead of to a list of arrays.
"""

import numpy as np


class SGDOptimizer:
    """Stochastic gradient descent with momentum.

    Parameters
    ----------
    n_parameters : int
    dtype : dtype
    learning_rate_init : float
    learning_rate : {"constant", "invscaling", "adaptive"}
    momentum : float
    nesterov : bool
    power_t : float
    """

    def __init__(
        self,
        n_parameters,
        dtype,
        learning_rate_init,
        learning_rate,
        momentum,
        nesterov,
        power_t,
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(n_parameters, dtype=dtype)

    def update(self, params, grad):
        """Take one step in place."""
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate * grad
        if self.nesterov:
            params += self.momentum * self.velocity
            params -= self.learning_rate * grad
        else:
            params += self.velocity

    def iteration_ends(self, time_step):
        """Apply the ``"invscaling"`` schedule after ``time_step`` samples."""
        if self.schedule == "invscaling":
            self.learning_rate = (
                self.learning_rate_init / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Whether training stops; the ``"adaptive"`` schedule divides by 5 first."""
        if self.schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + " Setting learning rate to %f" % self.learning_rate)
        return False


class AdamOptimizer:
    """Adam (Kingma & Ba 2014).

    Parameters
    ----------
    n_parameters : int
    dtype : dtype
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates.
    epsilon : float
    """

    def __init__(
        self, n_parameters, dtype, learning_rate_init, beta_1, beta_2, epsilon
    ):
        self.learning_rate_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(n_parameters, dtype=dtype)
        self.v = np.zeros(n_parameters, dtype=dtype)
        self._step = np.empty(n_parameters, dtype=dtype)

    def update(self, params, grad):
        """Take one step in place."""
        self.t += 1
        self.m *= self.beta_1
        self.m += (1 - self.beta_1) * grad
        self.v *= self.beta_2
        self.v += (1 - self.beta_2) * (grad * grad)
        lr = (
            self.learning_rate_init
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        step = self._step
        np.sqrt(self.v, out=step)
        step += self.epsilon
        np.divide(self.m, step, out=step)
        step *= lr
        params -= step

    def iteration_ends(self, time_step):
        """Adam keeps its learning rate."""

    def trigger_stopping(self, msg, verbose):
        """Adam stops at once when there is no improvement."""
        if verbose:
            print(msg + " Stopping.")
        return True
