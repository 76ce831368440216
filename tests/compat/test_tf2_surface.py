"""The TF2 surface outside the ops: `tf.config`, `tf.function`, `tf.shape` /
`rank` / `size`, `TensorSpec`, `newaxis`, `device`, and `print(tensor)` as TF
lays it out.

The names are imported from their modules (`baro.config`, `baro.function`,
`baro.tf2_extras`); `test_tf2_names_are_exported_at_top_level` checks that
`import baro as tf` reaches the same objects once `baro/__init__.py` exports
them.
"""

import numpy as np
import pytest

import baro
import baro.config
from baro import tf2_extras
from baro.function import PolymorphicFunction, function
from baro.tf2_extras import TensorSpec, format_tensor_like_tf


@pytest.fixture(autouse=True)
def _fresh_config():
    saved = {k: (dict(v) if isinstance(v, dict) else v)
             for k, v in baro.config._settings.items()}
    eager = baro.config.functions_run_eagerly()
    yield
    baro.config._settings.clear()
    baro.config._settings.update(saved)
    baro.config.run_functions_eagerly(eager)


# -- tf.config -----------------------------------------------------------------
def test_devices_on_the_numpy_backend_are_one_cpu():
    assert baro.config.list_physical_devices("GPU") == []
    (cpu,) = baro.config.list_physical_devices()
    assert (cpu.name, cpu.device_type) == ("/physical_device:CPU:0", "CPU")
    assert baro.config.list_physical_devices("CPU") == [cpu]
    assert repr(cpu) == ("PhysicalDevice(name='/physical_device:CPU:0', "
                         "device_type='CPU')")
    (logical,) = baro.config.list_logical_devices()
    assert (logical.name, logical.device_type) == ("/device:CPU:0", "CPU")
    # TF matches the device type exactly.
    assert baro.config.list_physical_devices("cpu") == []


def test_tutorial_gpu_setup_block_runs_and_does_nothing():
    # The first cell of many TF2 notebooks.
    gpus = baro.config.list_physical_devices("GPU")
    for gpu in gpus:
        baro.config.experimental.set_memory_growth(gpu, True)
    if gpus:
        baro.config.set_logical_device_configuration(
            gpus[0], [baro.config.LogicalDeviceConfiguration(memory_limit=1024)])
    assert len(baro.config.list_logical_devices("GPU")) == len(gpus) == 0


def test_memory_growth_on_a_cpu_is_refused_as_in_tf():
    cpu = baro.config.list_physical_devices("CPU")[0]
    with pytest.raises(ValueError, match="cannot set memory growth"):
        baro.config.experimental.set_memory_growth(cpu, True)
    assert baro.config.experimental.get_memory_growth(cpu) is False


def test_visible_devices_are_recorded():
    cpu = baro.config.list_physical_devices("CPU")[0]
    baro.config.set_visible_devices([], "GPU")  # "hide the GPU" idiom
    assert baro.config.get_visible_devices() == [cpu]
    baro.config.set_visible_devices(cpu)
    assert baro.config.get_visible_devices("CPU") == [cpu]
    fake = baro.config.PhysicalDevice("/physical_device:GPU:7", "GPU")
    with pytest.raises(ValueError, match="unrecognized device"):
        baro.config.set_visible_devices([fake])


def test_thread_settings_read_back_and_are_validated():
    threading = baro.config.threading
    assert threading.get_intra_op_parallelism_threads() == 0
    threading.set_intra_op_parallelism_threads(2)
    threading.set_inter_op_parallelism_threads(1)
    assert threading.get_intra_op_parallelism_threads() == 2
    assert threading.get_inter_op_parallelism_threads() == 1
    with pytest.raises(ValueError, match="integer >= 0"):
        threading.set_intra_op_parallelism_threads(-1)


def test_accepted_no_ops():
    baro.config.experimental.enable_op_determinism()
    baro.config.set_soft_device_placement(False)
    assert baro.config.get_soft_device_placement() is False
    baro.config.optimizer.set_jit(True)
    assert baro.config.optimizer.get_jit() is True
    baro.config.run_functions_eagerly(True)
    assert baro.config.functions_run_eagerly() is True
    baro.config.experimental_run_functions_eagerly(False)
    assert baro.config.functions_run_eagerly() is False


