"""`tf.function`: accepted everywhere TF2 code writes it; the code runs eagerly.

TensorFlow traces a decorated function into a graph. baro runs the Python
function as written, on every call, with the same results (eager and traced TF
agree on values). So `@tf.function` (with or without arguments) is safe to
leave in ported code; `input_signature` is checked, as TF checks it. The
wrapper is one small class, `PolymorphicFunction` (TF's name for it), holding
the original in `python_function`, so a tracer can later be plugged into
`__call__` without changing how users write the decorator.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Sequence

import numpy as np

from baro.core import Tensor
from baro.core.tracing import functions_run_eagerly, run_functions_eagerly
from baro.ops import convert_to_tensor

# `tf.config.run_functions_eagerly`: TF's switch to skip tracing; it lives in
# core.tracing because `fit`'s step compiler honours it too.


def _spec_text(spec) -> str:
    dtype = getattr(spec, "dtype", None)
    dtype = "any" if dtype is None else np.dtype(dtype).name
    return f"shape={tuple(spec.shape)}, dtype={dtype}"


def _matches(shape, spec_shape) -> bool:
    if spec_shape is None:  # TensorSpec(shape=None): any rank
        return True
    spec_shape = tuple(spec_shape)
    return len(shape) == len(spec_shape) and all(
        want is None or want == got for got, want in zip(shape, spec_shape,
                                                         strict=True))


class PolymorphicFunction:
    """What `tf.function` returns: a callable wrapping `python_function`.

    Calling it calls `python_function` with the same arguments. With an
    `input_signature` (a list of `TensorSpec`-like objects with `shape` and
    `dtype`), every call must pass exactly those positional arguments; Python
    numbers, lists and arrays are converted to tensors of the spec's dtype, as
    TF converts them, and a shape or dtype mismatch raises. Used on a method,
    it binds to the instance like a normal method.

    Attributes:
        python_function: The wrapped Python function (a bound method when
            accessed through an instance).
        input_signature: The signature given, or None.
        function_options: The other `tf.function` arguments, as given.
    """

    def __init__(self, python_function: Callable, input_signature=None,
                 **function_options) -> None:
        if not callable(python_function):
            raise TypeError(f"tf.function expects a callable, received "
                            f"{type(python_function).__name__} {python_function!r}.")
        if input_signature is not None:
            if not isinstance(input_signature, Sequence):
                raise TypeError(
                    "tf.function: input_signature must be a list or tuple of "
                    f"TensorSpec, received {type(input_signature).__name__}.")
            for spec in input_signature:
                if not hasattr(spec, "shape"):
                    raise TypeError(
                        "tf.function: every input_signature entry needs a shape "
                        f"(a baro.TensorSpec), received {spec!r}.")
            input_signature = tuple(input_signature)
        self.python_function = python_function
        self.input_signature = input_signature
        self.function_options = function_options
        functools.update_wrapper(self, python_function)

    def __call__(self, *args, **kwargs):
        if self.input_signature is not None:
            args = self._check_signature(args, kwargs)
        return self.python_function(*args, **kwargs)

    def _check_signature(self, args, kwargs) -> tuple:
        name = getattr(self.python_function, "__name__", "function")
        signature = self.input_signature
        if kwargs or len(args) != len(signature):
            raise TypeError(
                f"{name}: called with {len(args)} positional and {len(kwargs)} "
                f"keyword argument(s), but its input_signature has "
                f"{len(signature)} entries; pass exactly one positional argument "
                "per TensorSpec.")
        checked = []
        for index, (arg, spec) in enumerate(zip(args, signature, strict=True)):
            dtype = getattr(spec, "dtype", None)
            if isinstance(arg, Tensor):
                if dtype is not None and arg.dtype != np.dtype(dtype):
                    raise TypeError(
                        f"{name}: argument {index} has dtype {arg.dtype}, the "
                        f"input_signature expects {_spec_text(spec)}. Cast it "
                        "with baro.cast or change the TensorSpec.")
            else:
                arg = convert_to_tensor(arg, dtype)
            if not _matches(arg.shape, spec.shape):
                raise ValueError(
                    f"{name}: argument {index} has shape {arg.shape}, the "
                    f"input_signature expects {_spec_text(spec)} (None matches "
                    "any size).")
            checked.append(arg)
        return tuple(checked)

    def __get__(self, instance, owner=None):
        # A decorated method: bind like a plain function does, keeping the
        # options, so `self.step(x)` passes `self` to the original.
        if instance is None:
            return self
        return PolymorphicFunction(
            types.MethodType(self.python_function, instance),
            self.input_signature, **self.function_options)

    def get_concrete_function(self, *args, **kwargs) -> PolymorphicFunction:
        """TF returns the traced graph for these arguments; baro has no trace,
        so this checks example arguments against `input_signature` and
        returns the callable itself (calling it runs the Python function).
        `TensorSpec` arguments are accepted as they are."""
        specs = any(hasattr(a, "is_compatible_with") for a in args)
        if self.input_signature is not None and (args or kwargs) and not specs:
            self._check_signature(args, kwargs)
        return self

    def experimental_get_tracing_count(self) -> int:
        """How many times TF traced the function: always 0 here (no tracing)."""
        return 0

    def __repr__(self) -> str:
        name = getattr(self.python_function, "__qualname__",
                       repr(self.python_function))
        return f"<baro.function {name} (runs eagerly)>"


def function(func: Callable | None = None, input_signature=None,
             autograph: bool = True, jit_compile: bool | None = None,
             reduce_retracing: bool = False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Marks a function for graph compilation (`tf.function`); baro runs it
    eagerly, with the same results.

    Works as `@function`, `@function(...)` and `function(f, ...)`, on plain
    functions and on methods. Every argument TF 2 accepts is accepted;
    `input_signature` is enforced (see `PolymorphicFunction`), the others are
    kept in `function_options` and have no effect: there is no autograph
    (Python control flow simply runs) and no XLA (`jit_compile`).

    Args:
        func: The function to wrap; None when used as `@function(...)`.
        input_signature: Optional list of `TensorSpec` fixing the arguments'
            shapes (None for any size) and dtypes.
        autograph, jit_compile, reduce_retracing, experimental_*: Accepted
            for compatibility; no effect.

    Returns:
        A `PolymorphicFunction`, or a decorator making one when `func` is None.

    Example:
        >>> import baro
        >>> from baro.function import function
        >>> @function
        ... def square_sum(x):
        ...     return baro.reduce_sum(x * x)
        >>> float(square_sum(baro.constant([1.0, 2.0])))
        5.0
        >>> square_sum.python_function.__name__
        'square_sum'
    """
    options = {"autograph": autograph, "jit_compile": jit_compile,
               "reduce_retracing": reduce_retracing,
               "experimental_implements": experimental_implements,
               "experimental_autograph_options": experimental_autograph_options,
               "experimental_attributes": experimental_attributes,
               "experimental_relax_shapes": experimental_relax_shapes,
               "experimental_compile": experimental_compile,
               "experimental_follow_type_hints": experimental_follow_type_hints}

    def decorate(fn: Callable) -> PolymorphicFunction:
        return PolymorphicFunction(fn, input_signature, **options)

    return decorate if func is None else decorate(func)


__all__ = ["PolymorphicFunction", "function", "functions_run_eagerly",
           "run_functions_eagerly"]
