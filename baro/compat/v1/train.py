"""`tf.train` of TF1: optimizers with TF1's exact update rules, and Saver.

The updates run on raw arrays in place, once per `sess.run(train_op)`:

- GradientDescentOptimizer: var -= lr * g
- MomentumOptimizer: accum = momentum * accum + g; var -= lr * accum
  (nesterov: var -= lr * (g + momentum * accum))
- AdamOptimizer (epsilon 1e-8, as TF1 applies it, "epsilon hat"):
  t += 1; lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t);
  m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
  var -= lr_t * m / (sqrt(v) + epsilon)
  with TF1's precision: the hyperparameters are float32 constants and beta1^t,
  beta2^t float32 accumulators (multiplied once per step), cast to the
  variable's dtype, exactly as TF1 builds them.
- RMSPropOptimizer (ms starts at ones, as in TF1):
  ms = decay ms + (1 - decay) g^2; mom = momentum mom + lr g / sqrt(ms + eps);
  var -= mom (centered: ms - mg^2 under the root, mg = decay mg + (1-decay) g)
- AdagradOptimizer: accum += g^2; var -= lr g / sqrt(accum)

Every `FLUSH_EVERY` (256) steps, slot entries that decayed into subnormal floats
(momentum, Adam's m and v, RMSProp's ms/mom/mg of units whose gradient stays
0) are set to 0; TensorFlow's CPU thread pools run with flush-to-zero set
(`port::ScopedFlushDenormal`). Subnormal arithmetic is several times slower in
NumPy, and the zeroing changes updates by float rounding at most (the argument
is in baro/optimizers/subnormals.py).
"""

from __future__ import annotations

import json
import os

import numpy as np

from baro.compat.v1.graph import get_default_graph
from baro.compat.v1.variables import Operation, global_variables
from baro.optimizers.subnormals import (
    FLUSH_EVERY,
    epsilon_hides_subnormals,
    flush_subnormals,
)
from baro.saving import safetensors


def _slot(slots: dict, name: str, var, value: float):
    """The optimizer slot `name` of a variable, created filled with `value`."""
    array = slots.get(name)
    if array is None:
        array = slots[name] = np.full_like(var, value)
    return array


class Optimizer:
    """TF1 optimizer base: `minimize(loss, var_list=None, global_step=None)`."""

    def __init__(self, learning_rate: float, use_locking: bool = False,
                 name: str = "Optimizer") -> None:
        if learning_rate < 0:
            raise ValueError(f"{name}: learning_rate must be >= 0, received "
                             f"{learning_rate!r}.")
        self.learning_rate = float(learning_rate)
        self.name = name
        self.slots: dict[int, dict[str, np.ndarray]] = {}
        self.iterations = 0

    def minimize(self, loss, global_step=None, var_list=None, name=None, **kwargs):
        """An op that, when run, takes one step down the gradient of `loss`."""
        optimizers = get_default_graph().optimizers
        if all(o is not self for o in optimizers):
            optimizers.append(self)
        return Operation("train", name or self.name, optimizer=self, loss=loss,
                         var_list=None if var_list is None else list(var_list),
                         global_step=global_step)

    def reset_state(self) -> None:
        """Forgets the slots and the step count: in TF1 they are variables,
        which `global_variables_initializer` sets back to their start."""
        self.slots = {}
        self.iterations = 0

    def apply_dense_updates(self, grads, variables) -> None:
        """Applies one update to every variable (called by Session.run)."""
        self.iterations += 1
        for grad, variable in zip(grads, variables, strict=True):
            slots = self.slots.setdefault(id(variable), {})
            self._update(grad, variable.value_holder.data, slots)
        if self.iterations % FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _flush_subnormals(self) -> None:
        """Zeroes the subnormal entries of the slots `_subnormal_slots` names."""
        names = self._subnormal_slots()
        for slots in self.slots.values():
            for name in names:
                if name in slots:
                    flush_subnormals(slots[name])

    def _update(self, g, var, slots) -> None:
        raise NotImplementedError

    def _subnormal_slots(self) -> tuple[str, ...]:
        """Names of the slots whose subnormal entries are zeroed (none here)."""
        return ()


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * gradient."""

    def __init__(self, learning_rate: float, use_locking=False,
                 name="GradientDescent") -> None:
        super().__init__(learning_rate, use_locking, name)

    def _update(self, g, var, slots) -> None:
        var -= self.learning_rate * g


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + g; var -= lr * accum (TF1's momentum form)."""

    def __init__(self, learning_rate: float, momentum: float, use_locking=False,
                 name="Momentum", use_nesterov: bool = False) -> None:
        super().__init__(learning_rate, use_locking, name)
        self.momentum = float(momentum)
        self.use_nesterov = use_nesterov

    def _subnormal_slots(self) -> tuple[str, ...]:
        # accum decays for dead units and is added to var (times lr).
        return ("momentum",)

    def _update(self, g, var, slots) -> None:
        accum = _slot(slots, "momentum", var, 0.0)
        accum *= self.momentum
        accum += g
        if self.use_nesterov:
            var -= self.learning_rate * (g + self.momentum * accum)
        else:
            var -= self.learning_rate * accum


