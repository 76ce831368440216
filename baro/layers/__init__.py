"""Level 6: the Layer base, symbolic tensors, and the layer families.

Every Keras 3 layer baro has, by family (one public class per file).
"""

from baro.layers.activations.elu import ELU
from baro.layers.activations.leaky_relu import LeakyReLU
from baro.layers.activations.prelu import PReLU
from baro.layers.activations.relu import ReLU
from baro.layers.activations.softmax import Softmax
from baro.layers.attention.additive_attention import AdditiveAttention
from baro.layers.attention.attention import Attention
from baro.layers.attention.multi_head_attention import MultiHeadAttention
from baro.layers.convolutional.conv1d import Conv1D
from baro.layers.convolutional.conv1d_transpose import Conv1DTranspose
from baro.layers.convolutional.conv2d import Conv2D
from baro.layers.convolutional.conv2d_transpose import Conv2DTranspose
from baro.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from baro.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from baro.layers.convolutional.separable_conv1d import SeparableConv1D
from baro.layers.convolutional.separable_conv2d import SeparableConv2D
from baro.layers.core.activation import Activation
from baro.layers.core.dense import Dense
from baro.layers.core.embedding import Embedding
from baro.layers.core.input_layer import (
    Input,
    InputLayer,
)
from baro.layers.core.lambda_layer import Lambda
from baro.layers.core.masking import Masking
from baro.layers.core.operator_layer import OperatorLayer
from baro.layers.layer import Layer
from baro.layers.merging.concatenate import (
    Concatenate,
    concatenate,
)
from baro.layers.merging.dot import (
    Dot,
    dot,
)
from baro.layers.merging.elementwise import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    maximum,
    minimum,
    multiply,
    subtract,
)
from baro.layers.normalization.batch_normalization import BatchNormalization
from baro.layers.normalization.group_normalization import GroupNormalization
from baro.layers.normalization.layer_normalization import LayerNormalization
from baro.layers.normalization.unit_normalization import UnitNormalization
from baro.layers.pooling.average_pooling1d import AveragePooling1D
from baro.layers.pooling.average_pooling2d import AveragePooling2D
from baro.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from baro.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from baro.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from baro.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from baro.layers.pooling.max_pooling1d import MaxPooling1D
from baro.layers.pooling.max_pooling2d import MaxPooling2D
from baro.layers.preprocessing.center_crop import CenterCrop
from baro.layers.preprocessing.normalization import Normalization
from baro.layers.preprocessing.random_contrast import RandomContrast
from baro.layers.preprocessing.random_flip import RandomFlip
from baro.layers.preprocessing.random_rotation import RandomRotation
from baro.layers.preprocessing.random_translation import RandomTranslation
from baro.layers.preprocessing.random_zoom import RandomZoom
from baro.layers.preprocessing.rescaling import Rescaling
from baro.layers.preprocessing.resizing import Resizing
from baro.layers.preprocessing.text_vectorization import TextVectorization
from baro.layers.regularization.activity_regularization import ActivityRegularization
from baro.layers.regularization.dropout import Dropout
from baro.layers.regularization.gaussian_dropout import GaussianDropout
from baro.layers.regularization.gaussian_noise import GaussianNoise
from baro.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
)
from baro.layers.reshaping.cropping1d import Cropping1D
from baro.layers.reshaping.cropping2d import Cropping2D
from baro.layers.reshaping.flatten import Flatten
from baro.layers.reshaping.permute import Permute
from baro.layers.reshaping.repeat_vector import RepeatVector
from baro.layers.reshaping.reshape import Reshape
from baro.layers.reshaping.up_sampling1d import UpSampling1D
from baro.layers.reshaping.up_sampling2d import UpSampling2D
from baro.layers.reshaping.zero_padding1d import ZeroPadding1D
from baro.layers.reshaping.zero_padding2d import ZeroPadding2D
from baro.layers.rnn.bidirectional import Bidirectional
from baro.layers.rnn.gru import (
    GRU,
    GRUCell,
)
from baro.layers.rnn.lstm import (
    LSTM,
    LSTMCell,
)
from baro.layers.rnn.rnn import RNN
from baro.layers.rnn.simple_rnn import (
    SimpleRNN,
    SimpleRNNCell,
)
from baro.layers.rnn.time_distributed import TimeDistributed
from baro.layers.symbolic import SymbolicTensor

__all__ = sorted(
    [
        "Activation",
        "ActivityRegularization",
        "Add",
        "AdditiveAttention",
        "Attention",
        "Average",
        "AveragePooling1D",
        "AveragePooling2D",
        "BatchNormalization",
        "Bidirectional",
        "CenterCrop",
        "Concatenate",
        "Conv1D",
        "Conv1DTranspose",
        "Conv2D",
        "Conv2DTranspose",
        "Cropping1D",
        "Cropping2D",
        "Dense",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "Dot",
        "Dropout",
        "ELU",
        "Embedding",
        "Flatten",
        "GRU",
        "GRUCell",
        "GaussianDropout",
        "GaussianNoise",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GroupNormalization",
        "Input",
        "InputLayer",
        "LSTM",
        "LSTMCell",
        "Lambda",
        "Layer",
        "LayerNormalization",
        "LeakyReLU",
        "Masking",
        "MaxPooling1D",
        "MaxPooling2D",
        "Maximum",
        "Minimum",
        "MultiHeadAttention",
        "Multiply",
        "Normalization",
        "OperatorLayer",
        "PReLU",
        "Permute",
        "RNN",
        "RandomContrast",
        "RandomFlip",
        "RandomRotation",
        "RandomTranslation",
        "RandomZoom",
        "ReLU",
        "RepeatVector",
        "Rescaling",
        "Reshape",
        "Resizing",
        "SeparableConv1D",
        "SeparableConv2D",
        "SimpleRNN",
        "SimpleRNNCell",
        "Softmax",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "Subtract",
        "TextVectorization",
        "SymbolicTensor",
        "TimeDistributed",
        "UnitNormalization",
        "UpSampling1D",
        "UpSampling2D",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "add",
        "average",
        "concatenate",
        "dot",
        "maximum",
        "minimum",
        "multiply",
        "subtract",
    ]
)

# Keras's other spellings of the same classes.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
__all__ += [
    "AvgPool1D", "AvgPool2D", "Convolution1D", "Convolution1DTranspose",
    "Convolution2D", "Convolution2DTranspose", "GlobalAvgPool1D", "GlobalAvgPool2D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "MaxPool1D", "MaxPool2D",
    "SeparableConvolution1D", "SeparableConvolution2D",
]
