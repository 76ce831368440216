"""Attention: dot-product (Luong-style) attention over a query and a value."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.random import SeedGenerator
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    With query `q (B, Tq, dim)`, value `v (B, Tv, dim_v)` and key
    `k (B, Tv, dim)` (default `v`):

        scores[b, i, j] = scale * <q[b, i], k[b, j]>                  ("dot")
        scores[b, i, j] = w * sum_d tanh(scale * (q[b, i, d] + k[b, j, d]))
                                                                      ("concat")
        weights = softmax(scores - 1e9 * (1 - mask), axis=-1)
        output[b, i] = sum_j dropout(weights)[b, i, j] * v[b, j]

    `scale` and `w` are trainable scalars (initialized to 1) created when
    `use_scale=True`, respectively `score_mode="concat"`; otherwise
    scale = w = 1. Masked keys get a weight of exactly 0; outputs at masked
    query positions are 0.

    Args:
        use_scale: Create a trainable scalar `scale` for the scores.
        score_mode: "dot" (default) or "concat" (tanh of the sum).
        dropout: Dropout rate on the attention weights during training.
        seed: Optional int for reproducible dropout.
        **kwargs: Base Layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`.
        mask: Optional `[query_mask (B, Tq), value_mask (B, Tv)]`; default: the
            inputs' Keras masks.
        training: Apply dropout (default: inference).
        return_attention_scores: Also return the attention weights (after
            masking, softmax and dropout), `(B, Tq, Tv)`.
        use_causal_mask: Query position i attends only to key positions <= i.

    Input shape:
        query `(B, Tq, dim)`, value `(B, Tv, dim_v)`, key `(B, Tv, dim)`.

    Output shape:
        `(B, Tq, dim_v)` (and the weights `(B, Tq, Tv)` if requested).

    Example:
        >>> import numpy as np
        >>> from baro.layers.attention.attention import Attention
        >>> query = np.array([[[1.0, 0.0], [0.0, 1.0]]], "float32")
        >>> key = np.array([[[0.0, 1.0], [1.0, 0.0]]], "float32")
        >>> value = np.array([[[1.0, 2.0], [3.0, 4.0]]], "float32")
        >>> out, weights = Attention()([query, value, key],
        ...                            return_attention_scores=True)
        >>> print(np.round(weights.numpy(), 3))
        [[[0.269 0.731]
          [0.731 0.269]]]
        >>> print(np.round(out.numpy(), 3))
        [[[2.462 3.462]
          [1.538 2.538]]]
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot",
                 dropout: float = 0.0, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument score_mode. "
                f"Expected one of {{'dot', 'concat'}}. Received: "
                f"score_mode={score_mode!r}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"{type(self).__name__}: dropout must be in [0, 1), "
                             f"received dropout={dropout!r}.")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape, what="input shape")
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                shape=(), initializer="ones", name="concat_score_weight")
        self.built = True

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query = inputs[0]
        value = ops.convert_to_tensor(inputs[1])
        key = ops.convert_to_tensor(inputs[2]) if len(inputs) > 2 else value
        if query.ndim != 3 or value.ndim != 3 or key.ndim != 3 or \
                key.shape[1] != value.shape[1]:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects query (batch, Tq, "
                "dim), value (batch, Tv, dim_v) and key (batch, Tv, dim); received "
                f"shapes {[tuple(x.shape) for x in inputs]}.")
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._calculate_score_mask(scores, value_mask, use_causal_mask)
        result, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            keep = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
            result = result * ops.cast(keep, result.dtype)
        if return_attention_scores:
            return result, weights
        return result

    def _calculate_scores(self, query, key):
        """Scores `(B, Tq, Tv)` of every query against every key."""
        if self.score_mode == "dot":
            scores = query @ ops.transpose(key, (0, 2, 1))
            if self.scale is not None:
                scores = scores * self.scale
            return scores
        # "concat": (B, Tq, 1, dim) + (B, 1, Tv, dim) -> (B, Tq, Tv, dim).
        pairs = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * ops.sum(ops.tanh(pairs), axis=-1)

    def _calculate_score_mask(self, scores, value_mask, use_causal_mask):
        """Which (query, key) pairs may attend: `(B, 1, Tv)`, `(1, Tq, Tv)` or
        `(B, Tq, Tv)`, or None."""
        if value_mask is not None:
            value_mask = ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        if not use_causal_mask:
            return value_mask
        tq, tv = scores.shape[-2], scores.shape[-1]
        # Position i attends to positions j <= i.
        causal = ops.convert_to_tensor(np.tri(tq, tv, dtype=bool)[None])
        if value_mask is None:
            return causal
        return ops.logical_and(value_mask, causal)

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        """Softmax over the keys (masked), dropout, then the weighted values."""
        if scores_mask is not None:
            # Keras's additive bias; 65504 is the largest float16.
            max_value = 65504.0 if scores.dtype == "float16" else 1.0e9
            padding = ops.cast(ops.logical_not(scores_mask), scores.dtype)
            scores = scores - max_value * padding
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = ops.dropout(weights, self.dropout, seed=self.seed_generator)
        return weights @ value, weights

    def compute_mask(self, inputs, mask=None):
        """The output keeps the query's mask."""
        if not mask:
            return None
        return mask[0]

    def _validate_inputs(self, inputs, mask=None, what: str = "inputs") -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not inputs or \
                isinstance(inputs[0], (int, np.integer, type(None))):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: {what}={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely "
                "[query, value] or [query, value, key]. Received length: "
                f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, "
                    f"value_mask]. Received: mask={mask}.")
            if not 2 <= len(mask) <= 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. Received "
                    f"a list of length {len(mask)}.")

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout,
                "seed": self.seed}
