"""The optimizer base: iterations, learning rate, clipping, weight decay, slots."""

from __future__ import annotations

import numbers
import re
import warnings

import numpy as np

from baro.backend.arrays import get_array_module
from baro.backend.config import floatx
from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor
from baro.core.variable import Variable
from baro.optimizers.arguments import (
    as_scalar,
    check_number,
    default_epsilon,  # noqa: F401  (re-exported)
)
from baro.optimizers.flat import FlatUpdates
from baro.optimizers.gradients import (
    clip_by_global_norm,  # noqa: F401  (re-exported)
    clip_gradients,
    prepare_gradients,
)
from baro.optimizers.schedules import InverseTimeDecay, LearningRateSchedule
from baro.optimizers.schedules import deserialize as deserialize_schedule
from baro.saving import get_registered_object, register_serializable, serialize

# Keras 3 options baro lacks, at their "off" values (Keras configs carry them).
_UNSUPPORTED = {"use_ema": False, "ema_momentum": 0.99,
                "ema_overwrite_frequency": None, "gradient_accumulation_steps": None}


@register_serializable()
class Optimizer(FlatUpdates):
    """Base class of all optimizers (`keras.optimizers.Optimizer`).

    `apply(grads, variables)` runs, in Keras 3's order:

    1. skip variables whose gradient is None (with a warning);
    2. cast each gradient to its variable's dtype, divide by `loss_scale_factor`;
    3. clip: `clipnorm` per gradient, `g <- g * c / max(||g||_2, c)`;
       `global_clipnorm` over all of them, `g <- g * c / max(sqrt(sum ||g||^2), c)`
       (a non-finite global norm gives NaN gradients, as in Keras); or
       `clipvalue`, `g <- clip(g, -c, c)`;
    4. decoupled weight decay `w <- w - w * weight_decay * lr` for variables not
       excluded by `exclude_from_weight_decay`;
    5. `update_step(g, w, lr)` for each pair (the subclass's algorithm);
    6. `iterations += 1` (every 256 steps, slot entries that decayed into
       subnormal floats become 0: see subnormals.py), then
       `w <- w.constraint(w)` where a constraint is set.

    `lr` is the learning rate at the current `iterations`. Updates write into the
    variables' buffers and record no graph. Subclasses validate their
    hyperparameters, create slots in `build` and write `update_step` on raw
    arrays, in place; `self._scratch[i]` holds `scratch_buffers` arrays shaped
    like variable `i`, reused every step so an update allocates nothing.

    Args:
        learning_rate: A float >= 0, a `LearningRateSchedule`, or a callable
            with no arguments returning the learning rate.
        weight_decay: Optional float >= 0, the decoupled weight decay.
        clipnorm: Optional float > 0, the largest L2 norm of each gradient.
        clipvalue: Optional float > 0, the largest absolute gradient entry.
        global_clipnorm: Optional float > 0, the largest L2 norm of all
            gradients together. At most one of the three clipping options.
        loss_scale_factor: Optional float > 0; `scale_loss` multiplies the loss
            by it and gradients are divided by it before use.
        name: Name of the optimizer (default: the class name, lower-cased).
        **kwargs: Keras 2's spellings, so that code written for it runs:
            `lr` is `learning_rate` (it wins if both are given, as in Keras 2,
            with Keras 2's UserWarning "The `lr` argument is deprecated, use
            `learning_rate` instead."); `decay` (float >= 0) is Keras 2's
            time-based decay, `lr_t = learning_rate / (1 + decay * iterations)`
            with `iterations` counted before the step. Keras 3 dropped it; baro
            implements it as `schedules.InverseTimeDecay(learning_rate,
            decay_steps=1, decay_rate=decay)` (so `get_config` holds that
            schedule) and warns once that Keras 3 no longer supports it.
            `decay` needs a float learning rate: fold it into a schedule
            otherwise. Keras 3's `use_ema`, ... are accepted at their "off"
            values.

    Raises:
        ValueError: For out-of-range values, more than one clipping option,
            `decay` with a schedule, or unknown keyword arguments.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0, 2.0])
        >>> opt = optimizers.SGD(learning_rate=0.1)
        >>> opt.apply([baro.constant([1.0, -1.0])], [w])
        >>> w.numpy(), int(opt.iterations)
        (array([0.9, 2.1], dtype=float32), 1)
    """

    scratch_buffers = 1

    def __init__(self, learning_rate, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None,
                 loss_scale_factor: float | None = None, name: str | None = None,
                 **kwargs) -> None:
        owner = type(self).__name__
        if "lr" in kwargs:
            # Keras 2.x's words; stacklevel 3 points at the user's line, past
            # the subclass's super().__init__.
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` "
                          "instead.", UserWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        kwargs = {k: v for k, v in kwargs.items() if k not in _UNSUPPORTED
                  or v != _UNSUPPORTED[k]}
        if kwargs:
            raise ValueError(f"{owner}: argument(s) not recognized or not supported "
                             f"by baro: {kwargs}.")
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue,
                 "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clips.values()) > 1:
            raise ValueError(f"{owner}: only one of `clipnorm`, `clipvalue` and "
                             f"`global_clipnorm` can be set. Received: {clips}.")
        self.name = name or owner.lower()
        self.weight_decay = None if weight_decay is None else check_number(
            owner, "weight_decay", weight_decay, 0.0)
        for key, value in {**clips, "loss_scale_factor": loss_scale_factor}.items():
            setattr(self, key, None if value is None else check_number(
                owner, key, value, 0.0, low_open=True))
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._trainable_variables_indices: dict[Variable, int] = {}
        self._scratch: list[list] = []
        self._slot_lists: list[list] = []
        self._loose_slots = 0
        self._flat = None
        self._excluded: set[Variable] = set()
        self._exclude_pattern = None
        self._decay_cache: dict[Variable, bool] = {}
        self._iterations = Variable(0, trainable=False, name="iteration",
                                    dtype="int64")
        self._variables.append(self._iterations)
        self._learning_rate = self._make_learning_rate(learning_rate)
        if decay is not None:
            self._apply_keras2_decay(decay, learning_rate)

    def _apply_keras2_decay(self, decay, learning_rate) -> None:
        owner = type(self).__name__
        decay = check_number(owner, "decay", as_scalar(decay), 0.0)
        if not decay:  # Keras 2's default, decay=0.0: a constant rate
            return
        lr = self._learning_rate
        if not isinstance(lr, Variable):
            raise ValueError(
                f"{owner}: `decay` (Keras 2's time-based decay) needs a float "
                f"learning_rate, received a {type(lr).__name__}. Fold the decay "
                "into the schedule instead.")
        warnings.warn(
            f"{owner}: `decay` is no longer supported in Keras 3; baro applies "
            "Keras 2's time-based decay, learning_rate / (1 + decay * "
            "iterations), as schedules.InverseTimeDecay(learning_rate, "
            "decay_steps=1, decay_rate=decay).", UserWarning, stacklevel=4)
        # Keras 2 divided by (1 + decay * iterations) before each step: an
        # InverseTimeDecay with decay_steps=1 evaluated at `iterations`.
        self.learning_rate = InverseTimeDecay(float(as_scalar(learning_rate)),
                                              decay_steps=1, decay_rate=decay)

    def _make_learning_rate(self, value):
        if callable(value) and not isinstance(value, Tensor):
            return value  # a LearningRateSchedule, or a function of no arguments
        value = check_number(type(self).__name__, "learning_rate", as_scalar(value),
                             0.0, hint=" Pass a float, a LearningRateSchedule or a "
                             "callable taking no arguments.")
        variable = Variable(value, trainable=False, name="learning_rate",
                            dtype=floatx())
        self._variables.append(variable)
        return variable

    @property
    def iterations(self) -> Variable:
        """The number of steps applied so far: an int64 scalar Variable."""
        return self._iterations

    @property
    def learning_rate(self) -> Tensor:
        """The learning rate for the next step, a float scalar Tensor.

        A float learning rate is a Variable that can be set again
        (`optimizer.learning_rate = 0.01`, as callbacks do); a schedule is
        evaluated at `iterations`. Setting a number when the learning rate is a
        schedule or callable raises TypeError; setting a schedule replaces it.
        """
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return lr
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        value = lr()
        return value if isinstance(value, Tensor) else Tensor(value, dtype=floatx())

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        previous = self._learning_rate
        if isinstance(value, LearningRateSchedule) or (
                callable(value) and not isinstance(value, Tensor)):
            self._learning_rate = value
            if isinstance(previous, Variable):
                self._variables = [v for v in self._variables if v is not previous]
            return
        if not isinstance(previous, Variable):
            raise TypeError(
                f"{type(self).__name__} was created with a {type(previous).__name__} "
                "as its learning rate, so a number cannot be assigned to it. Create "
                "the optimizer with a float learning_rate to make it settable, or "
                "assign a new schedule.")
        previous.assign(check_number(type(self).__name__, "learning_rate",
                                     as_scalar(value), 0.0))

    @property
    def lr(self) -> Tensor:
        """Keras 2's name for `learning_rate` (read and set)."""
        return self.learning_rate

    @lr.setter
    def lr(self, value) -> None:
        self.learning_rate = value

    def _current_learning_rate(self) -> float:
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return float(lr.data)
        return float(self.learning_rate)

    @property
    def variables(self) -> list[Variable]:
        """All optimizer state: iterations, the learning rate Variable, slots."""
        return list(self._variables)

    def build(self, var_list) -> None:
        """Records the variables this optimizer updates; subclasses add slots.

        Subclasses start with `if self.built: return` and `super().build(var_list)`.
        Raises TypeError if an entry is not a baro Variable.
        """
        var_list = list(var_list)
        for v in var_list:
            if not isinstance(v, Tensor):
                raise TypeError(f"{type(self).__name__}.build expects baro Variables, "
                                f"received {type(v).__name__}. Wrap arrays with "
                                "baro.Variable(...).")
        self._trainable_variables = var_list
        # Keyed by the Variables themselves (identity hash), so a pickled or
        # deep-copied optimizer still finds the copies of its variables.
        self._trainable_variables_indices = {v: i for i, v in enumerate(var_list)}
        self._scratch = self._make_scratch(var_list)
        self.built = True

    def _make_scratch(self, var_list) -> list[list]:
        # One flat buffer per (array type, dtype), as large as the largest
        # variable; each variable gets views of it, so no step allocates.
        pools: dict = {}
        for v in var_list:
            key = (type(v.data), v.data.dtype)
            size = pools[key][0] if key in pools else 0
            pools[key] = (max(size, v.data.size), v.data)
        flats = {key: [get_array_module(sample).empty(size, sample.dtype)
                       for _ in range(self.scratch_buffers)]
                 for key, (size, sample) in pools.items()}
        return [[flat[: v.data.size].reshape(v.data.shape)
                 for flat in flats[(type(v.data), v.data.dtype)]] for v in var_list]

    def add_variable(self, shape, initializer="zeros", dtype=None,
                     name: str | None = None) -> Variable:
        """A non-trainable state Variable, tracked in `variables`.

        `initializer` is "zeros", "ones", a number (a constant fill) or a callable
        `initializer(shape, dtype)`; `dtype` defaults to `floatx()`.
        """
        shape = tuple(shape)
        dtype = dtype or floatx()
        if isinstance(initializer, str) and initializer in ("zeros", "ones"):
            value = (np.zeros if initializer == "zeros" else np.ones)(shape, dtype)
        elif isinstance(initializer, numbers.Real):
            value = np.full(shape, initializer, dtype)
        elif callable(initializer):
            value = initializer(shape, dtype)
        else:
            raise ValueError(f"{type(self).__name__}.add_variable: initializer must "
                             "be 'zeros', 'ones', a number or a callable(shape, "
                             f"dtype). Received: {initializer!r}.")
        variable = Variable(value, trainable=False, name=name, dtype=dtype)
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name: str | None = None,
                                    initializer="zeros") -> Variable:
        """A slot with the shape and dtype of `reference_variable`, named after it."""
        # Keras names slots after the path: "dense/kernel" -> "dense_kernel_momentum".
        self._loose_slots += 1
        path = getattr(reference_variable, "path", None) or reference_variable.name
        prefix = str(path).replace("/", "_").replace(":", "_")
        return self.add_variable(reference_variable.shape, initializer,
                                 reference_variable.dtype, f"{prefix}_{name or 'var'}")

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable; a list of names gives a tuple of lists."""
        names = [name] if isinstance(name, str) else list(name)
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for slot_list, slot_name in zip(slots, names, strict=True):
                slot_list.append(self.add_variable_from_reference(
                    variable, slot_name, initializer))
                self._loose_slots -= 1  # counted as loose above; it is not
        self._slot_lists.extend(slots)  # candidates for flat buffers
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable) -> int:
        return self._trainable_variables_indices[variable]

    def apply(self, grads, trainable_variables=None) -> None:
        """Applies one step of gradients to the variables (see the class docs).

        Args:
            grads: Gradients (Tensors, arrays or None), one per variable.
            trainable_variables: The variables, in the same order. May be omitted
                after the optimizer was built; the first call builds it.

        Raises:
            ValueError: For unknown variables, mismatched counts or shapes, or
                when every gradient is None.
        """
        grads = list(grads)
        if not grads:
            return
        owner = type(self).__name__
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{owner}.apply: pass `trainable_variables` on the "
                                 "first call, or call optimizer.build(variables).")
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
            unknown = [v.name for v in variables
                       if v not in self._trainable_variables_indices]
            if unknown:
                raise ValueError(
                    f"{owner}: unknown variables {unknown}. An optimizer only updates "
                    "the variables it was built with; create a new optimizer for a "
                    "new set of variables.")
        if len(grads) != len(variables):
            raise ValueError(f"{owner}.apply: received {len(grads)} gradients for "
                             f"{len(variables)} variables; pass one gradient per "
                             "variable, in the same order.")
        grads, variables = prepare_gradients(owner, grads, variables,
                                             self.loss_scale_factor)
        grads = self._clip_gradients(grads)
        learning_rate = self._current_learning_rate()
        flat = self._flat_state(variables)
        with no_grad():
            self._apply_weight_decay(variables, learning_rate)
            if flat is None:
                self._update_variables(grads, variables, learning_rate)
            else:  # every variable at once (bit-identical: the update is elementwise)
                self._update_flat(flat, grads, learning_rate)
            self._count_step()
            for variable in variables:
                constraint = getattr(variable, "constraint", None)
                if constraint is not None:
                    variable.assign(constraint(variable))

    def apply_gradients(self, grads_and_vars) -> Variable:
        """`apply` for the TF2 form `zip(grads, variables)`; returns `iterations`."""
        pairs = list(grads_and_vars)
        if pairs:
            grads, variables = zip(*pairs, strict=True)
            self.apply(grads, variables)
        return self._iterations

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """Updates `variable.data` (and slots) in place; subclasses implement it.

        Args:
            gradient: Raw array with the variable's shape and dtype (unscaled,
                clipped). Read it, never write into it: it may be the caller's.
            variable: The Variable being trained.
            learning_rate: The current learning rate, a Python float.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update_step.")

    def _subnormal_slots(self) -> list[list[Variable]]:
        """The slot lists (from `add_optimizer_variables`) whose subnormal
        entries are zeroed every 256 steps; none unless a subclass names them
        (see baro/optimizers/subnormals.py for which slots are safe)."""
        return []

    def _update_variables(self, grads, variables, learning_rate: float) -> None:
        for gradient, variable in zip(grads, variables, strict=True):
            self.update_step(gradient, variable, learning_rate)

    def _clip_gradients(self, grads: list) -> list:
        return clip_gradients(grads, self.clipnorm, self.clipvalue,
                              self.global_clipnorm)

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Excludes variables from weight decay; call before the optimizer is built.

        Args:
            var_list: Variables to exclude.
            var_names: Regular expressions; a variable whose name contains a
                match is excluded (e.g. `["bias"]`).

        Raises:
            ValueError: If the optimizer is already built.
        """
        if self.built:
            raise ValueError(f"{type(self).__name__}.exclude_from_weight_decay() can "
                             "only be called before the optimizer is built.")
        self._excluded = set(var_list or ())
        names = list(var_names or ())
        self._exclude_pattern = re.compile("|".join(names)) if names else None
        self._decay_cache = {}

    def _use_weight_decay(self, variable) -> bool:
        if variable not in self._decay_cache:
            pattern = self._exclude_pattern
            excluded = variable in self._excluded or (
                pattern is not None and pattern.search(str(variable.name)) is not None)
            self._decay_cache[variable] = not excluded
        return self._decay_cache[variable]

    def _apply_weight_decay(self, variables, learning_rate: float) -> None:
        if not self.weight_decay:
            return
        decay = self.weight_decay * learning_rate
        for variable in variables:
            if self._use_weight_decay(variable):
                w = variable.data
                s = self._scratch[self._get_variable_index(variable)][0]
                w -= np.multiply(w, decay, out=s)

    def scale_loss(self, loss):
        """Multiplies `loss` by `loss_scale_factor` (unchanged when it is None)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def set_weights(self, weights) -> None:
        """Assigns `weights` (arrays, in `variables` order) to the optimizer state.

        Raises:
            ValueError: If the optimizer is not built or a shape differs.
        """
        if not self.built:
            raise ValueError(f"You are calling set_weights() on {type(self).__name__} "
                             "before it was built; call optimizer.build(variables).")
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(f"{type(self).__name__}.set_weights: received "
                             f"{len(weights)} weights for {len(self._variables)} "
                             "variables.")
        for variable, weight in zip(self._variables, weights, strict=True):
            variable.assign(weight)  # raises, naming both shapes, on a mismatch

    def get_config(self) -> dict:
        """The constructor arguments as JSON-ready values."""
        lr = self._learning_rate
        lr = float(lr.data) if isinstance(lr, Variable) else serialize(lr)
        return {"name": self.name, "learning_rate": lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "loss_scale_factor": self.loss_scale_factor}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Builds an optimizer from `get_config()` output (a schedule dict too)."""
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = deserialize_schedule(lr, custom_objects)
        elif isinstance(lr, str):  # a registered function of no arguments
            config["learning_rate"] = get_registered_object(lr, custom_objects) or lr
        return cls(**config)


def update_moving_average(average, value, decay: float, scratch) -> None:
    """`average <- decay * average + (1 - decay) * value`, in place.

    Written as `average += (1 - decay) * (value - average)` (Keras's form), through
    `scratch`, so nothing is allocated. `value` may be `scratch` itself.
    """
    np.subtract(value, average, out=scratch)
    scratch *= 1.0 - decay
    average += scratch
