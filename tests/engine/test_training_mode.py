"""TrainingMode: the scenario-file form round-trips, every mistake names its field, batch sizes."""

import pytest

from engine.fields import FieldError
from engine.training_mode import DEFAULT_BATCH_SIZE, TRAINING_KINDS, TRAINING_TIPS, TRAINING_TITLES, TrainingMode


@pytest.mark.parametrize("form, kind, batch", [
    ("full_batch", "full_batch", None),
    ("online", "online", None),
    ({"mini_batch": 4}, "mini_batch", 4),
])
def test_file_form_round_trips(form, kind, batch):
    mode = TrainingMode.from_json(form)
    assert (mode.kind, mode.batch_size) == (kind, batch)
    assert mode.to_json() == form
    assert TrainingMode.from_json(mode.to_json()) == mode


def test_default_is_the_lectures_full_batch():
    assert TrainingMode() == TrainingMode("full_batch", None)
    assert TrainingMode().to_json() == "full_batch"
    assert TRAINING_KINDS == ("full_batch", "online", "mini_batch")


def test_an_editors_kind_and_k():
    assert TrainingMode.of_kind("mini_batch", 5) == TrainingMode("mini_batch", 5)
    assert TrainingMode.of_kind("online", 5) == TrainingMode("online", None)
    assert TrainingMode.of_kind("full_batch", 5) == TrainingMode("full_batch", None)


def test_a_whole_float_batch_size_is_a_whole_number():
    mode = TrainingMode.from_json({"mini_batch": 2.0})
    assert mode.batch_size == 2 and isinstance(mode.batch_size, int)
    assert mode.to_json() == {"mini_batch": 2}


@pytest.mark.parametrize("form, message", [
    ("batch", 'training: unknown training mode "batch" (did you mean "full_batch"?); expected full_batch or online'),
    ("stochastic", 'training: unknown training mode "stochastic"; expected full_batch or online'),
    ("onlin", 'training: unknown training mode "onlin" (did you mean "online"?); expected full_batch or online'),
    ("mini_batch", 'training: give the batch size: {"mini_batch": k}'),
    (5, "training: expected text, got 5"),
    (None, "training: expected text, got null"),
    ({"mini_batch": 0}, "training.mini_batch: expected a whole number >= 1, got 0"),
    ({"mini_batch": 1.5}, "training.mini_batch: expected a whole number >= 1, got 1.5"),
    ({"mini_batch": True}, "training.mini_batch: expected a whole number >= 1, got true"),
    ({"mini_batch": "4"}, 'training.mini_batch: expected a whole number >= 1, got "4"'),
    ({"minibatch": 4}, 'training.minibatch: unknown field; did you mean "mini_batch"?'),
    ({}, "training.mini_batch: missing (required)"),
])
def test_file_form_errors_name_the_field(form, message):
    with pytest.raises(FieldError) as info:
        TrainingMode.from_json(form)
    assert str(info.value) == message


def test_errors_name_the_path_they_are_given():
    with pytest.raises(FieldError) as info:
        TrainingMode.from_json({"mini_batch": -1}, "runs[0].training")
    assert info.value.field == "runs[0].training.mini_batch"
    assert info.value.problem == "expected a whole number >= 1, got -1"


@pytest.mark.parametrize("kind, batch, message", [
    ("epoch", None, 'training: unknown training mode "epoch"; expected full_batch, online or mini_batch'),
    ("mini_batch", None, 'training: give the batch size: {"mini_batch": k}'),
    ("mini_batch", 0, "training.mini_batch: expected a whole number >= 1, got 0"),
    ("online", 3, "training: online takes no batch size, got 3"),
])
def test_building_a_bad_mode_is_refused(kind, batch, message):
    with pytest.raises(FieldError) as info:
        TrainingMode(kind, batch)
    assert str(info.value) == message


@pytest.mark.parametrize("mode, n_obs, per_update", [
    (TrainingMode("full_batch"), 7, 7),
    (TrainingMode("online"), 7, 1),
    (TrainingMode("mini_batch", 3), 7, 3),
    (TrainingMode("mini_batch", 10), 7, 7),
])
def test_observations_per_update(mode, n_obs, per_update):
    assert mode.observations_per_update(n_obs) == per_update


def test_a_mini_batch_larger_than_the_data_is_the_data():
    assert TrainingMode("mini_batch", 10).for_data(7) == TrainingMode("mini_batch", 7)
    assert TrainingMode("mini_batch", 3).for_data(7) == TrainingMode("mini_batch", 3)
    assert TrainingMode("online").for_data(7) == TrainingMode("online")
    assert TrainingMode("full_batch").for_data(7) == TrainingMode("full_batch")


def test_every_kind_has_a_title_and_a_tip_for_the_editor():
    assert tuple(TRAINING_TITLES) == tuple(TRAINING_TIPS) == TRAINING_KINDS
    assert TrainingMode.of_kind("mini_batch", DEFAULT_BATCH_SIZE).batch_size == DEFAULT_BATCH_SIZE
