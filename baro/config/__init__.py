"""`tf.config`: the device and threading calls tutorials make, answered for baro.

Tutorials start with `tf.config.list_physical_devices('GPU')`, turn on memory
growth for each GPU, pin threads or switch `tf.function` to eager mode. baro
answers the questions truthfully (one CPU; the GPUs only when its backend is
CuPy) and accepts the settings, which change nothing: NumPy's threads are
chosen by the BLAS library (environment variables such as OMP_NUM_THREADS, set
before Python starts), CuPy allocates memory as it needs it, and baro's
`tf.function` always runs eagerly. The getters read back what was set, as TF's
do, so code that checks its own settings keeps working.
"""

from __future__ import annotations

import types
from typing import NamedTuple

from baro.backend import backend, xp
from baro.function import functions_run_eagerly, run_functions_eagerly


class PhysicalDevice(NamedTuple):
    """A device found on the machine (`tf.config.PhysicalDevice`)."""

    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    """A device ops can be placed on (`tf.config.LogicalDevice`)."""

    name: str
    device_type: str


class LogicalDeviceConfiguration:
    """Accepted for `set_logical_device_configuration` (a GPU memory limit in
    TF); baro keeps the values and does not split devices."""

    def __init__(self, memory_limit: int | None = None,
                 experimental_priority: int | None = None,
                 experimental_device_ordinal: int | None = None) -> None:
        self.memory_limit = memory_limit
        self.experimental_priority = experimental_priority
        self.experimental_device_ordinal = experimental_device_ordinal

    def __repr__(self) -> str:
        return f"LogicalDeviceConfiguration(memory_limit={self.memory_limit})"


VirtualDeviceConfiguration = LogicalDeviceConfiguration

# What was set, so the getters read it back (see the module docstring).
_settings: dict = {"intra_op_threads": 0, "inter_op_threads": 0,
                   "visible": None, "memory_growth": {}, "logical": {},
                   "soft_placement": True, "jit": False, "tf32": True}


def _gpu_count() -> int:
    if backend() != "cupy":
        return 0
    try:
        return int(xp().cuda.runtime.getDeviceCount())
    except Exception:  # noqa: BLE001 - no driver or no device: report none
        return 0


def _check_type(device_type, op: str) -> None:
    if device_type is not None and not isinstance(device_type, str):
        raise TypeError(f"{op}: device_type must be a string such as 'CPU' or "
                        f"'GPU', or None; received {device_type!r}.")


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The devices on this machine (`tf.config.list_physical_devices`).

    One CPU, `/physical_device:CPU:0`, and, when baro's backend is CuPy, one
    entry per GPU. As in TF, `device_type` must match exactly ("GPU", not
    "gpu").

    Args:
        device_type: Optional "CPU" or "GPU" to keep only that kind.

    Returns:
        A list of `PhysicalDevice(name, device_type)`.

    Example:
        >>> import baro.config
        >>> baro.config.list_physical_devices("GPU")  # NumPy backend: no GPU
        []
        >>> baro.config.list_physical_devices()[0].name
        '/physical_device:CPU:0'
    """
    _check_type(device_type, "list_physical_devices")
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU")
                for i in range(_gpu_count())]
    return [d for d in devices if device_type is None or d.device_type == device_type]


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """The visible devices as placement targets (`/device:CPU:0`, ...)
    (`tf.config.list_logical_devices`)."""
    _check_type(device_type, "list_logical_devices")
    return [LogicalDevice(d.name.replace("/physical_device:", "/device:"),
                          d.device_type)
            for d in get_visible_devices(device_type)]


def _as_device_list(devices, op: str) -> list[PhysicalDevice]:
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    devices = list(devices)
    known = list_physical_devices()
    for device in devices:
        if device not in known:
            raise ValueError(f"{op}: unrecognized device {device!r}; pass entries "
                             f"of tf.config.list_physical_devices() ({known}).")
    return devices


def set_visible_devices(devices, device_type: str | None = None) -> None:
    """Records which devices TF may use (`tf.config.set_visible_devices`).

    The choice changes nothing in baro (its backend decides where arrays
    live); `get_visible_devices` and `list_logical_devices` reflect it.

    Raises:
        ValueError: For a device not in `list_physical_devices()`.
    """
    _check_type(device_type, "set_visible_devices")
    chosen = _as_device_list(devices, "set_visible_devices")
    if device_type is not None:
        others = [d for d in get_visible_devices() if d.device_type != device_type]
        chosen = others + [d for d in chosen if d.device_type == device_type]
    _settings["visible"] = chosen


def get_visible_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The devices last given to `set_visible_devices` (default: all)."""
    _check_type(device_type, "get_visible_devices")
    visible = _settings["visible"]
    if visible is None:
        visible = list_physical_devices()
    return [d for d in visible if device_type is None or d.device_type == device_type]


