"""Application set-up: one BLAS thread beside the GUI thread (SPEC section 8)."""

from threadpoolctl import threadpool_info

from gui.app import create_application


def test_application_runs_blas_on_one_thread(qapp) -> None:
    create_application()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS was not found by threadpoolctl"
    assert all(pool["num_threads"] == 1 for pool in blas)
