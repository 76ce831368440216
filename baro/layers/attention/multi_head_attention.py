"""MultiHeadAttention: scaled dot-product attention over several learned heads."""

from __future__ import annotations

import math

import numpy as np

from baro import constraints, initializers, ops, regularizers
from baro.backend.random import SeedGenerator
from baro.layers.layer import Layer
from baro.layers.symbolic import is_symbolic
from baro.ops.attention import scaled_dot_product_attention
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


class _HeadProjection(Layer):
    """Keras's `EinsumDense` as MultiHeadAttention uses it (private).

    Contracts the last `contracted_axes` axes of the input with a kernel of
    shape `(*contracted sizes, *units)` and adds a bias of shape `units`:
    the query/key/value projections are `(dim) -> (num_heads, head_dim)`, the
    output projection `(num_heads, value_dim) -> output_shape`. Keeping the
    kernel in that layout keeps Keras's weight shapes, names and fan-in/out.
    """

    def __init__(self, contracted_axes: int, units: tuple, use_bias: bool,
                 kernel_initializer, bias_initializer, kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.contracted_axes = int(contracted_axes)
        self.units = tuple(int(u) for u in units)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        contracted = tuple(input_shape[-self.contracted_axes:])
        if any(d is None for d in contracted):
            raise ValueError(
                f"MultiHeadAttention projection {self.name!r}: the feature axes "
                f"must be known, received input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(
            shape=contracted + self.units, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self.units, initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs):
        n = self.contracted_axes
        k = math.prod(self.kernel.shape[:n])
        m = math.prod(self.units)
        lead = tuple(inputs.shape[:-n])
        # One 2-D matmul: (..., k) @ (k, m), the kernel seen flat.
        outputs = ops.reshape(inputs, lead + (k,)) @ ops.reshape(self.kernel, (k, m))
        if self.bias is not None:
            outputs = outputs + ops.reshape(self.bias, (m,))
        return ops.reshape(outputs, lead + self.units)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "contracted_axes": self.contracted_axes,
            "units": list(self.units),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }


