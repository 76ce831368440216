"""Keras 2's `keras.layers.convolutional`, with its old aliases
(`Convolution2D`, `Deconvolution2D`, ...) and the pooling layers it re-exported
"for backwards namespace compatibility" (`from keras.layers.convolutional import
Conv2D, MaxPooling2D`)."""

from baro.layers import (
    AveragePooling1D,
    AveragePooling2D,
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Convolution1D,
    Convolution2D,
    Convolution2DTranspose,
    Cropping1D,
    Cropping2D,
    DepthwiseConv1D,
    DepthwiseConv2D,
    MaxPooling1D,
    MaxPooling2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)

# Keras 2's names for the transposed convolution.
Deconvolution2D = Deconv2D = Conv2DTranspose

__all__ = [
    "AveragePooling1D", "AveragePooling2D", "Conv1D", "Conv1DTranspose", "Conv2D",
    "Conv2DTranspose", "Convolution1D", "Convolution2D", "Convolution2DTranspose",
    "Cropping1D", "Cropping2D", "Deconv2D", "Deconvolution2D", "DepthwiseConv1D",
    "DepthwiseConv2D", "MaxPooling1D", "MaxPooling2D", "SeparableConv1D",
    "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
    "UpSampling1D", "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D",
]
