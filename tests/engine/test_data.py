"""Datasets: the lecture's observations, the built-in sets, and CSV import with line/column errors."""

from pathlib import Path

import numpy as np
import pytest

from engine.data import (DATASET_NAMES, DATASETS, LECTURE_SETUP, DataError, Dataset, lecture_data,
                         load_csv, make_dataset, one_hot, preview_csv)
from engine.losses import check_pairing, get_loss, output_units
from engine.network import lecture_network
from engine.optimizers import make_spec


def test_lecture_data_is_the_two_observations() -> None:
    d = lecture_data()
    np.testing.assert_array_equal(d.inputs, [[3.0, -2.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(d.targets, [[1.2], [0.7]])
    assert d.input_names == ("x1", "x2") and d.target_names == ("y",)
    assert d.inputs.dtype == np.float64


def test_dataset_arrays_are_read_only() -> None:
    d = lecture_data()
    with pytest.raises(ValueError):
        d.inputs[0, 0] = 5.0
    with pytest.raises(ValueError):
        d.targets[0, 0] = 5.0


def test_dataset_rejects_mismatched_rows() -> None:
    with pytest.raises(DataError, match="3 rows but targets have 2"):
        Dataset(np.zeros((3, 1)), np.zeros((2, 1)), ("x",), ("y",))


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_builtin_shapes_and_reproducible(name: str) -> None:
    a = make_dataset(name, n=41, noise=0.05, seed=3)
    b = make_dataset(name, n=41, noise=0.05, seed=3)
    c = make_dataset(name, n=41, noise=0.05, seed=4)
    assert a == b
    assert not np.array_equal(a.inputs, c.inputs)
    info = DATASETS[name]
    if info.task == "regression":
        assert a.inputs.shape == (41, 1) and a.targets.shape == (41, 1)
    elif info.real is None:
        assert a.inputs.shape == (41, 2) and a.targets.shape == (41, 1)
        counts = np.bincount(a.targets[:, 0].astype(int))
        assert counts.tolist() == [21, 20]  # balanced to within one
    else:  # a real set: 41 of its rows, its own columns
        assert a.inputs.shape == (41, len(info.real.input_names)) and a.targets.shape == (41, 1)
    assert np.all(np.isfinite(a.inputs)) and np.all(np.isfinite(a.targets))


def test_sine_without_noise_lies_on_the_curve() -> None:
    d = make_dataset("sine", n=50, noise=0.0, seed=1)
    np.testing.assert_allclose(d.targets[:, 0], np.sin(d.inputs[:, 0]))
    assert d.inputs.min() >= -np.pi and d.inputs.max() <= np.pi


def test_xor_classes_by_quadrant() -> None:
    d = make_dataset("xor", n=200, noise=0.0, seed=0)
    same_sign = d.inputs[:, 0] * d.inputs[:, 1] > 0
    np.testing.assert_array_equal(d.targets[:, 0] == 0, same_sign)


def test_circles_radii() -> None:
    d = make_dataset("circles", n=100, noise=0.0, seed=0)
    r = np.hypot(d.inputs[:, 0], d.inputs[:, 1])
    np.testing.assert_allclose(r[d.targets[:, 0] == 0], 0.5)
    np.testing.assert_allclose(r[d.targets[:, 0] == 1], 1.0)


def test_gaussians_means_separate() -> None:
    d = make_dataset("gaussians", n=400, noise=0.0, seed=0)
    m0 = d.inputs[d.targets[:, 0] == 0].mean(axis=0)
    m1 = d.inputs[d.targets[:, 0] == 1].mean(axis=0)
    np.testing.assert_allclose(m0, [-1, -1], atol=0.15)
    np.testing.assert_allclose(m1, [1, 1], atol=0.15)


def test_spirals_arms_are_point_symmetric() -> None:
    d = make_dataset("spirals", n=300, noise=0.0, seed=0)
    assert np.abs(d.inputs).max() <= 1.0 + 1e-12
    # Without noise the two arms are disjoint curves: no point of one lies on the other.
    a0 = d.inputs[d.targets[:, 0] == 0]
    a1 = d.inputs[d.targets[:, 0] == 1]
    gap = np.min(np.linalg.norm(a0[:, None, :] - a1[None, :, :], axis=2))
    assert gap > 1e-3


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "sinx"}, "unknown dataset 'sinx'; choose one of sine"),
    ({"name": "sine", "n": 0}, "n must be a whole number >= 1, got 0"),
    ({"name": "sine", "n": 2.5}, "got 2.5"),
    ({"name": "sine", "noise": -1.0}, "noise must be a finite number >= 0, got -1.0"),
    ({"name": "sine", "noise": float("nan")}, "noise must be a finite number"),
    ({"name": "sine", "seed": -2}, "seed must be a whole number >= 0, got -2"),
])
def test_make_dataset_rejects(kwargs: dict, message: str) -> None:
    with pytest.raises(DataError) as e:
        make_dataset(**kwargs)
    assert message in str(e.value)


