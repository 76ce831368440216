"""Learning rate schedules: the learning rate as a function of the step count.

Pass one as an optimizer's `learning_rate`; the optimizer evaluates it at its
`iterations` before every step. Each schedule returns a float32 (`floatx()`)
scalar Tensor; the formula is evaluated in Python float64 and rounded once.
"""

from __future__ import annotations

import math
import numbers

from baro.backend.config import floatx
from baro.core.tensor import Tensor
from baro.saving import deserialize as deserialize_object
from baro.saving import register_serializable
from baro.saving import serialize as serialize_object


def _as_float(value) -> float:
    # Keras lets initial_learning_rate be a tensor (e.g. optimizer.learning_rate).
    return float(value) if isinstance(value, (numbers.Real, Tensor)) else value


def _check_decay_steps(owner: str, name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value <= 0:
        raise ValueError(f"{owner}: argument `{name}` must be > 0. "
                         f"Received: {name}={value!r}.")


@register_serializable()
class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step)` and `get_config()`.

    Example:
        >>> from baro.optimizers import schedules
        >>> class Halving(schedules.LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return 0.1 * 0.5 ** float(step)
        >>> Halving()(2)
        0.025
    """

    def __call__(self, step) -> Tensor:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' "
                                  "must override `__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' "
                                  "must override `get_config()` to be serializable.")

    @classmethod
    def from_config(cls, config: dict):
        """Instantiates a schedule from `get_config()` output."""
        return cls(**config)

    @staticmethod
    def _result(value: float) -> Tensor:
        return Tensor(value, dtype=floatx())


@register_serializable()
class ExponentialDecay(LearningRateSchedule):
    """`lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)`.

    With `staircase=True` the exponent is `floor(step / decay_steps)`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Positive number of steps per decay by `decay_rate`.
        decay_rate: The decay factor.
        staircase: Decay at discrete intervals (default False).
        name: Name (default "ExponentialDecay").

    Raises:
        ValueError: If `decay_steps <= 0`.

    Example:
        >>> from baro.optimizers import schedules
        >>> lr = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> float(lr(20))
        0.02500000037252903
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay") -> None:
        _check_decay_steps("ExponentialDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = _as_float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step) -> Tensor:
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self._result(self.initial_learning_rate * self.decay_rate**p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@register_serializable()
class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` after the last.

    Args:
        boundaries: Strictly increasing step numbers.
        values: One more value than boundaries.
        name: Name (default "PiecewiseConstant").

    Raises:
        ValueError: If the lengths do not match or boundaries do not increase.

    Example:
        >>> from baro.optimizers import schedules
        >>> lr = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
        >>> [float(lr(s)) for s in (10, 11, 21)]
        [1.0, 0.5, 0.10000000149011612]
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant") -> None:
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: the length of boundaries should be 1 less "
                f"than the length of values. Received: boundaries={boundaries} of "
                f"length {len(boundaries)}, and values={values} of length "
                f"{len(values)}.")
        pairs = zip(boundaries, boundaries[1:], strict=False)
        if any(low >= high for low, high in pairs):
            raise ValueError("PiecewiseConstantDecay: boundaries must be strictly "
                             f"increasing. Received: boundaries={boundaries}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step) -> Tensor:
        step = float(step)
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return self._result(value)
        return self._result(self.values[-1])

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values,
                "name": self.name}


@register_serializable()
class PolynomialDecay(LearningRateSchedule):
    """Decays from `initial_learning_rate` to `end_learning_rate` over `decay_steps`.

    `lr(step) = (initial - end) * (1 - s / d) ** power + end` with
    `s = min(step, decay_steps)` and `d = decay_steps`. With `cycle=True`,
    `s = step` and `d = decay_steps * ceil(step / decay_steps)` (1 at step 0), so
    the decay restarts after every `decay_steps`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Positive number of steps to decay over.
        end_learning_rate: The final learning rate (default 0.0001).
        power: The polynomial's power (default 1.0, linear).
        cycle: Restart the decay beyond `decay_steps` (default False).
        name: Name (default "PolynomialDecay").

    Raises:
        ValueError: If `decay_steps <= 0`.

    Example:
        >>> from baro.optimizers import schedules
        >>> lr = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)
        >>> round(float(lr(5)), 6), float(lr(50))
        (0.05, 0.0)
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0,
                 cycle: bool = False, name: str = "PolynomialDecay") -> None:
        _check_decay_steps("PolynomialDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = _as_float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step) -> Tensor:
        step = float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        fraction_left = 1.0 - step / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return self._result(span * fraction_left**self.power + self.end_learning_rate)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power,
                "cycle": self.cycle, "name": self.name}


@register_serializable()
class InverseTimeDecay(LearningRateSchedule):
    """`lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    With `staircase=True`, `step / decay_steps` is floored.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Positive number of steps per unit of decay.
        decay_rate: The decay rate.
        staircase: Decay at discrete intervals (default False).
        name: Name (default "InverseTimeDecay").

    Raises:
        ValueError: If `decay_steps <= 0`.

    Example:
        >>> from baro.optimizers import schedules
        >>> lr = schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
        >>> round(float(lr(2)), 6)
        0.05
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay") -> None:
        _check_decay_steps("InverseTimeDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = _as_float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step) -> Tensor:
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self._result(self.initial_learning_rate / (1.0 + self.decay_rate * p))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@register_serializable()
class CosineDecay(LearningRateSchedule):
    """Cosine decay (SGDR, Loshchilov & Hutter 2016) with optional linear warmup.

    Without `warmup_target`, with `s = min(step, decay_steps)`:
    `lr = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)`.

    With `warmup_target`, for `step < warmup_steps` the rate rises linearly,
    `lr = initial + (warmup_target - initial) * step / warmup_steps`; afterwards
    it decays as above from `warmup_target` with `s = min(step - warmup_steps,
    decay_steps)`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Positive number of steps to decay over.
        alpha: Final learning rate as a fraction of the decayed-from rate
            (default 0.0).
        name: Name (default "CosineDecay").
        warmup_target: Learning rate reached after warmup, or None (default) to
            skip warmup.
        warmup_steps: Number of warmup steps (default 0).

    Raises:
        ValueError: If `decay_steps <= 0`.

    Example:
        >>> from baro.optimizers import schedules
        >>> lr = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
        >>> [round(float(lr(s)), 4) for s in (2, 4, 9, 14)]
        [0.5, 1.0, 0.5, 0.0]
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        _check_decay_steps("CosineDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = _as_float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step: float, decay_from: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return decay_from * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step) -> Tensor:
        step = float(step)
        if self.warmup_target is None:
            return self._result(self._decay(min(step, self.decay_steps),
                                            self.initial_learning_rate))
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return self._result(
                delta * step / self.warmup_steps + self.initial_learning_rate)
        return self._result(self._decay(step - self.warmup_steps, self.warmup_target))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha,
                "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """A JSON-ready `{"class_name": ..., "config": ...}` for a schedule."""
    return serialize_object(learning_rate_schedule)


def deserialize(config: dict, custom_objects: dict | None = None):
    """Rebuilds a schedule from `serialize`'s output.

    Raises:
        ValueError: For an unknown class name, or a class that is not a
            `LearningRateSchedule`.
    """
    schedule = deserialize_object(config, custom_objects, family="learning rate "
                                  "schedule")
    if not isinstance(schedule, LearningRateSchedule):
        raise ValueError(f"Could not interpret {config!r} as a learning rate "
                         f"schedule: it built a {type(schedule).__name__}.")
    return schedule
