"""The optimizer base: iterations, learning rate, clipping, weight decay, constraints,
None gradients, dtypes, errors, serialization and `optimizers.get` for all nine."""

import json
import pickle

import numpy as np
import pytest

import baro
from baro import ops, optimizers
from baro.optimizers import SGD, Adam, schedules

# Every optimizer with non-default hyperparameters (for config round trips) and a
# learning rate that solves the least-squares problem below in 300 steps.
ALL = [
    (optimizers.SGD, {"momentum": 0.5, "nesterov": True}, 0.1),
    (optimizers.Adam, {"beta_1": 0.8, "amsgrad": True}, 0.05),
    (optimizers.AdamW, {"weight_decay": 1e-4, "epsilon": 1e-6}, 0.05),
    (optimizers.Adamax, {"beta_2": 0.99}, 0.1),
    (optimizers.Nadam, {"beta_1": 0.8}, 0.05),
    (optimizers.RMSprop, {"rho": 0.8, "centered": True}, 0.01),
    (optimizers.Adagrad, {"initial_accumulator_value": 0.2}, 0.5),
    (optimizers.Adadelta, {"rho": 0.9, "epsilon": 1e-4}, 1.0),
    (optimizers.Lion, {"beta_2": 0.9}, 0.01),
]
IDS = [cls.__name__ for cls, _, _ in ALL]


def sgd_step(opt, grad, start=1.0):
    w = baro.Variable(np.full(np.shape(grad), start, "float32"))
    opt.apply([np.asarray(grad, "float32")], [w])
    return w.numpy()


# -- iterations and the learning rate -----------------------------------------------
def test_iterations_is_an_int64_counter_of_applied_steps():
    w = baro.Variable([[1.0, 2.0], [3.0, 4.0]])
    opt = Adam(learning_rate=1.0)
    assert opt.iterations.dtype == "int64" and int(opt.iterations) == 0
    assert not opt.iterations.trainable
    for step in (1, 2):
        assert opt.apply_gradients([(np.ones((2, 2), "float32"), w)]) is opt.iterations
        assert int(opt.iterations) == step


def test_learning_rate_getter_and_setter_use_a_float32_variable():
    opt = SGD(learning_rate=0.1)
    lr = opt.learning_rate
    assert isinstance(lr, baro.Variable) and lr.dtype == "float32"
    assert float(lr) == np.float32(0.1)
    opt.learning_rate = 0.5  # how ReduceLROnPlateau / LearningRateScheduler write it
    assert opt.learning_rate is lr and float(opt.learning_rate) == 0.5
    opt.learning_rate = np.float32(0.25)
    assert float(opt.learning_rate) == 0.25
    np.testing.assert_allclose(sgd_step(opt, [2.0]), [0.5])
    assert opt.variables[1] is lr
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0


def test_schedule_is_evaluated_at_iterations_before_each_step():
    schedule = schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    opt = SGD(learning_rate=schedule)
    w = baro.Variable([0.0])
    for step in range(4):
        assert float(opt.learning_rate) == 0.5**step
        before = float(w)
        opt.apply([np.ones(1, "float32")], [w])
        assert before - float(w) == pytest.approx(0.5**step)
    assert [v.name for v in opt.variables] == ["iteration"]
    with pytest.raises(TypeError, match="cannot be assigned"):
        opt.learning_rate = 0.1


def test_setting_a_schedule_untracks_the_learning_rate_variable():
    # Keras's test_setting_lr_to_callable_untracks_lr_var.
    opt = Adam(learning_rate=0.001)
    assert len(opt.variables) == 2
    opt.learning_rate = schedules.PolynomialDecay(opt.learning_rate, 4)
    assert len(opt.variables) == 1
    assert float(opt.learning_rate) == pytest.approx(0.001)


def test_callable_learning_rate():
    # Keras's test_callable_learning_rate.
    w = baro.Variable([[1.0, 2.0], [3.0, 4.0]])
    opt = SGD(learning_rate=lambda: 0.1)
    opt.apply_gradients([(np.ones((2, 2), "float32"), w)])
    np.testing.assert_allclose(w.numpy(), [[0.9, 1.9], [2.9, 3.9]], rtol=1e-6)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    assert opt.learning_rate.dtype == "float32"