# Parameters (all variables of one train op together) up to which AdamOptimizer
# keeps them in one flat buffer.
FLAT_LIMIT = 1 << 16


class AdamOptimizer(Optimizer):
    """Adam with TF1's defaults and epsilon placement (see the module docstring)."""

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, epsilon: float = 1e-08, use_locking=False,
                 name="Adam") -> None:
        super().__init__(learning_rate, use_locking, name)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.epsilon = float(epsilon)

    _TABLE = 4096  # steps of lr_t computed at once

    def apply_dense_updates(self, grads, variables) -> None:
        """One Adam step on every variable (called by Session.run)."""
        # The base class's loop with `_update` inlined and each variable's
        # buffers bound once (`_bind`): for a small model (the TF1 temperature
        # fit) the Python around Adam's 12 ufunc calls would otherwise cost as
        # much as the calls.
        index = self.iterations  # 0-based index of this step
        self.iterations = index + 1
        bound = self.__dict__.get("_bound")
        if bound is None or bound[0] is not variables or bound[1] is not self.slots:
            bound = self._bind(variables)
        else:
            for entry in bound[2]:
                if entry[0].data is not entry[1]:  # a variable's data was replaced
                    bound = self._bind(variables)
                    break
        rates = self.__dict__.get("_rates")
        if bound[3] is not None:  # one flat buffer for all: one update
            flat_grad = bound[3][0]
            np.concatenate([g.reshape(-1) for g in grads], out=flat_grad)
            grads, states = (flat_grad,), (bound[3][1],)
        else:
            states = bound[2]
        for grad, (_, var, m, v, scratch, step, beta1, beta2, eps, one_minus_b1,
                   one_minus_b2) in zip(grads, states, strict=True):
            if rates is not None and rates[1] is var.dtype and \
                    0 <= index - rates[0] < self._TABLE:
                lr_t = rates[2][index - rates[0]]
            else:
                lr_t = self._lr_t(var.dtype, index)
                rates = self._rates
            # The same arithmetic, in the same order, as
            # m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
            # var -= lr_t m / (sqrt(v) + eps), into scratch buffers.
            m *= beta1
            np.multiply(one_minus_b1, grad, out=scratch)
            m += scratch
            v *= beta2
            np.multiply(grad, grad, out=scratch)
            scratch *= one_minus_b2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch += eps
            np.multiply(lr_t, m, out=step)
            step /= scratch
            var -= step
        if self.iterations % FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _bind(self, variables: list) -> tuple:
        """(variables, slots, per variable: holder, data, m, v, two scratch
        buffers, constants; and the flat state or None), made on first use and
        after a change.

        Several variables of one dtype move into one flat buffer (each holder's
        data, m and v become views of it, so the graph, savers and slot flushes
        see them as before): the update is then 12 ufunc calls for all, not
        per variable. Elementwise, so the values are the same.
        """
        key = tuple(id(v) for v in variables)
        previous = self.__dict__.get("_bound")
        if previous is not None and previous[3] is not None and \
                previous[1] is self.slots and previous[4] == key and \
                all(e[0].data is e[1] for e in previous[2]):
            # The same variables in another list (another feed signature):
            # the flat buffers stay as they are.
            bound = self._bound = (variables, *previous[1:])
            return bound
        entries = []
        for variable in variables:
            holder = variable.value_holder
            slots = self.slots.setdefault(id(variable), {})
            state = slots.get("adam") or self._state(slots, holder.data)
            entries.append((holder, holder.data, *state[:4], *state[4]))
        flat = None
        # Flattening pays for small models (fewer calls) and costs for large
        # ones (a gradient copy, passes over megabytes: 1M parameters ran 20%
        # slower); variables must be distinct, and an optimizer that trains
        # several sets of variables (two train ops) stays per variable, as a
        # variable can live in one buffer only.
        sets = self.__dict__.setdefault("_variable_sets", set())
        sets.add(key)
        if 1 < len(entries) and len(sets) == 1 and len(set(key)) == len(key) and \
                sum(e[1].size for e in entries) <= FLAT_LIMIT and \
                all(type(e[1]) is np.ndarray and e[1].dtype == entries[0][1].dtype
                    for e in entries):
            flat, entries = self._flatten(variables, entries)
        bound = self._bound = (variables, self.slots, entries, flat, key)
        return bound

    def _flatten(self, variables: list, entries: list) -> tuple:
        """Moves the variables' data, m and v into flat buffers (views)."""
        dtype = entries[0][1].dtype
        buffers = [np.concatenate([e[k].reshape(-1) for e in entries]).astype(
            dtype, copy=False) for k in (1, 2, 3)]
        params, m, v = buffers
        flat_state = (None, params, m, v, np.empty_like(params),
                      np.empty_like(params), *entries[0][6:])
        rehomed, start = [], 0
        for variable, entry in zip(variables, entries, strict=True):
            holder, data = entry[0], entry[1]
            stop = start + data.size
            views = [b[start:stop].reshape(data.shape) for b in buffers]
            holder.data = views[0]
            slots = self.slots[id(variable)]
            slots["m"], slots["v"] = views[1], views[2]
            slots["adam"] = (views[1], views[2], *slots["adam"][2:])
            rehomed.append((holder, views[0], views[1], views[2], *entry[4:]))
            start = stop
        return (np.empty_like(params), flat_state), rehomed

    def _state(self, slots: dict, var) -> tuple:
        """m, v, two scratch buffers and the constants, made once per variable.

        The constants are 0-d arrays of the variable's dtype: the same values
        as the scalars, and a ufunc takes them without converting a scalar
        on every call (~0.15 us each, a dozen times per step).
        """
        constants = tuple(np.array(c) for c in self._constants(var.dtype)[2:])
        state = slots["adam"] = (_slot(slots, "m", var, 0.0),
                                 _slot(slots, "v", var, 0.0),
                                 np.empty_like(var), np.empty_like(var), constants)
        return state

    @property
    def beta1_power(self):
        """beta1^(t+1) after t steps, as TF1's float32 accumulator holds it."""
        return self._powers(self.iterations)[0]

    @property
    def beta2_power(self):
        """beta2^(t+1) after t steps, as TF1's float32 accumulator holds it."""
        return self._powers(self.iterations)[1]

    def _powers(self, index: int):
        """TF1's beta1_power and beta2_power for step `index` (0-based): float32
        accumulators started at beta and multiplied by beta after every step."""
        table = self.__dict__.get("_power_table")
        if table is None or not table[0] <= index < table[0] + self._TABLE:
            first = index - index % self._TABLE
            # cumprod multiplies in sequence in float32: the same roundings as
            # TF1's one multiplication per step.
            b1 = np.cumprod(np.full(first + self._TABLE, self.beta1, np.float32))
            b2 = np.cumprod(np.full(first + self._TABLE, self.beta2, np.float32))
            table = self._power_table = (first, b1[first:], b2[first:], {})
        offset = index - table[0]
        return table[1][offset], table[2][offset]

    def _lr_t(self, dtype, index: int):
        """lr * sqrt(1 - beta2^t) / (1 - beta1^t) in `dtype` for step `index`,
        computed for a block of steps at once (elementwise: identical values)."""
        self._powers(index)
        first, b1, b2, by_dtype = self._power_table
        rates = by_dtype.get(dtype)
        if rates is None:
            cast, lr = self._constants(dtype)[:2]
            one = cast(1)
            rates = by_dtype[dtype] = (lr * np.sqrt(one - b2.astype(dtype)) /
                                       (one - b1.astype(dtype))).astype(dtype)
        self._rates = (first, dtype, rates)  # apply_dense_updates' quick look
        return rates[index - first]

    def _constants(self, dtype):
        """TF1 casts its float32 hyperparameter tensors to the variable's dtype."""
        table = self.__dict__.setdefault("_by_dtype", {})
        found = table.get(dtype)
        if found is None:
            cast = dtype.type
            lr, beta1, beta2, eps = (cast(np.float32(h)) for h in (
                self.learning_rate, self.beta1, self.beta2, self.epsilon))
            found = table[dtype] = (cast, lr, beta1, beta2, eps, cast(1) - beta1,
                                    cast(1) - beta2)
        return found

    def _subnormal_slots(self) -> tuple[str, ...]:
        # m and v of dead units; zeroing them is invisible beside epsilon.
        return ("m", "v") if epsilon_hides_subnormals(self.epsilon) else ()


