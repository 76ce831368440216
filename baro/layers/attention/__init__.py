"""Attention layers: MultiHeadAttention, Attention (Luong), AdditiveAttention
(Bahdanau)."""