# -- clipping ------------------------------------------------------------------------
def test_clipnorm_clips_each_gradient_by_its_own_norm():
    # Keras: [100, 100] with clipnorm 1 -> [sqrt(2)/2, sqrt(2)/2].
    opt = SGD(learning_rate=1.0, clipnorm=1.0)
    a, b = baro.Variable([0.0, 0.0]), baro.Variable([0.0])
    opt.apply([np.array([100.0, 100.0], "float32"), np.array([0.5], "float32")],
              [a, b])
    np.testing.assert_allclose(a.numpy(), [-(2**0.5) / 2] * 2, rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [-0.5])  # under the norm: untouched


def test_global_clipnorm_scales_all_gradients_together():
    opt = SGD(learning_rate=1.0, global_clipnorm=1.0)
    a, b = baro.Variable([0.0]), baro.Variable([0.0])
    opt.apply([np.array([3.0], "float32"), np.array([4.0], "float32")], [a, b])
    np.testing.assert_allclose([float(a), float(b)], [-0.6, -0.8], rtol=1e-6)
    # Keras's test_global_clip_norm: g / ||g|| for one gradient.
    grad = np.array([50.0, 100.0], "float32")
    np.testing.assert_allclose(opt._clip_gradients([grad])[0],
                               grad / np.linalg.norm(grad), rtol=1e-6)
    # A non-finite global norm poisons every gradient, as in Keras.
    clipped = opt._clip_gradients([np.array([np.inf], "float32"),
                                   np.array([1.0], "float32")])
    assert np.isnan(clipped[0]).all() and np.isnan(clipped[1]).all()


def test_clipvalue_clips_elementwise():
    np.testing.assert_allclose(sgd_step(SGD(1.0, clipvalue=1.0), [100.0, -0.5, -3.0],
                                        start=0.0), [-1.0, 0.5, 1.0])


def test_only_one_clipping_option_and_positive_values():
    with pytest.raises(ValueError, match="only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm`"):
        SGD(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match="only one of"):
        SGD(clipnorm=0.1, clipvalue=0.1)
    with pytest.raises(ValueError, match=r"SGD: argument `clipnorm` must be in the "
                                         r"range \(0.0, inf\). Received: clipnorm=0"):
        SGD(clipnorm=0.0)


def test_clipping_never_writes_into_the_callers_gradients():
    grad = np.array([100.0, -100.0], "float32")
    for kwargs in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipvalue": 1.0}):
        sgd_step(Adam(**kwargs), grad)
        np.testing.assert_array_equal(grad, [100.0, -100.0])


# -- weight decay and constraints ----------------------------------------------------
def test_weight_decay_is_decoupled_and_uses_the_current_learning_rate():
    # w <- w - w * wd * lr, then the SGD step: 2 - 2 * 0.1 * 0.5 - 0.5 * 1.
    np.testing.assert_allclose(sgd_step(SGD(0.5, weight_decay=0.1), [1.0], 2.0),
                               [1.4], rtol=1e-6)


def test_exclude_from_weight_decay_by_list_or_name_pattern():
    kernel, bias, other = (baro.Variable([1.0], name="dense/kernel"),
                           baro.Variable([1.0], name="dense/bias"),
                           baro.Variable([1.0], name="gamma"))
    opt = SGD(learning_rate=1.0, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[other], var_names=["bias", "beta"])
    opt.apply([np.zeros(1, "float32")] * 3, [kernel, bias, other])
    assert [float(kernel), float(bias), float(other)] == [0.5, 1.0, 1.0]
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_constraint_is_applied_after_the_update():
    # 0.5 + 1.0 = 1.5 after the step, then clipped to 1.0; clipping before the
    # step would leave 1.5.
    w = baro.Variable([0.5, -2.0], constraint=lambda v: ops.clip(v, 0.0, 1.0))
    SGD(learning_rate=1.0).apply([np.array([-1.0, 0.5], "float32")], [w])
    np.testing.assert_array_equal(w.numpy(), [1.0, 0.0])
    assert w.creator is None and w.requires_grad and baro.core.is_grad_enabled()


# -- gradients: None, arrays, dtypes, in-place updates -------------------------------
def test_none_gradients_are_skipped_with_a_warning():
    v1, v2 = baro.Variable([[3.0, 4.0]]), baro.Variable([[3.0, 4.0]], name="v2")
    opt = SGD(learning_rate=1.0)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        opt.apply_gradients([(None, v1), (np.ones((1, 2), "float32"), v2)])
    assert v1.numpy().tolist() == [[3.0, 4.0]] and v2.numpy().tolist() == [[2.0, 3.0]]
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        SGD().apply_gradients([(None, baro.Variable([1.0]))])