class RMSPropOptimizer(Optimizer):
    """TF1 RMSProp (ms initialized to ones; see the module docstring)."""

    def __init__(self, learning_rate: float, decay: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-10, use_locking=False,
                 centered: bool = False, name="RMSProp") -> None:
        super().__init__(learning_rate, use_locking, name)
        self.decay = float(decay)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.centered = centered

    def _subnormal_slots(self) -> tuple[str, ...]:
        # mom is subtracted from var and mg only used squared; ms sits beside
        # epsilon under the square root.
        hidden = epsilon_hides_subnormals(self.epsilon)
        return ("momentum", "mg", "rms") if hidden else ("momentum", "mg")

    def _update(self, g, var, slots) -> None:
        ms = _slot(slots, "rms", var, 1.0)
        mom = _slot(slots, "momentum", var, 0.0)
        ms *= self.decay
        ms += (1 - self.decay) * (g * g)
        denom = ms
        if self.centered:
            mg = _slot(slots, "mg", var, 0.0)
            mg *= self.decay
            mg += (1 - self.decay) * g
            denom = ms - mg * mg
        mom *= self.momentum
        mom += self.learning_rate * g / np.sqrt(denom + self.epsilon)
        var -= mom


class AdagradOptimizer(Optimizer):
    """accum += g^2; var -= lr * g / sqrt(accum) (accum starts at 0.1)."""

    def __init__(self, learning_rate: float, initial_accumulator_value: float = 0.1,
                 use_locking=False, name="Adagrad") -> None:
        super().__init__(learning_rate, use_locking, name)
        self.initial = float(initial_accumulator_value)

    def _update(self, g, var, slots) -> None:
        accum = _slot(slots, "accumulator", var, self.initial)
        accum += g * g
        var -= self.learning_rate * g / np.sqrt(accum)


