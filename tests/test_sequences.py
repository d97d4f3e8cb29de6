"""Every accepted input form, and the errors for the rejected ones."""

import numpy as np
import pytest
import scipy.sparse

from skrnn import RNNRegressor
from skrnn._sequences import check_sequences


def test_2d_is_univariate_sequences():
    sequences, layout = check_sequences([[1, 2, 3], [4, 5, 6]])
    assert layout == "columns"
    assert sequences.values.shape == (2, 3, 1)
    assert sequences.values.dtype == np.float64
    np.testing.assert_array_equal(sequences.lengths, [3, 3])


def test_3d_keeps_float32():
    X = np.ones((2, 4, 3), dtype=np.float32)
    sequences, layout = check_sequences(X)
    assert layout == "array"
    assert sequences.values.dtype == np.float32


def test_ragged_list_of_1d_and_2d_sequences():
    sequences, layout = check_sequences([np.arange(3.0), np.arange(5.0)])
    assert layout == "list"
    np.testing.assert_array_equal(sequences.lengths, [3, 5])
    np.testing.assert_array_equal(sequences.values[0, :, 0], [0, 1, 2, 0, 0])
    sequences, _ = check_sequences([np.ones((2, 3)), np.ones((4, 3))])
    assert sequences.values.shape == (2, 4, 3)


def test_trailing_nan_is_padding():
    X = np.ones((2, 4, 2))
    X[1, 2:] = np.nan
    sequences, _ = check_sequences(X)
    np.testing.assert_array_equal(sequences.lengths, [4, 2])
    assert not np.isnan(sequences.values).any()
    assert (sequences.values[1, 2:] == 0).all()


@pytest.mark.parametrize(
    "X, message",
    [
        (
            np.array([[1.0, np.nan, 2.0]]),
            "NaN at time step 1 of sample 0, before the end",
        ),
        (np.array([[1.0, np.inf]]), "contains inf"),
        (np.array([[np.nan, np.nan]]), "empty sequence"),
        ([np.ones(3), np.ones(0)], r"X\[1\] is an empty sequence"),
        ([np.ones((3, 2)), np.ones((4, 3))], "X\\[1\\] has 3 features per time step"),
        (np.ones((2, 3, 4, 1)), "got a 4D array"),
        (np.ones((2, 0, 3)), "at least one time step"),
        (np.ones((2, 3)) + 1j, "[Cc]omplex"),
    ],
)
def test_bad_input_messages(X, message):
    with pytest.raises(ValueError, match=message):
        check_sequences(X)


def test_nan_in_some_features_of_a_step():
    X = np.ones((1, 3, 2))
    X[0, 2, 0] = np.nan
    with pytest.raises(ValueError, match="some but not all features of sample 0"):
        check_sequences(X)


def test_sparse_is_rejected():
    with pytest.raises(TypeError, match="[Ss]parse"):
        check_sequences(scipy.sparse.csr_matrix(np.ones((3, 4))))


def fitted_regressor(X):
    y = np.arange(len(X), dtype=float) if not isinstance(X, list) else np.arange(2.0)
    return RNNRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)


def test_2d_fit_keeps_the_column_contract():
    model = fitted_regressor(np.random.RandomState(0).normal(size=(6, 5)))
    assert model.n_features_in_ == 5
    with pytest.raises(
        ValueError, match="X has 4 features, but RNNRegressor is expecting 5"
    ):
        model.predict(np.ones((2, 4)))
    # Sequences of another length go in as 3D arrays or lists.
    assert model.predict(np.ones((2, 7, 1))).shape == (2,)
    assert model.predict([np.ones(3), np.ones(9)]).shape == (2,)


def test_3d_fit_accepts_any_length_but_checks_features_per_step():
    model = fitted_regressor(np.random.RandomState(0).normal(size=(6, 5, 2)))
    assert model.n_features_in_ == 2
    assert model.predict(np.ones((3, 11, 2))).shape == (3,)
    with pytest.raises(
        ValueError,
        match="X has 3 features per time step, but RNNRegressor is expecting 2",
    ):
        model.predict(np.ones((3, 5, 3)))
    with pytest.raises(
        ValueError, match="pass a 3D array of shape \\(n_samples, n_timesteps, 2\\)"
    ):
        model.predict(np.ones((3, 5)))


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        np.random.RandomState(0).normal(size=(6, 3)), columns=["t0", "t1", "t2"]
    )
    model = fitted_regressor(X)
    np.testing.assert_array_equal(model.feature_names_in_, ["t0", "t1", "t2"])
    model.fit(np.ones((6, 4, 1)), np.arange(6.0))
    assert not hasattr(model, "feature_names_in_")