def test_gradients_may_be_tensors_arrays_or_lists_and_are_cast():
    w = baro.Variable([1.0, 1.0])
    opt = SGD(learning_rate=1.0)
    opt.apply([baro.constant([0.25, 0.25])], [w])
    opt.apply([np.array([0.25, 0.25], dtype="float64")], [w])
    opt.apply([[0.25, 0.25]], [w])
    assert w.dtype == "float32" and w.numpy().tolist() == [0.25, 0.25]


@pytest.mark.parametrize("cls, kwargs, lr", ALL, ids=IDS)
def test_float32_state_stays_float32_and_updates_are_in_place(cls, kwargs, lr):
    w = baro.Variable(np.ones((2, 3), "float32"))
    buffer = w.data
    opt = cls(learning_rate=lr, **kwargs)
    for _ in range(3):
        opt.apply([np.full((2, 3), 0.5, "float64")], [w])
    assert w.data is buffer and w.dtype == "float32"
    assert [v.dtype for v in opt.variables[1:]] == ["float32"] * (
        len(opt.variables) - 1)
    assert opt.variables[0].dtype == "int64"


@pytest.mark.parametrize("cls, kwargs, lr", ALL, ids=IDS)
def test_float64_variables_get_float64_slots(cls, kwargs, lr):
    w = baro.Variable(np.ones(3, "float64"))
    opt = cls(learning_rate=lr, **kwargs)
    opt.apply([np.full(3, 0.5, "float32")], [w])
    slots = [v for v in opt.variables if v.shape == (3,)]
    assert w.dtype == "float64" and all(s.dtype == "float64" for s in slots)


def test_apply_errors_name_the_problem():
    w, other = baro.Variable([1.0, 2.0], name="w"), baro.Variable([1.0], name="o")
    opt = SGD()
    with pytest.raises(ValueError, match="pass `trainable_variables` on the first"):
        opt.apply([np.ones(2)])
    with pytest.raises(ValueError, match="gradient for variable 'w' has shape "
                                         r"\(3,\), the variable has shape \(2,\)"):
        opt.apply([np.ones(3)], [w])
    with pytest.raises(ValueError, match="received 2 gradients for 1 variables"):
        opt.apply([np.ones(2), np.ones(2)], [w])
    with pytest.raises(ValueError, match=r"SGD: unknown variables \['o'\]"):
        opt.apply([np.ones(1)], [other])
    opt.apply([np.ones(2, "float32")])  # built: the variables may be omitted
    assert int(opt.iterations) == 1  # the failed calls applied nothing
    with pytest.raises(TypeError, match="expects baro Variables"):
        SGD().build([np.ones(2)])


def test_loss_scale_factor_divides_gradients():
    # Keras's test_static_loss_scaling.
    w = baro.Variable([[1.0, 2.0], [3.0, 4.0]])
    opt = SGD(learning_rate=1.0, loss_scale_factor=1024.0)
    opt.apply_gradients([(np.array([[1.0, 2.0], [3.0, 4.0]], "float32") * 1024, w)])
    assert opt.scale_loss(1.0) == 1024.0
    np.testing.assert_array_equal(w.numpy(), np.zeros((2, 2)))


def test_keyword_arguments_follow_keras():
    SGD(use_ema=False, ema_momentum=0.99, gradient_accumulation_steps=None)
    with pytest.raises(ValueError, match="not recognized or not supported.*use_ema"):
        SGD(use_ema=True)
    with pytest.raises(ValueError, match="not recognized.*beta_3"):
        Adam(beta_3=0.5)
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        SGD(decay=0.1)
    with pytest.raises(TypeError, match="learning_rate.*Pass a float, a "
                                        "LearningRateSchedule"):
        SGD(learning_rate="fast")


# -- state, config, registry ---------------------------------------------------------
def test_variables_order_and_set_weights():
    # Keras's test_set_weights: a second optimizer takes the first one's state.
    x = baro.Variable([[1.0, 2.0], [3.0, 4.0]], name="x")
    opt1 = Adam()
    opt1.apply_gradients([(np.array([[1.0, 2.0], [3.0, 4.0]], "float32"), x)])
    assert [v.name for v in opt1.variables] == ["iteration", "learning_rate",
                                                "x_momentum", "x_velocity"]
    opt2 = Adam()
    with pytest.raises(ValueError, match="before it was built"):
        opt2.set_weights([v.numpy() for v in opt1.variables])
    opt2.build([x])
    opt2.set_weights([v.numpy() for v in opt1.variables])
    for a, b in zip(opt1.variables, opt2.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="received 3 weights for 4 variables"):
        opt2.set_weights([np.zeros(3)] * 3)
    with pytest.raises(ValueError, match=r"'x_momentum'.assign: value has shape "
                                         r"\(3,\), the variable has shape \(2, 2\)"):
        opt2.set_weights([np.array(0), np.array(0.1), np.zeros(3), np.zeros(3)])


