"""The shipped real data sets (iris, 8x8 digits): files, shapes, classes, scaling, presets, classifiers."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from engine.classify import accuracy, confusion_from_labels, confusion_matrix, true_classes
from engine.data import DATASETS, DataError, make_dataset
from engine.network import Layer, Network
from engine.scenario import ScenarioError, build_training_session, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "resources" / "datasets"
SCENARIOS = ROOT / "resources" / "scenarios"


def _file(name: str) -> tuple[list[str], np.ndarray]:
    with (DATA / name).open(newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=float)


def test_iris_file_and_data_set() -> None:
    header, values = _file("iris.csv")
    assert header == ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    assert values.shape == (150, 5)
    # the first flower of Fisher's table, and the class counts 50/50/50
    np.testing.assert_array_equal(values[0], [5.1, 3.5, 1.4, 0.2, 0])
    assert np.bincount(values[:, 4].astype(int)).tolist() == [50, 50, 50]
    d = make_dataset("iris")
    assert d.inputs.shape == (150, 4) and d.targets.shape == (150, 1)
    assert d.input_names == tuple(header[:4]) and d.target_names == ("species",)
    assert np.bincount(d.targets[:, 0].astype(int)).tolist() == [50, 50, 50]
    # standardised: mean 0, population std 1, per column
    np.testing.assert_allclose(d.inputs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.inputs.std(axis=0), 1.0, rtol=1e-12)
    # each row is a standardised row of the file (the seeded order is a permutation)
    raw = values[:, :4]
    z = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    order = np.lexsort(z.T[::-1])
    mine = np.lexsort(d.inputs.T[::-1])
    np.testing.assert_allclose(d.inputs[mine], z[order], rtol=0, atol=1e-12)


def test_digits_file_and_data_set() -> None:
    header, values = _file("digits.csv")
    assert header == [f"p{i}" for i in range(64)] + ["digit"]
    assert values.shape == (1797, 65)
    assert values[:, :64].min() == 0 and values[:, :64].max() == 16
    assert np.all(values == np.round(values))
    counts = np.bincount(values[:, 64].astype(int)).tolist()
    assert counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    d = make_dataset("digits", seed=4)
    assert d.inputs.shape == (1797, 64) and d.targets.shape == (1797, 1)
    assert np.bincount(d.targets[:, 0].astype(int)).tolist() == counts
    assert d.inputs.min() == 0.0 and d.inputs.max() == 1.0
    # pixel values divided by 16: the same multiset of rows as the file
    np.testing.assert_array_equal(np.sort(d.inputs.sum(axis=1)), np.sort(values[:, :64].sum(axis=1) / 16))


def test_a_subset_is_seeded_and_distinct_rows() -> None:
    a, b, c = make_dataset("digits", 300, seed=1), make_dataset("digits", 300, seed=1), make_dataset("digits", 300, seed=2)
    assert a == b and not np.array_equal(a.inputs, c.inputs)
    assert a.inputs.shape == (300, 64)
    # 300 different rows of the file (the digits set holds no duplicate images among them)
    assert len({row.tobytes() for row in np.column_stack([a.inputs, a.targets])}) == 300
    noisy = make_dataset("iris", 150, noise=0.5, seed=0)
    assert not np.array_equal(noisy.inputs, make_dataset("iris", 150, 0.0, 0).inputs)
    np.testing.assert_array_equal(noisy.targets, make_dataset("iris", 150, 0.0, 0).targets)


def test_real_sets_refuse_more_rows_than_the_file() -> None:
    with pytest.raises(DataError, match="iris has 150 observations, got 151"):
        make_dataset("iris", 151)
    obj = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    obj["data"]["n"] = 200
    with pytest.raises(ScenarioError, match=r'^data.n: "iris" has 150 observations, got 200'):
        parse_scenario(obj)
    obj["data"] = {"dataset": "digits"}
    with pytest.raises(ScenarioError, match='"digits" has 64 input'):
        parse_scenario(obj)


def test_registry_entries() -> None:
    iris, digits = DATASETS["iris"], DATASETS["digits"]
    assert (iris.n_inputs, iris.n_classes, iris.size, iris.default_noise) == (4, 3, 150, 0.0)
    assert (digits.n_inputs, digits.n_classes, digits.size) == (64, 10, 1797)
    assert digits.setup.layer_sizes(10) == [16, 10]


def test_readme_names_source_and_licence() -> None:
    text = (DATA / "README.md").read_text()
    for words in ("UCI Machine Learning Repository", "BSD-3-Clause", "CC BY 4.0", "iris.csv", "digits.csv"):
        assert words in text


@pytest.mark.parametrize("stem, params", [("iris-classifier", 67), ("digits-64-16-10", 1210)])
def test_presets_load_and_train(stem: str, params: int) -> None:
    scenario = load_scenario(SCENARIOS / f"{stem}.json")
    session = build_training_session(scenario)
    assert session.network.n_params == params
    session.run(50)
    losses = session.losses()
    assert session.status.state == "running"
    assert losses[50] < 0.5 * losses[0]
    assert session.accuracy() > 0.8


# --- accuracy and confusion matrix on hand-built cases ----------------------------------------

def _picker(n_in: int) -> Network:
    """An identity-output network whose outputs are its inputs: the largest input is the class."""
    return Network(n_in, (Layer(n_in, "identity", np.eye(n_in), np.zeros(n_in)),))


def test_confusion_matrix_by_hand() -> None:
    net = _picker(3)
    X = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0.5]], dtype=float)
    labels = np.array([0, 1, 1, 2, 2])  # predicted: 0, 1, 2, 1, 0
    expected = np.array([[1, 0, 0],
                         [0, 1, 1],
                         [1, 1, 0]])
    np.testing.assert_array_equal(confusion_matrix(net, X, labels), expected)
    one_hot = np.eye(3)[labels]
    np.testing.assert_array_equal(confusion_matrix(net, X, one_hot), expected)
    assert accuracy(net, X, labels) == pytest.approx(2 / 5)
    assert confusion_matrix(net, X, labels).sum() == 5


def test_single_sigmoid_output_is_two_classes() -> None:
    net = Network(1, (Layer(1, "identity", np.array([[1.0]]), np.array([0.0])),))
    X = np.array([[0.2], [0.7], [0.9], [0.4]])
    Y = np.array([[0.0], [1.0], [0.0], [1.0]])  # predicted: 0, 1, 1, 0
    np.testing.assert_array_equal(confusion_matrix(net, X, Y), [[1, 1], [1, 1]])
    assert accuracy(net, X, Y) == 0.5


def test_labels_are_checked() -> None:
    with pytest.raises(ValueError, match="class indices must be whole numbers 0..2"):
        true_classes(np.array([0, 3]), 3)
    np.testing.assert_array_equal(confusion_from_labels(np.array([1, 1]), np.array([0, 1]), 2), [[0, 0], [1, 1]])


def test_digit_images_row_by_row() -> None:
    from engine.input_images import first_layer_images, observation_image
    from engine.network import glorot

    assert DATASETS["digits"].image_shape == (8, 8) and DATASETS["iris"].image_shape is None
    header, values = _file("digits.csv")
    image = observation_image(values[0, :64], (8, 8))
    # the file's first image, row 1: 0,0,5,13,9,1,0,0 and row 2 starts 0,0,13,15
    assert image[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert image[1, :4].tolist() == [0, 0, 13, 15]
    net = glorot(64, [16, 10], ["tanh", "softmax"], np.random.default_rng(0))
    images = first_layer_images(net, (8, 8))
    assert images.shape == (16, 8, 8)
    names = net.param_names()
    theta = net.theta()
    # node 3's weight from input 12 (row 2, column 4, 1-based) is pixel [1, 3]
    assert images[2, 1, 3] == theta[names.index("w(1)[3,12]")]
    with pytest.raises(ValueError, match="needs 64 inputs, got 4"):
        observation_image(np.zeros(4), (8, 8))


def test_the_digits_preset_trains_on_300_and_tests_on_300() -> None:
    session = build_training_session(load_scenario(SCENARIOS / "digits-64-16-10.json"))
    assert session.n_obs == 300 and session.held_out.n_obs == 300
    assert not set(session.split.train_rows) & set(session.split.test_rows)
    session.run(100)
    assert session.test_accuracy() > 0.85
    assert session.test_losses()[100] < 0.5 * session.test_losses()[0]