# -- tf.function ---------------------------------------------------------------
def test_function_as_plain_and_parametrized_decorator():
    calls = []

    @function
    def plain(x):
        calls.append(x)
        return x * 2.0

    @function(jit_compile=True, reduce_retracing=True,
              experimental_relax_shapes=True)
    def configured(x, y=1.0):
        return x + y

    assert isinstance(plain, PolymorphicFunction)
    assert float(plain(baro.constant(1.5))) == 3.0
    assert float(configured(baro.constant(1.0), y=2.0)) == 3.0
    assert plain.__name__ == "plain" and plain.python_function.__name__ == "plain"
    assert configured.function_options["jit_compile"] is True
    assert len(calls) == 1  # eager: the Python body ran exactly once per call
    assert plain.experimental_get_tracing_count() == 0
    wrapped = function(lambda x: x + 1, autograph=False)
    assert wrapped(1) == 2


def test_function_on_methods_binds_self():
    class Scaler:
        def __init__(self, factor):
            self.factor = factor

        @function
        def __call__(self, x):
            return x * self.factor

        @function(input_signature=[TensorSpec(shape=(None,), dtype="float32")])
        def total(self, x):
            return baro.reduce_sum(x) * self.factor

    a, b = Scaler(2.0), Scaler(3.0)
    assert float(a(baro.constant(1.0))) == 2.0
    assert float(b(baro.constant(1.0))) == 3.0
    assert float(a.total([1.0, 2.0])) == 6.0  # list converted as TF converts it
    assert isinstance(Scaler.__dict__["total"], PolymorphicFunction)


def test_input_signature_is_enforced():
    @function(input_signature=[TensorSpec(shape=[None, 2], dtype=baro.float32)])
    def row_sums(x):
        return baro.reduce_sum(x, axis=1)

    assert row_sums(np.ones((3, 2), "float32")).numpy().tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(None, 2\)"):
        row_sums(baro.ones((3,)))
    with pytest.raises(TypeError, match="dtype int32"):
        row_sums(baro.constant([[1, 2]]))
    with pytest.raises(TypeError, match="input_signature has 1"):
        row_sums(baro.ones((1, 2)), baro.ones((1, 2)))
    assert row_sums.get_concrete_function(TensorSpec([None, 2])) is row_sums
    with pytest.raises(TypeError, match="TensorSpec"):
        function(lambda x: x, input_signature=[3])


def test_gradient_tape_inside_function():
    w = baro.Variable([2.0, -1.0])

    @function
    def grad_of_square(x):
        with baro.GradientTape() as tape:
            loss = baro.reduce_sum(baro.square(w * x))
        return tape.gradient(loss, w)

    # d/dw sum((w x)^2) = 2 w x^2
    np.testing.assert_allclose(grad_of_square(baro.constant([3.0, 1.0])).numpy(),
                               [36.0, -2.0])


# -- shape, rank, size, specs, eager helpers -----------------------------------
def test_shape_rank_size_are_int32_tensors():
    x = baro.zeros((4, 3, 2))
    shape = tf2_extras.shape(x)
    assert shape.dtype == "int32" and shape.numpy().tolist() == [4, 3, 2]
    assert tf2_extras.shape(x, out_type=baro.int64).dtype == "int64"
    assert tf2_extras.shape([[1, 2, 3]]).numpy().tolist() == [1, 3]
    assert int(tf2_extras.shape(x)[0]) == 4  # the batch-size idiom
    rank, size = tf2_extras.rank(x), tf2_extras.size(x)
    assert (rank.dtype, int(rank)) == ("int32", 3)
    assert (size.dtype, int(size)) == ("int32", 24)
    assert int(tf2_extras.size(np.ones((2, 5)), out_type="int64")) == 10
    with pytest.raises(TypeError, match="int32 or int64"):
        tf2_extras.shape(x, out_type="float32")
    # A reshape driven by the dynamic shape, as tutorials write it.
    flat = baro.reshape(x, [tf2_extras.shape(x)[0], -1])
    assert flat.shape == (4, 6)


