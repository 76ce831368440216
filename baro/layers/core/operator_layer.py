"""OperatorLayer: arithmetic and indexing written on symbolic tensors.

`y = x * 2 + z` or `x[:, 0]` on `keras.Input` tensors records one of these per
operator, so functional models keep working with plain Python operators.
"""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable

_BINARY = {
    "add": ops.add,
    "subtract": ops.subtract,
    "multiply": ops.multiply,
    "divide": ops.divide,
    "power": ops.power,
    "matmul": ops.matmul,
}


def _encode_key(key):
    """Index keys as JSON: slices, Ellipsis and None become tagged dicts."""
    if isinstance(key, tuple):
        return {"tuple": [_encode_key(k) for k in key]}
    if isinstance(key, slice):
        return {"slice": [key.start, key.stop, key.step]}
    if key is Ellipsis:
        return {"ellipsis": True}
    if key is None:
        return {"newaxis": True}
    return key


def _decode_key(key):
    if isinstance(key, dict):
        if "tuple" in key:
            return tuple(_decode_key(k) for k in key["tuple"])
        if "slice" in key:
            return slice(*key["slice"])
        if "ellipsis" in key:
            return Ellipsis
        if "newaxis" in key:
            return None
    return key


@register_serializable()
class OperatorLayer(Layer):
    """One operator applied in a functional graph.

    Args:
        op: "add", "subtract", "multiply", "divide", "power", "matmul",
            "negative" or "getitem".
        constant: The non-tensor operand (a number, nested list or index key).
        reverse: The constant is the left operand (`2 - x`).
    """

    def __init__(self, op: str, constant=None, reverse: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if op not in _BINARY and op not in ("negative", "getitem"):
            raise ValueError(f"OperatorLayer: unknown op {op!r}.")
        self.op = op
        self.constant = _decode_key(constant) if op == "getitem" else constant
        self.reverse = reverse

    def call(self, inputs):
        if self.op == "getitem":
            return inputs[self.constant]
        if self.op == "negative":
            return ops.negative(inputs)
        fn = _BINARY[self.op]
        if isinstance(inputs, (list, tuple)):
            return fn(inputs[0], inputs[1])
        if self.reverse:
            return fn(self.constant, inputs)
        return fn(inputs, self.constant)

    def get_config(self) -> dict:
        constant = _encode_key(self.constant) if self.op == "getitem" \
            else self.constant
        return {**super().get_config(), "op": self.op, "constant": constant,
                "reverse": self.reverse}
