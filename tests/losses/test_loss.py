"""The Loss base: reductions, sample weights, masks, dtypes, configs and get()."""

import json

import numpy as np
import pytest

import baro
from baro import losses, ops
from baro.losses.loss import reduce_weighted_values, squeeze_or_expand_to_same_rank
from baro.testing import assert_allclose


class Identity(losses.Loss):
    """Per-sample loss = y_pred itself, so reductions can be checked by hand."""

    def call(self, y_true, y_pred):
        return y_pred


VALUES = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
WEIGHTS = np.array([1.0, 0.0, 2.0, 0.5], dtype=np.float32)


@pytest.mark.parametrize("reduction, weights, expected", [
    ("sum_over_batch_size", None, 10 / 4),
    ("mean", None, 10 / 4),
    ("sum", None, 10.0),
    ("mean_with_sample_weight", None, 10 / 4),
    ("sum_over_batch_size", WEIGHTS, (1 + 6 + 2) / 4),
    ("mean", WEIGHTS, (1 + 6 + 2) / 4),
    ("sum", WEIGHTS, 9.0),
    ("mean_with_sample_weight", WEIGHTS, 9 / 3.5),
])
def test_reductions_match_hand_computed_values(reduction, weights, expected):
    loss = Identity(reduction=reduction)(np.zeros(4), VALUES, sample_weight=weights)
    assert loss.shape == ()
    assert loss.dtype == np.float32
    assert_allclose(loss, expected, rtol=1e-6)


@pytest.mark.parametrize("reduction", [None, "none"])
def test_no_reduction_returns_weighted_per_sample_losses(reduction):
    loss = Identity(reduction=reduction)(np.zeros(4), VALUES, sample_weight=WEIGHTS)
    assert_allclose(loss, VALUES * WEIGHTS)


def test_mean_with_zero_total_weight_is_zero_not_nan():
    loss = Identity(reduction="mean_with_sample_weight")
    assert float(loss(np.zeros(4), VALUES, sample_weight=np.zeros(4))) == 0.0


def test_per_sample_weights_weigh_every_step_of_a_sequence_loss():
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = Identity(reduction="sum")(np.zeros((2, 3)), values, sample_weight=[2.0, 0.0])
    assert_allclose(out, 2 * (0 + 1 + 2))
    # A (batch, 1) weight and a per-element weight give the same sums.
    same = Identity(reduction="sum")(values, values, sample_weight=[[2.0], [0.0]])
    assert_allclose(same, 6.0)
    full = Identity(reduction="sum")(values, values,
                                     sample_weight=[[2.0] * 3, [0.0] * 3])
    assert_allclose(full, 6.0)


def test_weights_of_shape_batch_by_one_align_with_vector_losses():
    out = Identity(reduction=None)(np.zeros(4), VALUES, sample_weight=WEIGHTS[:, None])
    assert_allclose(out, (VALUES * WEIGHTS)[:, None])


def test_scalar_weight_scales_the_loss():
    assert_allclose(Identity()(np.zeros(4), VALUES, sample_weight=3.0), 7.5)


def test_bad_sample_weight_names_the_loss_and_shapes():
    with pytest.raises(ValueError, match=r"identity: sample_weight has shape \(3,\)"
                       r".*losses of shape \(4,\)"):
        Identity()(np.zeros(4), VALUES, sample_weight=np.ones(3))


def test_mask_averages_over_valid_entries_only():
    values = baro.Tensor(VALUES)
    mask = np.array([True, False, True, True])
    out = reduce_weighted_values(values, mask=mask)
    assert_allclose(out, (1 + 3 + 4) / 3)
    out = reduce_weighted_values(values, WEIGHTS, mask=mask)
    assert_allclose(out, (1 + 6 + 2) / 3)
    out = reduce_weighted_values(values, mask=mask, reduction="sum")
    assert_allclose(out, 8.0)
    out = reduce_weighted_values(values, mask=mask,
                                 reduction="mean_with_sample_weight")
    assert_allclose(out, 8 / 3)
    assert float(reduce_weighted_values(values, mask=np.zeros(4, bool))) == 0.0


def test_scalar_and_empty_losses_pass_through():
    assert float(reduce_weighted_values(baro.Tensor(2.0))) == 2.0
    assert reduce_weighted_values(baro.Tensor(np.zeros(0, np.float32))).shape == (0,)


def test_gradient_flows_through_weights_and_reduction():
    y_pred = baro.Tensor(VALUES, requires_grad=True)
    loss = Identity()(np.zeros(4), y_pred, sample_weight=WEIGHTS)
    loss.backward()
    assert_allclose(y_pred.grad, WEIGHTS / 4)


def test_y_true_takes_y_pred_float_dtype_and_ints_become_floatx():
    seen = {}

    class Spy(losses.Loss):
        def call(self, y_true, y_pred):
            seen["dtypes"] = (y_true.dtype, y_pred.dtype)
            return y_pred

    Spy()([1, 2], np.array([1.0, 2.0], np.float64))
    assert seen["dtypes"] == (np.float64, np.float64)
    Spy()(np.array([1.0, 2.0]), [1, 2])
    assert seen["dtypes"] == (np.float32, np.float32)
    out = Spy(dtype="float64")([1.0], np.array([1.0], np.float32))
    assert seen["dtypes"] == (np.float64, np.float64)
    assert out.dtype == np.float64


def test_constructor_rejects_bad_reduction_and_dtype():
    with pytest.raises(ValueError, match="reduction must be one of.*'avg'"):
        Identity(reduction="avg")
    with pytest.raises(ValueError, match="dtype must be a float dtype.*int32"):
        Identity(dtype="int32")
    with pytest.raises(NotImplementedError, match="call"):
        losses.Loss()([1.0], [1.0])


