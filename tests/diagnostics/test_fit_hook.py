"""fit hands the training data to the doctor; fit(doctor=True); a fresh process."""

import subprocess
import sys

import numpy as np

from baro.callbacks import TrainingDoctor
from baro.keras import Input, Sequential, layers


def test_fit_hands_the_training_part_to_the_doctor_and_doctor_true_adds_one():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, size=(200, 20)).astype("uint8")
    y = np.argmax(x @ rng.normal(size=(20, 3)), axis=1)
    model = Sequential([Input((20,)), layers.Dense(8, "relu"),
                        layers.Dense(3, "softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    doctor = TrainingDoctor(verbose=0, sample_size=1000)
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[doctor])
    assert doctor.examination.x.shape == (150, 20)  # the training part only
    assert [f.code for f in doctor.findings] == ["unscaled_inputs"]
    history = model.fit(x, y, epochs=1, verbose=0, doctor=True)
    assert history is model.history


def test_a_fresh_process_finds_the_examination_by_itself():
    code = ("import numpy as np, baro\n"
            "from baro.keras import Sequential, Input, layers\n"
            "m = Sequential([Input((3,)), layers.Dense(1)]); m.compile('sgd', 'mse')\n"
            "m.fit(np.full((8, 3), 300.0, 'float32'), np.zeros((8, 1)), verbose=0,"
            " doctor=True)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert "unscaled_inputs" in out
