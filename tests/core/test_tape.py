"""GradientTape (TF2 semantics) and grad / value_and_grad (JAX semantics)."""

import numpy as np
import pytest

import baro
from baro.testing import assert_allclose


def test_tape_watches_constants_explicitly():
    x = baro.constant(3.0)
    with baro.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert_allclose(tape.gradient(y, x), 6.0)


def test_tape_watches_trainable_variables_automatically():
    w = baro.Variable([[1.0, 2.0], [3.0, 4.0]])
    b = baro.Variable([0.5, -0.5])
    x = baro.constant([[1.0, 1.0]])
    with baro.GradientTape() as tape:
        y = baro.reduce_sum(x @ w + b)
    gw, gb = tape.gradient(y, [w, b])
    assert_allclose(gw, [[1.0, 1.0], [1.0, 1.0]])
    assert_allclose(gb, [1.0, 1.0])


def test_unwatched_constant_and_non_trainable_variable_give_none():
    c = baro.constant(2.0)
    frozen = baro.Variable(1.0, trainable=False)
    w = baro.Variable(1.0)
    with baro.GradientTape() as tape:
        y = c * w * frozen
    gc, gf, gw = tape.gradient(y, [c, frozen, w])
    assert gc is None
    assert gf is None
    assert_allclose(gw, 2.0)


def test_unconnected_gradients_zero():
    w = baro.Variable([1.0, 2.0])
    v = baro.Variable([3.0])
    with baro.GradientTape() as tape:
        y = baro.reduce_sum(w * 2.0)
    g = tape.gradient(y, v, unconnected_gradients="zero")
    assert_allclose(g, [0.0])


def test_non_scalar_target_differentiates_its_sum():
    x = baro.Variable([1.0, 2.0, 3.0])
    with baro.GradientTape() as tape:
        y = x * x
    assert_allclose(tape.gradient(y, x), [2.0, 4.0, 6.0])


def test_output_gradients_seed_the_target():
    x = baro.Variable([1.0, 2.0])
    with baro.GradientTape() as tape:
        y = x * 3.0
    g = tape.gradient(y, x, output_gradients=[baro.constant([1.0, 10.0])])
    assert_allclose(g, [3.0, 30.0])


def test_sources_as_dict_and_nested_list_keep_their_structure():
    a = baro.Variable(1.0)
    b = baro.Variable(2.0)
    with baro.GradientTape() as tape:
        y = a * b
    grads = tape.gradient(y, {"a": a, "rest": [b]})
    assert set(grads) == {"a", "rest"}
    assert_allclose(grads["a"], 2.0)
    assert_allclose(grads["rest"][0], 1.0)


def test_non_persistent_tape_allows_one_gradient_call():
    x = baro.Variable(2.0)
    with baro.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = baro.Variable(2.0)
    with baro.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * y
    assert_allclose(tape.gradient(y, x), 4.0)
    assert_allclose(tape.gradient(z, x), 4 * 2.0**3)
    assert_allclose(tape.gradient(z, y), 2 * 4.0)


def test_gradient_with_respect_to_intermediate_tensor():
    x = baro.Variable(3.0)
    with baro.GradientTape() as tape:
        h = x * 2.0
        y = h * h
    gh, gx = tape.gradient(y, [h, x])
    assert_allclose(gh, 12.0)
    assert_allclose(gx, 24.0)


def test_tape_records_inside_no_grad_and_stop_recording_pauses():
    x = baro.Variable(2.0)
    with baro.no_grad():
        with baro.GradientTape() as tape:
            y = x * x
            with tape.stop_recording():
                z = x * 5.0
    assert_allclose(tape.gradient(y, x), 4.0)
    assert z.creator is None


def test_watch_rejects_integer_tensors_and_arrays():
    with baro.GradientTape() as tape:
        with pytest.raises(TypeError, match="int32"):
            tape.watch(baro.constant([1, 2]))
        with pytest.raises(TypeError, match="Tensors"):
            tape.watch(np.ones(2))


def test_watch_is_undone_after_non_persistent_gradient():
    x = baro.constant([1.0])
    with baro.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    tape.gradient(y, x)
    assert not x.requires_grad


def test_grad_of_function():
    df = baro.grad(lambda x: baro.reduce_sum(x**3))
    assert_allclose(df(np.array([1.0, 2.0])), [3.0, 12.0])


def test_value_and_grad_with_argnums_and_aux():
    def f(w, x):
        loss = baro.reduce_sum((x @ w) ** 2)
        return loss, "aux"

    w = np.array([[1.0], [2.0]])
    x = np.array([[1.0, 1.0]])
    (value, aux), (gw, gx) = baro.value_and_grad(f, argnums=(0, 1), has_aux=True)(w, x)
    assert aux == "aux"
    assert_allclose(value, 9.0)
    assert_allclose(gw, [[6.0], [6.0]])
    assert_allclose(gx, [[6.0, 12.0]])


def test_grad_requires_scalar_output():
    with pytest.raises(ValueError, match="scalar"):
        baro.grad(lambda x: x * 2.0)(np.ones(3))