def test_default_name_is_snake_case_and_repr_names_it():
    assert Identity().name == "identity"
    assert losses.BinaryFocalCrossentropy().name == "binary_focal_crossentropy"
    assert "reduction='sum'" in repr(Identity(reduction="sum"))


def test_squeeze_or_expand_to_same_rank_follows_keras():
    a = np.zeros((4,))
    b = np.zeros((4, 1))
    assert [x.shape for x in squeeze_or_expand_to_same_rank(a, b)] == [(4, 1)] * 2
    assert [x.shape for x in squeeze_or_expand_to_same_rank(b, a)] == [(4, 1)] * 2
    c = np.zeros((4, 5, 1))
    d = np.zeros((4, 5))
    assert [x.shape for x in squeeze_or_expand_to_same_rank(c, d)] == [(4, 5)] * 2
    e = np.zeros((4, 3))
    assert [x.shape for x in squeeze_or_expand_to_same_rank(a, e)] == [(4,), (4, 3)]
    only = squeeze_or_expand_to_same_rank(b, a, expand_rank_1=False)
    assert [x.shape for x in only] == [(4,), (4,)]
    tensor = squeeze_or_expand_to_same_rank(baro.Tensor(a), baro.Tensor(b))[0]
    assert isinstance(tensor, baro.Tensor)


def test_function_wrapper_aligns_ranks_and_passes_kwargs():
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=0.5, reduction=None)
    out = wrapper([0.0, 0.0], [[0.25], [2.0]])
    assert_allclose(out, [0.5 * 0.25 ** 2, 0.5 * 2.0 - 0.5 * 0.25])
    assert wrapper.name == "loss_function_wrapper"
    with pytest.raises(TypeError, match="fn must be callable"):
        losses.LossFunctionWrapper("mse")


def test_function_wrapper_config_round_trips_through_json():
    wrapper = losses.LossFunctionWrapper(losses.huber, name="h", delta=2.0)
    config = json.loads(json.dumps(losses.serialize(wrapper)))
    assert config["config"]["fn"] == "huber"
    rebuilt = losses.deserialize(config)
    assert rebuilt.fn is losses.huber and rebuilt.get_config() == wrapper.get_config()
    assert_allclose(rebuilt([[0.0]], [[3.0]]), wrapper([[0.0]], [[3.0]]))


ALIASES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error",
    "mae": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence", "huber": "huber",
    "logcosh": "log_cosh", "log_cosh": "log_cosh", "bce": "binary_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "binary_focal_crossentropy": "binary_focal_crossentropy",
    "kl_divergence": "kl_divergence", "poisson": "poisson", "hinge": "hinge",
    "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
    "cosine_similarity": "cosine_similarity",
}


@pytest.mark.parametrize("alias, function", sorted(ALIASES.items()))
def test_get_gives_functions_for_names_like_keras(alias, function):
    assert losses.get(alias) is getattr(losses, function)


def test_get_gives_instances_for_class_names_dicts_and_classes():
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    instance = losses.Hinge()
    assert losses.get(instance) is instance
    assert losses.get(None) is None
    config = {"class_name": "BinaryCrossentropy", "config": {"from_logits": True}}
    assert losses.get(config).from_logits is True
    with pytest.raises(ValueError, match="Unknown loss 'msq'. Valid names:.*mse"):
        losses.get("msq")


ALL_CLASSES = [
    losses.MeanSquaredError(), losses.MeanAbsoluteError(),
    losses.MeanAbsolutePercentageError(), losses.MeanSquaredLogarithmicError(),
    losses.Huber(delta=0.7), losses.LogCosh(reduction="sum"),
    losses.CosineSimilarity(axis=0), losses.BinaryCrossentropy(label_smoothing=0.1),
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0),
    losses.CategoricalCrossentropy(from_logits=True, axis=1),
    losses.SparseCategoricalCrossentropy(ignore_class=0),
    losses.KLDivergence(name="kl"), losses.Poisson(dtype="float64"),
    losses.Hinge(), losses.SquaredHinge(), losses.CategoricalHinge(reduction=None),
]


@pytest.mark.parametrize("loss", ALL_CLASSES, ids=lambda x: type(x).__name__)
def test_every_class_config_round_trips_through_json(loss):
    config = json.loads(json.dumps(losses.serialize(loss)))
    assert config["class_name"] == type(loss).__name__
    assert "fn" not in config["config"]
    rebuilt = losses.deserialize(config)
    assert type(rebuilt) is type(loss)
    assert rebuilt.get_config() == loss.get_config()
    assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()


def test_deserialize_accepts_a_function_name():
    assert losses.deserialize("mse") is losses.mean_squared_error
    assert losses.serialize(losses.poisson) == "poisson"


def test_losses_compose_with_ops_for_training_steps():
    w = baro.Variable([[0.5], [-0.5]])
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    y = np.array([[1.0], [0.0]], np.float32)
    loss = losses.MeanSquaredError()(y, ops.matmul(x, w))
    loss.backward()
    residual = x @ w.numpy() - y
    assert_allclose(w.grad, 2 * x.T @ residual / 2, rtol=1e-5)


def test_family_lookups_win_over_same_named_metrics():
    from baro import metrics

    config = {"class_name": "MeanSquaredError", "config": {}}
    assert isinstance(losses.deserialize(config), losses.Loss)
    assert isinstance(losses.get(config), losses.Loss)
    assert isinstance(losses.get("CosineSimilarity"), losses.Loss)
    assert isinstance(metrics.deserialize(config), metrics.Metric)
