"""Shared test set-up."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    # The matrices in the tests are small: BLAS threads only add contention,
    # most of all when pytest-xdist runs two workers on two cores.
    with threadpool_limits(limits=1):
        yield
