"""Elementwise merge layers and their functional forms (`keras.layers.add`)."""

from __future__ import annotations

from baro import ops
from baro.layers.merging.base_merge import Merge
from baro.saving.registry import register_serializable


@register_serializable()
class Add(Merge):
    """Adds a list of tensors elementwise."""

    def _merge(self, a, b):
        return ops.add(a, b)


def add(inputs, **kwargs):
    """Functional form of `Add`: `add([x1, x2, ...])`."""
    return Add(**kwargs)(inputs)


@register_serializable()
class Subtract(Merge):
    """Subtracts the second of exactly two tensors from the first."""

    min_inputs = 2

    def build(self, input_shape) -> None:
        if isinstance(input_shape, (list, tuple)) and len(input_shape) != 2:
            raise ValueError(f"Subtract {self.name!r} needs exactly 2 inputs, "
                             f"received {len(input_shape)}.")
        super().build(input_shape)

    def _merge(self, a, b):
        return ops.subtract(a, b)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: `subtract([x1, x2, ...])`."""
    return Subtract(**kwargs)(inputs)


@register_serializable()
class Multiply(Merge):
    """Multiplies a list of tensors elementwise."""

    def _merge(self, a, b):
        return ops.multiply(a, b)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`: `multiply([x1, x2, ...])`."""
    return Multiply(**kwargs)(inputs)


@register_serializable()
class Maximum(Merge):
    """Elementwise maximum of a list of tensors."""

    def _merge(self, a, b):
        return ops.maximum(a, b)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`: `maximum([x1, x2, ...])`."""
    return Maximum(**kwargs)(inputs)


@register_serializable()
class Minimum(Merge):
    """Elementwise minimum of a list of tensors."""

    def _merge(self, a, b):
        return ops.minimum(a, b)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: `minimum([x1, x2, ...])`."""
    return Minimum(**kwargs)(inputs)


@register_serializable()
class Average(Merge):
    """Elementwise mean of a list of tensors."""

    def call(self, inputs):
        return super().call(inputs) / len(inputs)

    def _merge(self, a, b):
        return ops.add(a, b)


def average(inputs, **kwargs):
    """Functional form of `Average`."""
    return Average(**kwargs)(inputs)