def test_newaxis_eager_helpers_and_device():
    images = np.zeros((5, 28, 28), "float32")
    assert images[..., tf2_extras.newaxis].shape == (5, 28, 28, 1)
    assert tf2_extras.executing_eagerly() is True
    assert tf2_extras.is_tensor(baro.constant(1.0))
    assert tf2_extras.is_tensor(baro.Variable(1.0))
    assert not tf2_extras.is_tensor(np.ones(2))
    with tf2_extras.device("/GPU:0"):
        y = baro.constant([1.0]) + 1.0
    assert y.numpy().tolist() == [2.0]
    with pytest.raises(TypeError, match="device string"), tf2_extras.device(0):
        pass


def test_tensor_spec():
    spec = TensorSpec(shape=(None, 28, 28), dtype=baro.float32, name="images")
    assert spec.is_compatible_with(np.zeros((7, 28, 28), "float32"))
    assert not spec.is_compatible_with(np.zeros((7, 28, 28), "float64"))
    assert not spec.is_compatible_with(baro.zeros((7, 28)))
    assert TensorSpec(None).is_compatible_with(baro.zeros((1, 2, 3)))
    assert TensorSpec.from_tensor(baro.zeros((2, 3))) == TensorSpec((2, 3))
    assert repr(spec) == ("TensorSpec(shape=(None, 28, 28), dtype=baro.float32, "
                          "name='images')")
    with pytest.raises(TypeError, match="list or tuple"):
        TensorSpec(3)


# -- print(tensor) -------------------------------------------------------------
@pytest.mark.parametrize("value, dtype, expected", [
    ([1.0, 2.0], None, "baro.Tensor([1. 2.], shape=(2,), dtype=float32)"),
    (3.0, None, "baro.Tensor(3.0, shape=(), dtype=float32)"),
    (7, None, "baro.Tensor(7, shape=(), dtype=int32)"),
    ([True, False], None,
     "baro.Tensor([ True False], shape=(2,), dtype=bool)"),
    ([[1, 2], [3, 4]], None,
     "baro.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"),
    ([[0.5, 1.0]], "float64",
     "baro.Tensor([[0.5 1. ]], shape=(1, 2), dtype=float64)"),
    (np.zeros((2, 1, 2)), "float32",
     "baro.Tensor(\n[[[0. 0.]]\n\n [[0. 0.]]], shape=(2, 1, 2), dtype=float32)"),
])
def test_tensors_print_in_tf2_layout(value, dtype, expected):
    # TF 2: print(tf.constant([1., 2.])) -> tf.Tensor([1. 2.], shape=(2,),
    # dtype=float32); NumPy's str of the value, on its own line when it spans
    # several lines.
    assert format_tensor_like_tf(baro.constant(value, dtype=dtype)) == expected


def test_variables_print_in_tf2_layout():
    # TF 2: <tf.Variable 'v:0' shape=(2,) dtype=float32, numpy=array([...])>
    v = baro.Variable([1.0, 2.0], name="v")
    assert format_tensor_like_tf(v) == (
        "<baro.Variable 'v' shape=(2,) dtype=float32, "
        "numpy=array([1., 2.], dtype=float32)>")
    m = baro.Variable(np.eye(2, dtype="float32"), name="m")
    assert format_tensor_like_tf(m) == (
        "<baro.Variable 'm' shape=(2, 2) dtype=float32, numpy=\n"
        "array([[1., 0.],\n       [0., 1.]], dtype=float32)>")
    with pytest.raises(TypeError, match="baro Tensor"):
        format_tensor_like_tf(np.ones(2))


@pytest.mark.skipif(not hasattr(baro, "shape"),
                    reason="baro/__init__.py does not export the TF2 extras yet")
def test_tf2_names_are_exported_at_top_level():
    import baro as tf

    assert tf.function is function
    assert tf.config is baro.config
    for name in ("shape", "rank", "size", "TensorSpec", "newaxis", "is_tensor",
                 "executing_eagerly", "device"):
        assert getattr(tf, name) is getattr(tf2_extras, name), name
    assert str(tf.constant([1.0, 2.0])) == \
        "baro.Tensor([1. 2.], shape=(2,), dtype=float32)"