def set_memory_growth(device: PhysicalDevice, enable: bool) -> None:
    """Accepted for GPUs (`tf.config.experimental.set_memory_growth`); CuPy's
    memory pool already grows as needed.

    Raises:
        ValueError: For a device that is not one of this machine's GPUs (TF
            refuses non-GPU devices too).
    """
    if not isinstance(device, PhysicalDevice) or device.device_type != "GPU" \
            or device not in list_physical_devices("GPU"):
        raise ValueError(f"set_memory_growth: cannot set memory growth on "
                         f"{device!r}; pass a GPU from "
                         "tf.config.list_physical_devices('GPU').")
    _settings["memory_growth"][device.name] = bool(enable)


def get_memory_growth(device: PhysicalDevice) -> bool:
    """What `set_memory_growth` recorded for `device` (default False)."""
    return _settings["memory_growth"].get(getattr(device, "name", device), False)


def set_logical_device_configuration(device: PhysicalDevice,
                                     logical_devices) -> None:
    """Accepted and recorded (`tf.config.set_logical_device_configuration`);
    baro does not split a device into logical ones.

    Raises:
        ValueError: For a device not in `list_physical_devices()`.
    """
    _as_device_list([device], "set_logical_device_configuration")
    _settings["logical"][device.name] = list(logical_devices or [])


def get_logical_device_configuration(device: PhysicalDevice):
    """What `set_logical_device_configuration` recorded (default None)."""
    return _settings["logical"].get(device.name)


def set_soft_device_placement(enabled: bool) -> None:
    """Recorded only (`tf.config.set_soft_device_placement`)."""
    _settings["soft_placement"] = bool(enabled)


def get_soft_device_placement() -> bool:
    """What `set_soft_device_placement` recorded (default True, as TF)."""
    return _settings["soft_placement"]


def enable_op_determinism() -> None:
    """Accepted (`tf.config.experimental.enable_op_determinism`): baro's ops
    are deterministic already; seed them with `baro.random.set_seed`."""


def _set_threads(key: str, num_threads: int) -> None:
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) \
            or num_threads < 0:
        raise ValueError(f"num_threads must be an integer >= 0 (0: let the system "
                         f"choose), received {num_threads!r}.")
    _settings[key] = num_threads


def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Recorded only: NumPy's BLAS picks its threads from environment
    variables (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS) read at start-up."""
    _set_threads("intra_op_threads", num_threads)


def get_intra_op_parallelism_threads() -> int:
    """What `set_intra_op_parallelism_threads` recorded (default 0)."""
    return _settings["intra_op_threads"]


def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Recorded only: baro runs one op at a time."""
    _set_threads("inter_op_threads", num_threads)


def get_inter_op_parallelism_threads() -> int:
    """What `set_inter_op_parallelism_threads` recorded (default 0)."""
    return _settings["inter_op_threads"]


def _set_jit(enabled) -> None:
    _settings["jit"] = enabled


def _set_tf32(enabled: bool) -> None:
    _settings["tf32"] = bool(enabled)


# TF's sub-namespaces, as attribute groups (`tf.config.threading.set_...`).
threading = types.SimpleNamespace(
    set_intra_op_parallelism_threads=set_intra_op_parallelism_threads,
    get_intra_op_parallelism_threads=get_intra_op_parallelism_threads,
    set_inter_op_parallelism_threads=set_inter_op_parallelism_threads,
    get_inter_op_parallelism_threads=get_inter_op_parallelism_threads,
)
experimental = types.SimpleNamespace(
    enable_op_determinism=enable_op_determinism,
    get_memory_growth=get_memory_growth,
    set_memory_growth=set_memory_growth,
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices,
    set_visible_devices=set_visible_devices,
    set_virtual_device_configuration=set_logical_device_configuration,
    get_virtual_device_configuration=get_logical_device_configuration,
    VirtualDeviceConfiguration=VirtualDeviceConfiguration,
    enable_tensor_float_32_execution=_set_tf32,
    tensor_float_32_execution_enabled=lambda: _settings["tf32"],
)
optimizer = types.SimpleNamespace(set_jit=_set_jit, get_jit=lambda: _settings["jit"])
# TF 2.0's spelling, still in older tutorials.
experimental_run_functions_eagerly = run_functions_eagerly

__all__ = [
    "LogicalDevice", "LogicalDeviceConfiguration", "PhysicalDevice",
    "VirtualDeviceConfiguration", "experimental", "experimental_run_functions_eagerly",
    "functions_run_eagerly", "get_logical_device_configuration",
    "get_soft_device_placement", "get_visible_devices", "list_logical_devices",
    "list_physical_devices", "optimizer", "run_functions_eagerly",
    "set_logical_device_configuration", "set_soft_device_placement",
    "set_visible_devices", "threading",
]
