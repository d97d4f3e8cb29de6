"""pandas in, pandas out: a series' values, its time index and the next periods.

numpy input needs no pandas and gives numpy output; a pandas Series or
DataFrame gives forecasts indexed by the periods that follow its index. pandas
is only imported when the input already comes from it.
"""

import sys

import numpy as np

__all__ = ["SeriesLayout", "split_series"]


def _is_pandas(obj):
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(obj, (pandas.Series, pandas.DataFrame))


class SeriesLayout:
    """How one series came in, to give its forecasts back the same way.

    Attributes
    ----------
    kind : {"1d", "2d", "series", "frame"}
    index : pandas.Index or None
    name : hashable or None
        The Series' name, or the DataFrame's columns.
    """

    def __init__(self, kind, index=None, name=None):
        self.kind, self.index, self.name = kind, index, name

    def future_index(self, horizon):
        """The ``horizon`` periods that follow the index."""
        import pandas as pd

        index = self.index
        if isinstance(index, pd.PeriodIndex):
            return pd.period_range(index[-1] + 1, periods=horizon, freq=index.freq)
        if isinstance(index, pd.DatetimeIndex):
            freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
            if freq is None:
                raise ValueError(
                    "The DatetimeIndex of y has no frequency and none can be "
                    "inferred, so the dates of the forecast are unknown; give "
                    "it one (y.asfreq('MS'), for instance) or use a PeriodIndex."
                )
            offset = pd.tseries.frequencies.to_offset(freq)
            return pd.date_range(index[-1] + offset, periods=horizon, freq=offset)
        if pd.api.types.is_integer_dtype(index.dtype):
            step = int(index[-1] - index[-2]) if len(index) > 1 else 1
            start = int(index[-1]) + step
            return pd.RangeIndex(start, start + step * horizon, step)
        raise ValueError(
            "The index of y must be a DatetimeIndex, a PeriodIndex or integers "
            f"for a forecast to be indexed by the next periods; got a "
            f"{type(index).__name__}."
        )

    def wrap(self, values):
        """Forecasts ``(horizon, d)`` in this layout."""
        if self.kind == "1d":
            return values[:, 0]
        if self.kind == "2d":
            return values
        import pandas as pd

        index = self.future_index(len(values))
        if self.kind == "series":
            return pd.Series(values[:, 0], index=index, name=self.name)
        return pd.DataFrame(values, index=index, columns=self.name)


def split_series(y, input_name="y"):
    """Values ``(n_timesteps, d)`` as float64 and the layout of one series."""
    from sklearn.utils.validation import check_array

    if _is_pandas(y):
        if y.ndim == 1:
            layout = SeriesLayout("series", y.index, y.name)
        else:
            layout = SeriesLayout("frame", y.index, y.columns)
        values = y.to_numpy()
    else:
        values, layout = y, None
    values = check_array(
        values,
        ensure_2d=False,
        allow_nd=True,
        dtype=np.float64,
        input_name=input_name,
        ensure_min_samples=1,
    )
    if values.ndim not in (1, 2):
        raise ValueError(
            f"{input_name} must be one series, 1D (n_timesteps,) or 2D "
            f"(n_timesteps, n_variables); got an array of shape {values.shape}."
        )
    if layout is None:
        layout = SeriesLayout("1d" if values.ndim == 1 else "2d")
    return values.reshape(len(values), -1), layout