@pytest.mark.parametrize("cls, kwargs, lr", ALL, ids=IDS)
def test_config_round_trips_through_json(cls, kwargs, lr):
    opt = cls(learning_rate=lr, clipnorm=2.0, name="custom", **kwargs)
    config = json.loads(json.dumps(optimizers.serialize(opt)))
    assert config["class_name"] == cls.__name__
    restored = optimizers.deserialize(config)
    assert type(restored) is cls and restored.get_config() == opt.get_config()
    assert restored.name == "custom" and restored.clipnorm == 2.0
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.get_config() == opt.get_config()


def test_schedule_learning_rate_round_trips():
    schedule = schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.5,
                                     warmup_steps=10)
    opt = Adam(learning_rate=schedule)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    assert config["learning_rate"]["config"] == schedule.get_config()
    restored = Adam.from_config(json.loads(json.dumps(config)))
    assert isinstance(restored._learning_rate, schedules.CosineDecay)
    assert restored.get_config() == config
    assert isinstance(config["learning_rate"], dict)  # from_config did not mutate it


def test_deserialize_accepts_any_case_and_rejects_other_classes():
    assert type(optimizers.deserialize({"class_name": "rmsprop", "config": {}})) is \
        optimizers.RMSprop
    with pytest.raises(ValueError, match="Unknown optimizer class 'Nope'"):
        optimizers.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="built a ExponentialDecay"):
        optimizers.deserialize(schedules.serialize(
            schedules.ExponentialDecay(0.1, 10, 0.9)))


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adamax", "nadam",
                                  "rmsprop", "adagrad", "adadelta", "lion", "Adam",
                                  "RMSprop", "ADAMW", "SGD"])
def test_get_resolves_names_to_new_default_instances(name):
    opt = optimizers.get(name)
    assert type(opt).__name__.lower() == name.lower()
    assert optimizers.get(name) is not opt


def test_get_passes_instances_dicts_classes_and_none():
    opt = Adam(0.5)
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    assert type(optimizers.get(optimizers.Lion)) is optimizers.Lion
    restored = optimizers.get(optimizers.serialize(opt))
    assert type(restored) is Adam and float(restored.learning_rate) == 0.5
    with pytest.raises(ValueError, match="Unknown optimizer 'typo'. Valid names: "
                                         "adadelta, adagrad, adam"):
        optimizers.get("typo")
    with pytest.raises(ValueError, match="Unknown optimizer 'ExponentialDecay'"):
        optimizers.get("ExponentialDecay")  # registered, but not an optimizer
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


# -- every optimizer minimizes a least-squares problem -------------------------------
@pytest.mark.parametrize("cls, kwargs, lr", ALL, ids=IDS)
def test_each_optimizer_solves_least_squares(cls, kwargs, lr, rng):
    x = rng.standard_normal((32, 3)).astype("float32")
    w_true = np.array([[1.5], [-2.0], [0.5]], "float32")
    y = baro.constant(x @ w_true)
    x = baro.constant(x)
    w = baro.Variable(np.zeros((3, 1), "float32"), name="w")
    opt = cls(learning_rate=lr, **kwargs)
    for _ in range(300):
        loss = ops.mean(ops.square(ops.matmul(x, w) - y))
        loss.backward()
        opt.apply([w.grad], [w])
        w.zero_grad()
    np.testing.assert_allclose(w.numpy(), w_true, atol=0.05)


def test_slots_are_named_after_the_variable_path_as_in_keras():
    kernel = baro.Variable(np.zeros((2, 2), "float32"), name="kernel")
    if not hasattr(kernel, "path"):
        pytest.skip("this baro.Variable has no `path`")
    kernel.path = "dense/kernel"
    opt = Adam()
    opt.build([kernel])
    assert [v.name for v in opt.variables[2:]] == ["dense_kernel_momentum",
                                                   "dense_kernel_velocity"]