def _positive_int(value, name: str, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
            value < 1:
        raise ValueError(
            f"MultiHeadAttention: argument `{name}` must be a positive integer, "
            f"received {name}={value!r}.")
    return int(value)


def _fresh(initializer):
    """A new instance of `initializer` with the same config.

    Keras does this per projection: an initializer without a seed draws its
    seed once and then repeats its values, so sharing one instance would give
    the query, key, value and output kernels identical starting values.
    """
    if initializer is None or not hasattr(initializer, "get_config"):
        return initializer
    return type(initializer).from_config(initializer.get_config())


@register_serializable()
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017, "Attention is all you need").

    Each head h projects the inputs, attends, and the heads are projected back:

        Q_h = query W_q[:, h] + b_q[h]      K_h = key W_k[:, h] + b_k[h]
        V_h = value W_v[:, h] + b_v[h]
        A_h = softmax(Q_h K_h^T / sqrt(key_dim) + mask bias)   (over the keys)
        output = sum_h (dropout(A_h) V_h) W_o[h] + b_o

    Masked positions get a logit of -1e9 (-3e4 in float16) and an attention
    weight of exactly 0; a query row whose keys are all masked gets all zeros.
    If `query`, `key` and `value` are the same tensor this is self-attention.

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each head for query and key.
        value_dim: Size of each head for value (default `key_dim`).
        dropout: Dropout rate on the attention weights during training.
        use_bias: Whether the four projections have biases.
        output_shape: Size (int) or shape (tuple) of the output's feature axes;
            default: the query's last axis.
        attention_axes: Axes of the query over which attention is applied
            (int or tuple); default all axes except batch and features.
        kernel_initializer: Default "glorot_uniform" (a fresh copy per kernel).
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional;
            applied to each projection, as in Keras.
        kernel_constraint, bias_constraint: Optional.
        seed: Optional int for reproducible dropout.
        **kwargs: Base Layer arguments (`name`, `dtype`, ...).

    Call arguments:
        query: `(B, T, dim)` (or `(B, *target dims, dim)`).
        value: `(B, S, dim_v)`.
        key: Optional `(B, S, dim_k)`; defaults to `value`.
        query_mask, value_mask, key_mask: Optional boolean `(B, T)` / `(B, S)`
            masks; default: the inputs' Keras masks (`_keras_mask`).
        attention_mask: Optional boolean `(B, T, S)` (True = attend); it may
            omit leading axes and may include the heads axis `(B, heads, T, S)`.
        return_attention_scores: Also return the attention weights
            (before dropout).
        training: Apply dropout (default: inference).
        use_causal_mask: Query position i attends only to key positions <= i.

    Weights (Keras order and names): `query/kernel (dim, heads, key_dim)`,
    `query/bias (heads, key_dim)`, the same for `key` and `value` (value_dim),
    then `attention_output/kernel (heads, value_dim, *output_shape)` and
    `attention_output/bias (*output_shape)`.

    Input shape:
        query `(B, T, dim)`, value `(B, S, dim_v)`, key `(B, S, dim_k)`.

    Output shape:
        `(B, T, dim)` (or `(B, T, *output_shape)`); with
        `return_attention_scores=True` also the weights `(B, heads, T, S)`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.attention.multi_head_attention import (
        ...     MultiHeadAttention)
        >>> layer = MultiHeadAttention(num_heads=2, key_dim=4)
        >>> query = np.ones((3, 8, 16), "float32")
        >>> value = np.ones((3, 10, 16), "float32")
        >>> out, scores = layer(query, value, return_attention_scores=True)
        >>> out.shape, scores.shape, layer.count_params()
        ((3, 8, 16), (3, 2, 8, 10), 552)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, seed=None,
                 **kwargs) -> None:
        # The activity regularizer belongs to the projections (as in Keras),
        # not to this layer's outputs.
        super().__init__(**kwargs)
        self.num_heads = _positive_int(num_heads, "num_heads")
        self.key_dim = _positive_int(key_dim, "key_dim")
        value_dim = _positive_int(value_dim, "value_dim", allow_none=True)
        self.value_dim = value_dim if value_dim is not None else self.key_dim
        if not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), "
                             f"received dropout={dropout!r}.")
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_shape = self._standardize_output_shape(output_shape)
        if isinstance(attention_axes, (int, np.integer)):
            attention_axes = (int(attention_axes),)
        elif attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)):
                raise ValueError(
                    "MultiHeadAttention: `attention_axes` must be an int, list or "
                    f"tuple, received attention_axes={attention_axes!r}.")
            attention_axes = tuple(int(a) for a in attention_axes)
        self.attention_axes = attention_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self.key_dim))

    @staticmethod
    def _standardize_output_shape(output_shape):
        if output_shape is None:
            return None
        if isinstance(output_shape, (int, np.integer)):
            output_shape = (output_shape,)
        if not isinstance(output_shape, (list, tuple)) or not all(
                isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0
                for d in output_shape):
            raise ValueError(
                "MultiHeadAttention: `output_shape` must be a positive int or a "
                f"tuple/list of them, received output_shape={output_shape!r}.")
        return tuple(int(d) for d in output_shape) or None

    @property
    def query_dense(self) -> Layer:
        return self._query_dense

    @property
    def key_dense(self) -> Layer:
        return self._key_dense

    @property
    def value_dense(self) -> Layer:
        return self._value_dense

    @property
    def output_dense(self) -> Layer:
        return self._output_dense

    # -- building ------------------------------------------------------------------
    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Creates the four projections (Keras's signature; Layer.__call__
        passes the shapes of the call's `query`, `value` and `key`).

        Args:
            query_shape: Shape of `query`.
            value_shape: Shape of `value` (default: `query_shape`).
            key_shape: Shape of `key` (default: `value_shape`).
        """
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        rank = len(query_shape) + 1  # rank of the projected (B, ..., heads, dim)
        self._attn_axes = self._resolve_attention_axes(rank)
        self._batch_axes = tuple(a for a in range(rank - 1)
                                 if a not in self._attn_axes)
        # (batch..., heads, attention..., dim): the heads-first attention layout.
        self._q_perm = self._batch_axes + self._attn_axes + (rank - 1,)
        self._q_inverse = tuple(int(i) for i in np.argsort(self._q_perm))

        heads = self.num_heads
        self._query_dense = self._projection(1, (heads, self.key_dim), "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._projection(1, (heads, self.key_dim), "key")
        self._key_dense.build(key_shape)
        self._value_dense = self._projection(1, (heads, self.value_dim), "value")
        self._value_dense.build(value_shape)
        output_units = self._output_shape or (query_shape[-1],)
        self._output_dense = self._projection(2, output_units, "attention_output")
        self._output_dense.build(query_shape[:-1] + (heads, self.value_dim))
        for w in self.weights:  # Keras's paths: "<layer>/query/kernel", ...
            w.path = f"{self.name}/{w.path}"
        self.built = True

    def _projection(self, contracted_axes: int, units, name: str) -> _HeadProjection:
        return _HeadProjection(
            contracted_axes, units, self.use_bias,
            kernel_initializer=_fresh(self.kernel_initializer),
            bias_initializer=_fresh(self.bias_initializer),
            kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint, dtype=self.dtype, name=name)

    def _check_shapes(self, query_shape, value_shape, key_shape) -> None:
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "MultiHeadAttention: all dimensions of `value` and `key`, except "
                f"the last one, must be equal. Received: value_shape={value_shape} "
                f"and key_shape={key_shape}.")
        if len(query_shape) < 3 or len(value_shape) != len(query_shape):
            raise ValueError(
                "MultiHeadAttention: query and value must have the same rank, at "
                "least 3 (batch, sequence..., features). Received: query_shape="
                f"{query_shape} and value_shape={value_shape}.")

    def _resolve_attention_axes(self, rank: int) -> tuple:
        if self.attention_axes is None:
            return tuple(range(1, rank - 2))
        # Negative axes count from the end of the query (rank - 1 axes).
        axes = tuple(a if a >= 0 else rank - 1 + a for a in self.attention_axes)
        if not axes or any(a < 1 or a > rank - 3 for a in axes) or \
                len(set(axes)) != len(axes):
            raise ValueError(
                f"MultiHeadAttention: attention_axes={self.attention_axes} must "
                f"name distinct axes of the query between 1 and {rank - 3} (not "
                f"the batch or feature axis) for a query of rank {rank - 1}.")
        return tuple(sorted(axes))

    # -- calling -------------------------------------------------------------------
    def __call__(self, query, value=None, key=None, **kwargs):
        # Layer.__call__ takes masks from its first argument only; Keras fills
        # each `<name>_mask` argument from that tensor's mask, so do it here.
        if value is None:
            raise ValueError(
                f"MultiHeadAttention {self.name!r} needs a `value` tensor: call it "
                "as layer(query, value) or layer(query, value, key) (pass the same "
                "tensor twice for self-attention).")
        for name, tensor in (("query", query), ("value", value), ("key", key)):
            mask = getattr(tensor, "_keras_mask", None)
            if mask is not None and kwargs.get(f"{name}_mask") is None:
                kwargs[f"{name}_mask"] = mask
        if is_symbolic([value, key]) and not is_symbolic(query):
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: `value`/`key` are symbolic "
                "(keras.Input) but `query` is not; pass an Input as the query too.")
        return super().__call__(query, value, key, **kwargs)

    def call(self, query, value, key=None, query_mask=None, value_mask=None,
             key_mask=None, attention_mask=None, return_attention_scores=False,
             training=None, use_causal_mask=False):
        value = ops.convert_to_tensor(value)
        key = value if key is None else ops.convert_to_tensor(key)
        self._check_call_shapes(query, value, key)
        attention_mask = self._compute_attention_mask(
            query, value, query_mask=query_mask, value_mask=value_mask,
            key_mask=key_mask, attention_mask=attention_mask,
            use_causal_mask=use_causal_mask)
        q = self._query_dense(query)  # (B, T, heads, key_dim)
        k = self._key_dense(key)  # (B, S, heads, key_dim)
        v = self._value_dense(value)  # (B, S, heads, value_dim)
        output, scores = self._compute_attention(
            q, k, v, attention_mask, training, return_attention_scores)
        output = self._output_dense(output)
        if query_mask is not None:
            output._keras_mask = ops.cast(query_mask, "bool")
        if return_attention_scores:
            return output, scores
        return output

    def _check_call_shapes(self, query, value, key) -> None:
        built = [(self._query_dense, query, "query"), (self._key_dense, key, "key"),
                 (self._value_dense, value, "value")]
        for projection, tensor, name in built:
            expected = projection.kernel.shape[0]
            if tensor.ndim != len(self._q_perm) - 1 or tensor.shape[-1] != expected:
                raise ValueError(
                    f"MultiHeadAttention {self.name!r} was built for a {name} of "
                    f"rank {len(self._q_perm) - 1} with {expected} features, "
                    f"received {name} of shape {tuple(tensor.shape)}. Use a new "
                    "layer for inputs of another feature size.")
        self._check_shapes(tuple(query.shape), tuple(value.shape), tuple(key.shape))

    def _compute_attention_mask(self, query, value, query_mask=None,
                                value_mask=None, key_mask=None, attention_mask=None,
                                use_causal_mask=False):
        """Merges the masks (logical AND) into one broadcastable `(B, T, S)` mask.

        The query mask becomes `(B, T, 1)`, the value and key masks `(B, 1, S)`,
        the causal mask `(1, T, S)` (lower triangular).
        """
        auto = None
        if query_mask is not None:
            auto = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = ops.expand_dims(ops.cast(mask, "bool"), -2)
                auto = mask if auto is None else ops.logical_and(auto, mask)
        if use_causal_mask:
            causal = self._causal_mask(query, value)
            auto = causal if auto is None else ops.logical_and(auto, causal)
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
            if auto is not None:
                attention_mask = ops.logical_and(attention_mask, auto)
            return attention_mask
        return auto

    def _causal_mask(self, query, value):
        if len(self._attn_axes) != 1:
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: use_causal_mask needs exactly "
                f"one attention axis, this layer attends over axes "
                f"{self._attn_axes}. Pass an explicit attention_mask instead.")
        axis = self._attn_axes[0]
        t, s = query.shape[axis], value.shape[axis]
        # Position i attends to positions j <= i: shape (1, T, S).
        return ops.convert_to_tensor(np.tri(t, s, dtype=bool)[None])

    def _compute_attention(self, query, key, value, attention_mask=None,
                           training=None, return_attention_scores=False):
        """Dot-product attention on the projected `(B, T, heads, dim)` tensors.

        Returns:
            (output `(B, T, heads, value_dim)`, weights `(B, heads, T, S)` or
            None when not requested). Other ranks follow `attention_axes`.
        """
        n = len(self._attn_axes)
        q, k, v = (ops.transpose(x, self._q_perm) for x in (query, key, value))
        lead = np.broadcast_shapes(tuple(q.shape[:-n - 1]), tuple(k.shape[:-n - 1]))
        q_sizes, k_sizes = tuple(q.shape[-n - 1:-1]), tuple(k.shape[-n - 1:-1])
        if n > 1:  # several attention axes act as one flat axis
            q, k, v = (ops.reshape(x, tuple(x.shape[:-n - 1]) + (-1, x.shape[-1]))
                       for x in (q, k, v))
        if attention_mask is not None:
            attention_mask = self._align_mask(attention_mask, lead, q_sizes, k_sizes)
        rate = self.dropout if training else 0.0
        result = scaled_dot_product_attention(
            q, k, v, mask=attention_mask, scale=self._inverse_sqrt_key_dim,
            dropout_rate=rate, seed=self.seed_generator,
            return_weights=return_attention_scores)
        output, weights = result if return_attention_scores else (result, None)
        if n > 1:
            output = ops.reshape(output, lead + q_sizes + (output.shape[-1],))
            if weights is not None:
                weights = ops.reshape(weights, lead + q_sizes + k_sizes)
        return ops.transpose(output, self._q_inverse), weights

    def _align_mask(self, mask, lead, q_sizes, k_sizes):
        """Broadcasts a `(..., T, S)` mask to the (flattened) weights' layout.

        As in Keras, missing axes are inserted just before the query axes (so a
        `(B, T, S)` mask becomes `(B, 1, T, S)`: the same for every head).
        """
        n = len(q_sizes)
        full = lead + q_sizes + k_sizes
        given = tuple(mask.shape)
        while mask.ndim < len(full):
            mask = ops.expand_dims(mask, -2 * n - 1)
        try:
            fits = np.broadcast_shapes(tuple(mask.shape), full) == full
        except ValueError:
            fits = False
        if not fits:
            target = q_sizes if n > 1 else q_sizes[0]
            source = k_sizes if n > 1 else k_sizes[0]
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: the attention mask of shape "
                f"{given} does not broadcast to the attention scores "
                f"of shape {full}. Give a boolean mask of shape (batch, {target}, "
                f"{source}) (target, source).")
        if n > 1:
            flat = lead + (math.prod(q_sizes), math.prod(k_sizes))
            mask = ops.reshape(ops.broadcast_to(mask, full), flat)
        return mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        """The output's shape: the query's, with `output_shape` as features.

        Raises:
            ValueError: If value and key differ in other than the last axis.
        """
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        return query_shape[:-1] + (self._output_shape or (query_shape[-1],))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self._output_shape,
            "attention_axes": self.attention_axes,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "activity_regularizer": serialize(self._activity_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
            "seed": self.seed,
        }