def test_one_hot() -> None:
    np.testing.assert_array_equal(one_hot(np.array([[0.0], [2.0], [1.0]])),
                                  [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert one_hot(np.array([0, 1]), 4).shape == (2, 4)
    with pytest.raises(DataError, match="whole numbers"):
        one_hot(np.array([0.5]))
    with pytest.raises(DataError, match="needs at least 3 classes, got 2"):
        one_hot(np.array([2]), 2)


# --- CSV ---------------------------------------------------------------------------------------

def _write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


GOOD = "x1,x2,label,y\n3,-2,a,1.2\n-1,1,b,0.7\n"


def test_load_csv_by_name(tmp_path: Path) -> None:
    d = load_csv(_write(tmp_path, GOOD), ["x1", "x2"], ["y"])
    np.testing.assert_array_equal(d.inputs, lecture_data().inputs)
    np.testing.assert_array_equal(d.targets, lecture_data().targets)
    assert d.input_names == ("x1", "x2") and d.target_names == ("y",) and d.title == "data.csv"


def test_load_csv_by_index_and_order(tmp_path: Path) -> None:
    d = load_csv(_write(tmp_path, GOOD), [1, 0], [3])
    np.testing.assert_array_equal(d.inputs, [[-2.0, 3.0], [1.0, -1.0]])
    assert d.input_names == ("x2", "x1")


def test_load_csv_bom_quotes_semicolons_blank_lines(tmp_path: Path) -> None:
    text = '\ufeff"x1";"x 2";"y"\r\n"3";-2;1,5\r\n\r\n-1;1;0,7\r\n\r\n'
    d = load_csv(_write(tmp_path, text), ["x1", "x 2"], ["y"])
    np.testing.assert_array_equal(d.inputs, [[3, -2], [-1, 1]])
    np.testing.assert_array_equal(d.targets, [[1.5], [0.7]])


def test_load_csv_tabs_and_no_trailing_newline(tmp_path: Path) -> None:
    d = load_csv(_write(tmp_path, "a\tb\n1\t2\n3\t4"), ["a"], ["b"])
    np.testing.assert_array_equal(d.targets, [[2], [4]])


@pytest.mark.parametrize("text, inputs, targets, message", [
    ("x1,x2,y\n1,2,3\n4,5,6\n7,abc,9\n", ["x1", "x2"], ["y"],
     'data.csv, line 4, column "x2": "abc" is not a number'),
    ("x1,x2,y\n1,2,3\n4,,6\n", ["x1", "x2"], ["y"], 'data.csv, line 3, column "x2": missing value'),
    ("x1,x2,y\n1,2,3\n4,5\n", ["x1", "x2"], ["y"], "data.csv, line 3: expected 3 columns like the header, got 2"),
    ("x1,x2,y\n1,2,3,4\n", ["x1"], ["y"], "data.csv, line 2: expected 3 columns like the header, got 4"),
    ("x1,x2,y\n1,nan,3\n", ["x1", "x2"], ["y"], 'data.csv, line 2, column "x2": "nan" is not a finite number'),
    ("x1,x2,y\n1,2,3\n", ["x1", "x3"], ["y"], 'data.csv: unknown input column "x3"; the columns are x1, x2, y'),
    ("x1,x2,y\n1,2,3\n", ["x1"], ["why"], 'unknown target column "why"'),
    ("x1,x2,y\n1,2,3\n", ["x1"], [7], "target column index 7 is out of range; the file has columns 0 to 2"),
    ("x1,x2,y\n1,2,3\n", ["x1", 0], ["y"], 'column "x1" is chosen more than once'),
    ("x1,x2,y\n1,2,3\n", [], ["y"], "choose at least one input column"),
    ("", ["x1"], ["y"], "data.csv: the file is empty"),
    ("\n\n  \n", ["x1"], ["y"], "data.csv: the file is empty"),
    ("x1,x2,y\n", ["x1"], ["y"], "data.csv: no data rows after the header (line 1)"),
    (",,\n , ,\n", ["x1"], ["y"], "data.csv: no header row"),
    ("x,x,y\n1,2,3\n", ["x"], ["y"], 'column name "x" appears 2 times'),
])
def test_load_csv_errors_name_file_line_column(tmp_path: Path, text: str, inputs: list, targets: list,
                                               message: str) -> None:
    with pytest.raises(DataError) as e:
        load_csv(_write(tmp_path, text), inputs, targets)
    assert message in str(e.value)


def test_error_carries_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(DataError) as e:
        load_csv(_write(tmp_path, "x,y\n1,2\n3,oops\n"), ["x"], ["y"])
    assert (e.value.line, e.value.column) == (3, "y")


def test_unknown_column_suggests_close_name(tmp_path: Path) -> None:
    with pytest.raises(DataError, match='did you mean "target"'):
        load_csv(_write(tmp_path, "x,target\n1,2\n"), ["x"], ["targte"])


def test_unchosen_columns_may_hold_text(tmp_path: Path) -> None:
    d = load_csv(_write(tmp_path, GOOD), ["x1"], ["y"])
    assert d.inputs.shape == (2, 1)


def test_missing_file_and_binary_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nope.csv: file not found"):
        load_csv(tmp_path / "nope.csv", ["x"], ["y"])
    with pytest.raises(DataError, match="bin.csv: not a UTF-8 text file"):
        load_csv(_write(tmp_path, "x,y\n\xff\xfe", "bin.csv", encoding="latin-1"), ["x"], ["y"])


def test_preview_csv(tmp_path: Path) -> None:
    text = "a,b\n" + "".join(f"{i},{i * i}\n" for i in range(30))
    header, rows = preview_csv(_write(tmp_path, text), rows=5)
    assert header == ["a", "b"]
    assert rows == [["0", "0"], ["1", "1"], ["2", "4"], ["3", "9"], ["4", "16"]]
    with pytest.raises(DataError, match="empty"):
        preview_csv(_write(tmp_path, "", "e.csv"))


# --- properties ----------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None)
@given(values=st.integers(1, 6).flatmap(lambda n: arrays(np.float64, (n, 3), elements=_finite)),
       delimiter=st.sampled_from([",", "\t"]))
def test_csv_round_trip_is_exact(tmp_path_factory: pytest.TempPathFactory, values: np.ndarray,
                                 delimiter: str) -> None:
    import csv

    path = tmp_path_factory.mktemp("csv") / "values.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(["a", "b", "c"])
        writer.writerows([[repr(float(v)) for v in row] for row in values])
    d = load_csv(path, ["a", 1], ["c"])
    np.testing.assert_array_equal(d.inputs, values[:, :2])
    np.testing.assert_array_equal(d.targets, values[:, 2:])


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_each_builtin_set_opens_with_a_network_that_fits_it(name: str) -> None:
    """The set's setup pairs its loss with its output layer, classifies exactly when the set does,
    and its output size is the one the loss needs for the set's targets."""
    info = DATASETS[name]
    setup = info.setup
    check_pairing(setup.loss, setup.output_activation)
    assert get_loss(setup.loss).classifies == (info.task == "classification")
    data = make_dataset(name, 60, 0.1, 3)
    assert output_units(setup.loss, data.targets) == info.n_outputs
    assert setup.layer_sizes(info.n_outputs)[-1] == info.n_outputs
    assert len(setup.activations()) == len(setup.layer_sizes(info.n_outputs))
    make_spec(setup.optimizer, lr=setup.lr)


def test_the_lecture_setup_is_the_lectures_network_and_settings() -> None:
    net = lecture_network()
    assert net.sizes[1:] == tuple(LECTURE_SETUP.layer_sizes(1))
    assert net.activations == tuple(LECTURE_SETUP.activations())
    assert (LECTURE_SETUP.loss, LECTURE_SETUP.optimizer, LECTURE_SETUP.lr) == ("sse", "gd", 0.1)
    check_pairing(LECTURE_SETUP.loss, LECTURE_SETUP.output_activation)
