"""Level 6: the Layer base, symbolic tensors, and the layer families."""

from baro.layers.core.activation import Activation
from baro.layers.core.dense import Dense
from baro.layers.core.input_layer import Input, InputLayer
from baro.layers.core.lambda_layer import Lambda
from baro.layers.core.operator_layer import OperatorLayer
from baro.layers.layer import Layer
from baro.layers.merging.concatenate import Concatenate, concatenate
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
from baro.layers.regularization.dropout import Dropout
from baro.layers.reshaping.flatten import Flatten
from baro.layers.reshaping.reshape import Reshape
from baro.layers.symbolic import SymbolicTensor

__all__ = [
    "Activation", "Add", "Average", "Concatenate", "Dense", "Dropout", "Flatten",
    "Input", "InputLayer", "Lambda", "Layer", "Maximum", "Minimum", "Multiply",
    "OperatorLayer", "Reshape", "Subtract", "SymbolicTensor", "add", "average",
    "concatenate", "maximum", "minimum", "multiply", "subtract",
]
