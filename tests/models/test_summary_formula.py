"""`model.summary(show_formula=True)`: the weight-count sum learners do by hand."""

import re

from baro.keras import Input, Model, Sequential, layers
from baro.models.summary import param_formula
from baro.utils.summary_utils import sum_terms


def _total(formula: str) -> int:
    """The number after "=", as printed ("401,920" -> 401920)."""
    return int(formula.rsplit("=", 1)[1].replace(",", ""))


def _evaluate(formula: str) -> int:
    """The left-hand side computed as arithmetic ("x" is multiplication)."""
    expression = formula.rsplit("=", 1)[0].replace("x", "*")
    if not re.fullmatch(r"[\d\s+*()]+", expression):
        raise ValueError(expression)
    return eval(expression)  # noqa: S307 - digits, +, * and parentheses only


def test_dense_formula_is_inputs_times_units_plus_units():
    model = Sequential([Input((784,)), layers.Dense(512), layers.Dense(10)])
    assert param_formula(model.layers[0]) == "784 x 512 + 512 = 401,920"
    assert param_formula(model.layers[1]) == "512 x 10 + 10 = 5,130"


def test_formulas_of_common_layers_match_count_params():
    cases = [
        (layers.Conv2D(32, 3), (28, 28, 1), "3 x 3 x 1 x 32 + 32 = 320"),
        (layers.BatchNormalization(), (64,), "4 x 64 = 256"),
        (layers.LayerNormalization(), (64,), "2 x 64 = 128"),
        (layers.LSTM(16), (10, 8), "4 x (16 x (8 + 16) + 16) = 1,600"),
        (layers.GRU(4), (10, 16), "3 x (4 x (16 + 4) + 2 x 4) = 264"),
        (layers.SimpleRNN(3), (10, 4), "3 x (4 + 3) + 3 = 24"),
        (layers.Bidirectional(layers.LSTM(3)), (10, 3),
         "2 x (4 x (3 x (3 + 3) + 3)) = 168"),
        (layers.Embedding(1000, 64), (20,), "1000 x 64 = 64,000"),
        (layers.Dense(5, use_bias=False), (7,), "7 x 5 = 35"),
    ]
    for layer, shape, expected in cases:
        Sequential([Input(shape), layer])
        formula = param_formula(layer)
        assert formula == expected, (type(layer).__name__, formula)
        assert _total(formula) == _evaluate(formula) == layer.count_params()


def test_every_formula_adds_up_for_attention_and_nested_models():
    inner = Sequential([Input((16,)), layers.Dense(8), layers.Dense(4)])
    x = Input((16,))
    seq = Input((5, 16))
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=8)
    model = Model([x, seq], [inner(x), attention(seq, seq)])
    for layer in model.layers:
        formula = param_formula(layer)
        if formula == "-":
            assert layer.count_params() == 0
            continue
        assert _total(formula) == _evaluate(formula) == layer.count_params()
    assert param_formula(inner) == "16 x 8 + 8 + 8 x 4 + 4 = 172"


def test_summary_shows_the_column_only_when_asked(capsys):
    model = Sequential([Input((784,)), layers.Dense(512, activation="relu"),
                        layers.Dense(10)])
    model.summary()
    plain = capsys.readouterr().out
    assert "formula" not in plain and "784 x 512" not in plain
    model.summary(show_formula=True)
    out = capsys.readouterr().out
    assert "Param formula" in out
    assert "784 x 512 + 512 = 401,920" in out
    assert "512 x 10 + 10 = 5,130" in out
    assert "Total params: 407,050" in out


def test_summary_formula_works_with_the_other_columns(capsys):
    a = Input((2,), name="left")
    b = Input((2,), name="right")
    model = Model([a, b], layers.Dense(3, name="out")(layers.Concatenate()([a, b])))
    model.summary(show_formula=True, show_trainable=True)
    out = capsys.readouterr().out
    assert "Connected to" in out and "Trainable" in out
    assert "4 x 3 + 3 = 15" in out


def test_sum_terms_groups_equal_terms():
    assert sum_terms([("64", 64)] * 4) == ("4 x 64", 256)
    assert sum_terms([("3 x 4", 12), ("4", 4), ("3 x 4", 12)]) == \
        ("2 x (3 x 4) + 4", 28)
