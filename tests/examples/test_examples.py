"""Every example runs in its --quick mode and asserts its own result."""

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))

from _data import mnist_folder  # noqa: E402

needs_mnist = pytest.mark.skipif(
    mnist_folder([]) is None,
    reason="MNIST test files not found (../shared/data/mnist or $BARO_MNIST)")


def run(name: str):
    module = runpy.run_path(str(EXAMPLES / name), run_name="example")
    return module["main"](["--quick"])


def test_xor_autodiff(capsys):
    runpy.run_path(str(EXAMPLES / "xor_autodiff.py"), run_name="example")["main"](
        quick=True)
    assert "4/4 correct" in capsys.readouterr().out


@needs_mnist
def test_mnist_convnet_quick():
    assert run("mnist_convnet.py") >= 0.85


@needs_mnist
def test_mnist_lstm_quick():
    assert run("mnist_lstm.py") >= 0.75


def test_addition_rnn_quick():
    assert run("addition_rnn.py") >= 0.30


@needs_mnist
def test_mnist_mlp_quick():
    assert run("mnist_mlp.py") >= 0.88


def test_xor_keras():
    assert run("xor.py") == 4


def test_save_and_reload():
    assert run("save_and_reload.py") > 0.5


def test_temperature_polynomial_quick():
    assert run("temperature_polynomial.py") < 4.0


def test_sine_fit_quick():
    assert run("sine_fit.py") < 0.05


def test_text_classification_quick():
    assert run("text_classification.py") >= 0.75


BOSTON = EXAMPLES.parents[1] / "shared" / "data" / "boston_housing"


@pytest.mark.skipif(not (BOSTON / "BostonHousing.csv").exists(),
                    reason="Boston CSV not found (../shared/data/boston_housing)")
def test_boston_housing_quick():
    assert run("boston_housing.py") < 6.0
