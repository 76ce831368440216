"""AdditiveAttention: Bahdanau-style attention, scores from tanh(query + key)."""

from __future__ import annotations

from baro import ops
from baro.layers.attention.attention import Attention
from baro.saving.registry import register_serializable


@register_serializable()
class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    With query `q (B, Tq, dim)`, value `v (B, Tv, dim_v)` and key
    `k (B, Tv, dim)` (default `v`):

        scores[b, i, j] = sum_d scale[d] * tanh(q[b, i, d] + k[b, j, d])
        weights = softmax(scores - 1e9 * (1 - mask), axis=-1)
        output[b, i] = sum_j dropout(weights)[b, i, j] * v[b, j]

    `scale` is a trainable vector of shape `(dim,)` (Glorot-uniform) when
    `use_scale=True`, else 1. Masks, causal masking, dropout and the returned
    weights behave as in `Attention`.

    Args:
        use_scale: Create the trainable `scale` vector (default True).
        dropout: Dropout rate on the attention weights during training.
        seed: Optional int for reproducible dropout.
        **kwargs: Base Layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`.
        mask: Optional `[query_mask (B, Tq), value_mask (B, Tv)]`; default: the
            inputs' Keras masks.
        training: Apply dropout (default: inference).
        return_attention_scores: Also return the attention weights `(B, Tq, Tv)`.
        use_causal_mask: Query position i attends only to key positions <= i.

    Input shape:
        query `(B, Tq, dim)`, value `(B, Tv, dim_v)`, key `(B, Tv, dim)`.

    Output shape:
        `(B, Tq, dim_v)` (and the weights `(B, Tq, Tv)` if requested).

    Example:
        >>> import numpy as np
        >>> from baro.layers.attention.additive_attention import AdditiveAttention
        >>> layer = AdditiveAttention()
        >>> out = layer([np.ones((2, 3, 4), "float32"), np.ones((2, 5, 4), "float32")])
        >>> out.shape, layer.count_params()
        ((2, 3, 4), 4)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, seed=None,
                 **kwargs) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape, what="input shape")
        dim = input_shape[0][-1]
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(dim,), initializer="glorot_uniform",
                                         name="scale")
        self.built = True

    def _calculate_scores(self, query, key):
        """`sum(scale * tanh(q_i + k_j))` over the features: `(B, Tq, Tv)`."""
        # (B, Tq, 1, dim) + (B, 1, Tv, dim) -> (B, Tq, Tv, dim).
        pairs = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.scale is not None:
            pairs = self.scale * pairs
        return ops.sum(pairs, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
