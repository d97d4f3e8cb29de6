"""Leave an estimator as it was when a fit fails."""

__all__ = ["restore_on_failure"]


def restore_on_failure(fit_method):
    """Leave the estimator as it was when ``fit_method`` raises.

    Fitting builds new arrays and lists rather than changing fitted ones in
    place (the recurrent estimators' parameters are copied before training,
    the echo state readout's sums of a ``partial_fit`` call are added into
    new arrays), so a shallow copy of the instance dictionary is a full
    snapshot.
    """

    def wrapper(self, *args, **kwargs):
        snapshot = self.__dict__.copy()
        try:
            return fit_method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    wrapper.__name__ = fit_method.__name__
    wrapper.__doc__ = fit_method.__doc__
    wrapper.__wrapped__ = fit_method
    return wrapper
