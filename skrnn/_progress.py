"""Progress lines for long loops (``verbose``): how far, and how long so far."""

import time

__all__ = ["Progress"]


class Progress:
    """Print ``done`` of ``total`` units at every tenth of the way, and at the end.

    A call per chunk of work costs a comparison; at most eleven lines are
    printed whatever the number of calls, so that a harvest of millions of
    steps stays readable.

    Parameters
    ----------
    verbose : int or bool
        Print nothing when false.
    what : str
        What is done, e.g. ``"Harvest"``.
    total : int
        Units of work in all.
    unit : str
        Name of a unit, e.g. ``"steps"``.

    Examples
    --------
    >>> progress = Progress(True, "Forecast", 4, "steps")
    >>> for done in range(1, 5):
    ...     progress(done)  # doctest: +ELLIPSIS
    Forecast: 1 of 4 steps (25%), ... s
    Forecast: 2 of 4 steps (50%), ... s
    Forecast: 3 of 4 steps (75%), ... s
    Forecast: 4 of 4 steps (100%), ... s
    """

    def __init__(self, verbose, what, total, unit):
        self.verbose = verbose
        self.what = what
        self.total = max(int(total), 1)
        self.unit = unit
        self.start = time.perf_counter()
        self.next_tenth = 1

    def __call__(self, done):
        if not self.verbose:
            return
        tenth = 10 * done // self.total
        if tenth < self.next_tenth and done < self.total:
            return
        self.next_tenth = tenth + 1
        seconds = time.perf_counter() - self.start
        print(
            f"{self.what}: {done:,} of {self.total:,} {self.unit} "
            f"({100 * done / self.total:.0f}%), {seconds:.2f} s",
            flush=True,
        )
