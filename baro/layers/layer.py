"""Layer: the base of every layer and model, with Keras 3's lifecycle.

`__init__` stores configuration -> `build(input_shape)` creates weights with
`add_weight` on the first call -> `call(inputs, training=None, mask=None)` computes
with ops -> `compute_output_shape` -> `get_config` / `from_config`.
Calling a layer on symbolic tensors (`baro.keras.Input`) records a graph node
instead of computing (see symbolic.py); that is how Functional models are built.
"""

from __future__ import annotations

import numpy as np

from baro import regularizers
from baro.backend.config import floatx, standardize_dtype
from baro.core.tensor import Tensor
from baro.core.variable import Variable, structure_version
from baro.layers import call_context
from baro.layers.symbolic import SymbolicTensor, is_symbolic, symbolic_call
from baro.ops.convert import as_tensor
from baro.saving.registry import register_serializable
from baro.saving.scope import charge_weight, loading
from baro.utils.naming import to_snake_case, uniquify


@register_serializable()
class Layer:
    """Base class of all layers (and, through Model, of all models).

    Args:
        activity_regularizer: Optional regularizer applied to the outputs; its
            value joins `layer.losses`.
        trainable: Whether the layer's weights are updated by training.
        dtype: Dtype of weights and computations (default `floatx()`).
        autocast: Cast floating-point inputs to the layer's dtype.
        name: Unique name; derived from the class name when omitted
            ("dense", "dense_1", ...).
        input_shape, input_dim, batch_input_shape, batch_size: Legacy Keras way
            to declare the input of a model's first layer (`Dense(12,
            input_dim=8)`).
    """

    def __init__(self, *, activity_regularizer=None, trainable: bool = True,
                 dtype=None, autocast: bool = True, name: str | None = None,
                 **kwargs) -> None:
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}")
        self._init_tracking()
        self.name = name or uniquify(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype = standardize_dtype(dtype) if dtype is not None else floatx()
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self.supports_masking = False
        self._build_shapes_arg = None
        if batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        elif input_shape is not None:
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self._input_shape_arg = (batch_size, int(input_dim))
        else:
            self._input_shape_arg = None

    def _init_tracking(self) -> None:
        d = self.__dict__
        d.setdefault("_layers", [])
        d.setdefault("_trainable_variables", [])
        d.setdefault("_non_trainable_variables", [])
        d.setdefault("_regularized", [])
        d.setdefault("_losses", [])
        d.setdefault("_inbound_nodes", [])

    def __setattr__(self, name: str, value) -> None:
        # Sub-layers and Variables assigned as attributes are tracked, so their
        # weights belong to this layer (subclassed layers and models rely on it).
        if not name.startswith("__"):
            self._init_tracking()
            self._track(value)
        object.__setattr__(self, name, value)

    def _track(self, value) -> None:
        if isinstance(value, (Layer, Variable)):
            structure_version[0] += 1
        if isinstance(value, Layer):
            if value is not self and all(value is not x for x in self._layers):
                self._layers.append(value)
        elif isinstance(value, Variable):
            known = self._trainable_variables + self._non_trainable_variables
            if all(value is not v for v in known):
                group = self._trainable_variables if value.trainable else \
                    self._non_trainable_variables
                group.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, (Layer, Variable, list, tuple, dict)):
                    self._track(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._track(item)

    # -- weights -------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Creates the weights for inputs of `input_shape` (batch axis included)."""
        self.built = True

    def get_build_config(self) -> dict | None:
        """The input shape(s) `build` saw, as JSON (None if never built)."""
        if not self.built or self._build_shapes_arg is None:
            return None
        return {"input_shape": _shape_to_json(self._build_shapes_arg)}

    def build_from_config(self, config: dict) -> None:
        """Builds from `get_build_config()`'s output (used by loading)."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(_shape_from_json(shape))
            self.built = True

    def add_weight(self, shape=None, initializer=None, dtype=None,
                   trainable: bool = True, regularizer=None, constraint=None,
                   name: str | None = None, **kwargs) -> Variable:
        """Creates a Variable owned by this layer.

        Args:
            shape: Shape tuple (default scalar).
            initializer: Initializer object or name; default "glorot_uniform"
                for float weights and "zeros" otherwise.
            dtype: Default: the layer's dtype.
            trainable: Whether training updates it (non-trainable weights such as
                BatchNormalization statistics are updated by `assign` in call).
            regularizer: Optional; its penalty on the weight joins `losses`.
            constraint: Optional; applied after each optimizer update.
            name: The weight's name; its path becomes "<layer>/<name>".
        """
        from baro import constraints, initializers

        if isinstance(shape, str):  # TF2 order: add_weight(name, shape, ...)
            name, shape = shape, initializer
            initializer = kwargs.pop("initializer", None)
        for legacy in ("aggregation", "synchronization", "use_resource",
                       "autocast", "overwrite_with_gradient"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise ValueError(f"{self.name}.add_weight: unexpected arguments {kwargs}.")
        shape = () if shape is None else tuple(int(s) for s in shape)
        dtype = standardize_dtype(dtype) if dtype is not None else self._dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        # While a model file is loaded its config decides `shape`: charge the
        # budget before the initializer allocates.
        charge_weight(self.name, shape, np.dtype(dtype).itemsize)
        # A loading file assigns every weight next: skip the random draw.
        value = np.zeros(shape, dtype) if loading() else init(shape, dtype=dtype)
        variable = Variable(value, trainable=trainable, name=name or "variable",
                            dtype=dtype, constraint=constraints.get(constraint))
        variable.path = f"{self.name}/{variable.name}"
        group = self._trainable_variables if trainable else \
            self._non_trainable_variables
        group.append(variable)
        if regularizer is not None:
            self._regularized.append((variable, regularizers.get(regularizer)))
        return variable

    @property
    def trainable(self) -> bool:
        """Freezing (`layer.trainable = False`) freezes every weight and sub-layer."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        structure_version[0] += 1
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self) -> list[Variable]:
        """All weights: this layer's (trainable first), then its sub-layers'."""
        return _unique(self._trainable_variables + self._non_trainable_variables +
                       [w for layer in self._layers for w in layer.weights])

    variables = weights

    @property
    def trainable_weights(self) -> list[Variable]:
        """The weights that training updates (empty when frozen)."""
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """The weights training leaves alone (all of them when frozen)."""
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in `weights` order."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assigns NumPy arrays to the weights, in `weights` order.

        Raises:
            ValueError: On a count or shape mismatch, naming the weight.
        """
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer {self.name!r} expects {len(own)} weight arrays, received "
                f"{len(weights)}. Weight names: {[w.path for w in own]}.")
        for variable, value in zip(own, weights, strict=True):
            value = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
            if value.shape != variable.shape:
                raise ValueError(
                    f"Layer {self.name!r}: weight {variable.path} has shape "
                    f"{variable.shape}, the provided array has shape {value.shape}.")
            variable.assign(value)

    def count_params(self) -> int:
        """Total number of scalars in the weights.

        Raises:
            ValueError: If the layer is not built yet.
        """
        if not self.built:
            raise ValueError(
                f"You tried to call count_params on layer {self.name!r}, but it is "
                "not built yet. Call it on data or build(input_shape) first.")
        return int(sum(w.size for w in self.weights))

    # -- losses --------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Adds a scalar loss Tensor (e.g. an activity penalty) to `losses`."""
        self._losses.append(as_tensor(loss))

    @property
    def losses(self) -> list[Tensor]:
        """Weight-regularization penalties plus losses added in the last call."""
        result = [reg(v) for v, reg in self._regularized]
        result += self._losses
        for layer in self._layers:
            result += layer.losses
        return result

    def _clear_losses(self) -> None:
        # On every outermost call: a plain dict write (a list is not tracked),
        # and only when there is something to clear.
        state = self.__dict__
        if state.get("_losses"):
            state["_losses"] = []
        for layer in state.get("_layers", ()):
            layer._clear_losses()

    # -- calling -------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        """The forward computation (override). Receives Tensors."""
        raise NotImplementedError(f"Layer {type(self).__name__} has no call().")

    def __call__(self, *args, **kwargs):
        if not args:
            raise TypeError(f"{self.name} must be called with its inputs.")
        inputs = args[0]
        if is_symbolic(inputs):
            return symbolic_call(self, args, kwargs)
        inputs = _to_tensors(inputs)
        if len(args) > 1:
            args = (inputs,) + tuple(_to_tensors(a) for a in args[1:])
        if not self.built:
            self._build_for(_shapes_of(inputs), args[1:], kwargs)
        mask = kwargs.pop("mask", None)
        if mask is None:  # read before autocast: a cast tensor carries no mask
            mask = _masks_of(inputs)
        if self.autocast:
            inputs = _autocast(inputs, self._dtype)
        accepted = call_context.accepted_kwargs(type(self))
        training = kwargs.pop("training", None)
        with call_context.scope(training) as (resolved, is_entry):
            if is_entry:
                self._clear_losses()
            if "training" in accepted:
                kwargs["training"] = resolved
            if "mask" in accepted and mask is not None:
                kwargs["mask"] = mask
            outputs = self.call(inputs, *args[1:], **kwargs)
        if self.activity_regularizer is not None:
            for out in _flatten(outputs):
                self.add_loss(self.activity_regularizer(out))
        _attach_masks(outputs, self.compute_mask(inputs, mask))
        return outputs

    def _build_for(self, shapes, more_args=(), kwargs=None) -> None:
        """Calls build with the first input's shape(s); a `build(self,
        query_shape, value_shape, key_shape=None)` also gets the shapes of the
        call's other tensor arguments (Keras's rule: positional, then by name)."""
        self._build_shapes_arg = shapes
        extra = call_context.build_arguments(type(self), more_args, kwargs or {})
        self.build(shapes, **extra) if extra else self.build(shapes)
        self.built = True

    def compute_output_shape(self, input_shape):
        """Output shape(s) for `input_shape` (by a dry run unless overridden)."""
        return call_context.dry_run(self, input_shape)[0]

    def compute_mask(self, inputs, mask=None):
        """Mask for the outputs; layers that pass masks through override it."""
        return mask if self.supports_masking else None

    @property
    def input(self):
        """The symbolic input(s) of the layer's first graph node."""
        return self._first_node("input").inputs

    @property
    def output(self):
        """The symbolic output(s) of the layer's first graph node."""
        return self._first_node("output").outputs

    @property
    def input_shape(self):
        """Shape of the input: from the first graph node, or the build shape."""
        if self._inbound_nodes:
            return _shapes_of(self._inbound_nodes[0].inputs)
        if self._build_shapes_arg is not None:
            return self._build_shapes_arg
        if self._input_shape_arg is not None:
            return self._input_shape_arg
        raise AttributeError(f"The layer {self.name!r} has never been called and "
                             "thus has no defined input shape.")

    @property
    def output_shape(self):
        """Shape of the output: from the first graph node, or computed."""
        if self._inbound_nodes:
            return _shapes_of(self._inbound_nodes[0].outputs)
        return self.compute_output_shape(self.input_shape)

    def _first_node(self, what: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has no inbound nodes, so it "
                                 f"has no {what}: it was never called on a "
                                 "symbolic input (keras.Input).")
        return self._inbound_nodes[0]

    # -- config --------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        """The layer's variable and compute dtype."""
        return self._dtype

    def get_config(self) -> dict:
        """Constructor arguments as JSON-ready values."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self.activity_regularizer is not None:
            from baro.saving.serialization import serialize

            config["activity_regularizer"] = serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the layer from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _unique(items: list) -> list:
    seen: set[int] = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _flatten(structure) -> list:
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in _flatten(item)]
    return [structure]


def _masks_of(inputs):
    """The masks carried by the inputs (None when none is)."""
    if isinstance(inputs, Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple)):
        masks = [_masks_of(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return None


def _attach_masks(outputs, masks) -> None:
    if masks is None:
        return
    if isinstance(outputs, Tensor):
        if not isinstance(masks, (list, tuple)):
            outputs._keras_mask = masks
        return
    if isinstance(outputs, (list, tuple)) and isinstance(masks, (list, tuple)):
        for out, m in zip(outputs, masks, strict=False):
            _attach_masks(out, m)


def _is_plain_data(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_plain_data(v) for v in value)
    return isinstance(value, (int, float, bool, np.number))


def _to_tensors(inputs):
    """NumPy arrays and nested number lists become Tensors; structures stay."""
    if isinstance(inputs, Tensor):
        return inputs
    if isinstance(inputs, (list, tuple)) and not _is_plain_data(inputs):
        return type(inputs)(_to_tensors(x) for x in inputs)
    if isinstance(inputs, dict):
        return {k: _to_tensors(v) for k, v in inputs.items()}
    if inputs is None:
        return None
    return as_tensor(inputs)


def _shapes_of(inputs):
    if isinstance(inputs, (Tensor, SymbolicTensor)):
        return tuple(inputs.shape)
    if isinstance(inputs, (list, tuple)):
        return [_shapes_of(x) for x in inputs]
    if isinstance(inputs, dict):
        return {k: _shapes_of(v) for k, v in inputs.items()}
    return None


def _autocast(inputs, dtype: str):
    if isinstance(inputs, Tensor):
        if inputs.data.dtype.kind == "f" and inputs.data.dtype != dtype:
            from baro.ops import cast

            return cast(inputs, dtype)
        return inputs
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_autocast(x, dtype) for x in inputs)
    if isinstance(inputs, dict):
        return {k: _autocast(v, dtype) for k, v in inputs.items()}
    return inputs


def _shape_to_json(shape):
    if isinstance(shape, dict):
        return {k: _shape_to_json(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        return [_shape_to_json(s) for s in shape]
    return None if shape is None else int(shape)


def _shape_from_json(shape):
    """Lists of ints/None become tuples (shapes); lists of those stay lists."""
    if isinstance(shape, dict):
        return {k: _shape_from_json(v) for k, v in shape.items()}
    if isinstance(shape, list):
        if all(s is None or type(s) is int for s in shape):
            return tuple(shape)
        return [_shape_from_json(s) for s in shape]
    raise ValueError(f"build_config: {shape!r} is not a shape.")
