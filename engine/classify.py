"""How well a classifier does: accuracy and the confusion matrix of a network on a data set.

The predicted class of an observation is the output node with the largest value (one sigmoid
output: class 1 where it is >= 0.5), as ``engine.losses.class_labels`` decides; the true class is
read from the targets, given as one-hot rows ``(n_obs, K)`` or as class indices ``(n_obs,)`` /
``(n_obs, 1)``. The confusion matrix counts observations: row = true class, column = predicted.
"""

from __future__ import annotations

import numpy as np

from engine.backprop import predict
from engine.losses import class_labels
from engine.network import Network


def true_classes(targets: np.ndarray, n_classes: int) -> np.ndarray:
    """Class index ``(n_obs,)`` of each target row: one-hot rows, or one column of class indices
    (0/1 thresholded at 0.5 when there are two classes and one output)."""
    y = np.asarray(targets, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if n_classes == 2:
        return (y[:, 0] >= 0.5).astype(int)
    labels = y[:, 0]
    if np.any(labels != np.round(labels)) or np.any(labels < 0) or np.any(labels >= n_classes):
        raise ValueError(f"targets: class indices must be whole numbers 0..{n_classes - 1}")
    return labels.astype(int)


def n_classes_of(net: Network) -> int:
    """Classes a network tells apart: one per output node, two for a single output."""
    return max(2, net.n_outputs)


def predicted_classes(net: Network, X: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
    """Predicted class ``(n_obs,)`` of each row of ``X`` (parameters ``theta`` if given)."""
    return class_labels(predict(net, X, theta))


def confusion_matrix(net: Network, X: np.ndarray, Y: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
    """Counts ``(K, K)`` of int: entry [t, p] = observations of true class t predicted as class p."""
    k = n_classes_of(net)
    return confusion_from_labels(true_classes(Y, k), predicted_classes(net, X, theta), k)


def confusion_from_labels(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts ``(K, K)``, rows = true class, columns = predicted class, from two label vectors."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true, dtype=int), np.asarray(predicted, dtype=int)), 1)
    return counts


def accuracy(net: Network, X: np.ndarray, Y: np.ndarray, theta: np.ndarray | None = None) -> float:
    """Share of observations whose predicted class is the true one (the matrix's trace over its sum)."""
    k = n_classes_of(net)
    return float(np.mean(true_classes(Y, k) == predicted_classes(net, X, theta)))


__all__ = ["accuracy", "confusion_from_labels", "confusion_matrix", "n_classes_of", "predicted_classes",
           "true_classes"]