class Saver:
    """Saves and restores variable values by name, as safetensors (no pickle)."""

    def __init__(self, var_list=None, max_to_keep: int = 5, **kwargs) -> None:
        if isinstance(var_list, dict):
            self.var_map = dict(var_list)
        else:
            variables = var_list if var_list is not None else global_variables()
            self.var_map = {v.name: v for v in variables}

    def save(self, sess, save_path: str, global_step=None, **kwargs) -> str:
        """Writes `save_path[-step].safetensors`; returns the checkpoint prefix."""
        prefix = str(save_path)
        if global_step is not None:
            step = global_step.eval(session=sess) if hasattr(global_step, "eval") \
                else global_step
            prefix = f"{prefix}-{int(step)}"
        arrays = {}
        for name, variable in self.var_map.items():
            if not variable.initialized:
                raise ValueError(f"Saver: variable {name} is not initialized.")
            arrays[name] = variable.value_holder.numpy()
        folder = os.path.dirname(os.path.abspath(prefix))
        os.makedirs(folder, exist_ok=True)
        safetensors.save_file(arrays, prefix + ".safetensors")
        safetensors.atomic_write(os.path.join(folder, "checkpoint"), json.dumps(
            {"model_checkpoint_path": os.path.basename(prefix)}).encode())
        return prefix

    def restore(self, sess, save_path: str) -> None:
        """Loads the values saved under `save_path` into the variables.

        Raises:
            ValueError: If the checkpoint lacks a variable or has another shape.
        """
        path = str(save_path)
        if not path.endswith(".safetensors"):
            path += ".safetensors"
        arrays, _ = safetensors.load_file(path)
        for name, variable in self.var_map.items():
            if name not in arrays:
                raise ValueError(f"Saver.restore: {path} has no variable {name}; it "
                                 f"has {sorted(arrays)}.")
            value = arrays[name]
            if tuple(value.shape) != tuple(variable.shape.dims):
                raise ValueError(f"Saver.restore: {name} has shape {value.shape} in "
                                 f"the file, {variable.shape} in the graph.")
            variable._set(value)


def latest_checkpoint(checkpoint_dir: str) -> str | None:
    """The prefix of the newest checkpoint a Saver wrote in `checkpoint_dir`."""
    index = os.path.join(checkpoint_dir, "checkpoint")
    if not os.path.exists(index):
        return None
    with open(index) as f:
        name = json.load(f)["model_checkpoint_path"]
    return os.path.join(checkpoint_dir, name)


def get_global_step(graph=None):
    found = (graph or get_default_graph()).get_collection("global_step")
    return found[0] if found else None
