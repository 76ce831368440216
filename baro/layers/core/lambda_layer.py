"""Lambda: wraps a Python function as a layer (not safely serializable)."""

from __future__ import annotations

from baro.layers.layer import Layer
from baro.saving.registry import get_registered_object, register_serializable
from baro.saving.scope import in_safe_mode


@register_serializable()
class Lambda(Layer):
    """Applies `function(inputs, **arguments)`.

    Saving stores only the function's *name*, never its code. Loading a file
    (`load_model`, `model_from_json`) refuses a Lambda unless the caller passes
    `safe_mode=False` *and* the function is registered
    (`@baro.saving.register_serializable()`) or given in `custom_objects`: a
    Lambda is the classic way to smuggle code into a model file. An anonymous
    `lambda` can never be restored; prefer a subclassed layer.

    Args:
        function: The function to apply to the inputs.
        output_shape: Optional output shape (without batch) or function of the
            input shape; by default found by running the function.
        arguments: Optional dict of keyword arguments for the function.
    """

    unsafe_to_serialize = True

    def __init__(self, function, output_shape=None, mask=None, arguments=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, received "
                            f"{function!r}.")
        self.function = function
        self.output_shape_arg = output_shape
        self.arguments = arguments or {}
        self.mask = mask

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self.output_shape_arg is None:
            return super().compute_output_shape(input_shape)
        if callable(self.output_shape_arg):
            return tuple(self.output_shape_arg(input_shape))
        return (input_shape[0],) + tuple(self.output_shape_arg)

    def get_config(self) -> dict:
        return {**super().get_config(), "function": getattr(
            self.function, "_registered_name", self.function.__name__),
                "output_shape": None if callable(self.output_shape_arg)
                else self.output_shape_arg, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        name = config.pop("function")
        if in_safe_mode():
            raise ValueError(
                f"Lambda layer {config.get('name')!r} (function {name!r}) is "
                "refused in safe mode: a Lambda runs arbitrary code. If you trust "
                "this file, load it with safe_mode=False and register the function "
                f"or pass custom_objects={{'{name}': {name}}}.")
        function = get_registered_object(name, custom_objects)
        if function is None:
            raise ValueError(
                f"Lambda layer {config.get('name')!r} refers to function {name!r}, "
                "which cannot be restored: baro never loads code from a file. Pass "
                f"custom_objects={{'{name}': {name}}}, or replace the Lambda with a "
                "registered subclassed layer.")
        return cls(function, **config)
