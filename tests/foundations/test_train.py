"""course_utils.foundations.train: the mini-batch loop learns, repeats itself, and checks its arguments."""

import numpy as np
import pytest

from course_utils.foundations.layers import MLP
from course_utils.foundations.train import accuracy, train


def test_train_rejects_bad_arguments():
    model = MLP(sizes=(4, 3, 2))
    x, y = np.zeros((6, 4), dtype=np.float32), np.zeros(6, dtype=np.int64)
    with pytest.raises(ValueError, match="learning rate"):
        train(model, x, y, epochs=1, lr=0, progress=False)
    with pytest.raises(ValueError, match="5 labels"):
        train(model, x, y[:5], epochs=1, progress=False)


def test_train_learns_two_blobs_and_is_deterministic():
    from course_utils.data import make_two_blobs

    x, y = make_two_blobs(n=400, distance=4.0, seed=0)
    xv, yv = make_two_blobs(n=200, distance=4.0, seed=1)
    histories = []
    for _ in range(2):
        model = MLP(sizes=(2, 8, 2), seed=0)
        histories.append(
            train(model, x, y, epochs=5, batch_size=32, lr=0.01, x_val=xv, y_val=yv, progress=False)
        )
    h = histories[0]
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy", "batch_loss"}
    assert len(h["loss"]) == 5 and len(h["batch_loss"]) == 5 * 13
    assert h == histories[1]
    assert h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] > 0.95
    assert np.isclose(h["val_accuracy"][-1], accuracy(model, xv, yv))


def test_train_blas_threads_does_not_change_the_result():
    from course_utils.data import make_two_blobs

    x, y = make_two_blobs(n=200, distance=3.0, seed=2)
    runs = [
        train(
            MLP(sizes=(2, 16, 2), seed=0, dtype=np.float64),
            x,
            y,
            epochs=2,
            progress=False,
            blas_threads=t,
        )
        for t in (1, None)
    ]
    np.testing.assert_allclose(runs[0]["batch_loss"], runs[1]["batch_loss"], rtol=1e-10)
    with pytest.raises(ValueError, match="blas_threads"):
        train(MLP(sizes=(2, 3, 2)), x, y, epochs=1, progress=False, blas_threads=0)
