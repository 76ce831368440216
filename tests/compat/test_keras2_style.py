"""Scripts written the way tf.keras and Keras 2 tutorials write them (our own
code), with only the import changed; each asserts its numbers.

Data: a synthetic Pima-like table (768 x 8, seeded), seeded 3-class blobs, and
baro's embedded UCI digits (8x8), blown up to 28x28 = 784 pixels where a
script expects MNIST-sized inputs.
"""

import numpy as np
import pytest

import baro as tf
import baro.config
from baro.datasets import load_digits
from baro.function import function

LR_WARNING = r"The `lr` argument is deprecated"


@pytest.fixture(scope="module")
def digits():
    (x_train, y_train), (x_test, y_test) = load_digits(return_images=True)
    return x_train, y_train, x_test, y_test


def pima_like(seed=7, n=768):
    """8 features, a 0/1 outcome from a noisy linear rule (~ 2:1 classes)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    w = rng.normal(size=8)
    y = (x @ w + 0.3 * rng.normal(size=n) > 0.4).astype("float32")
    return x, y


def to_784(images):
    """8x8 digits (0..16) -> 28x28 images flattened to 784 values in 0..1."""
    big = np.kron(images.reshape(-1, 8, 8), np.ones((3, 3)))
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))
    return (big.reshape(-1, 784) / 16.0).astype("float32")


def test_keras2_sequential_with_input_dim_on_pima_like_data():
    from baro.keras.layers import Dense
    from baro.keras.models import Sequential
    from baro.keras.optimizers import Adam

    X, Y = pima_like()
    tf.keras.utils.set_random_seed(7)
    model = Sequential()
    model.add(Dense(12, input_dim=8, activation='relu'))
    model.add(Dense(8, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    with pytest.warns(UserWarning, match=LR_WARNING):
        optimizer = Adam(lr=0.001)
    model.compile(loss='binary_crossentropy', optimizer=optimizer,
                  metrics=['accuracy'])
    history = model.fit(X, Y, epochs=30, batch_size=10, validation_split=0.2,
                        verbose=0)
    assert list(history.history) == ['loss', 'accuracy', 'val_loss',
                                      'val_accuracy']
    assert model.metrics_names == ['loss', 'accuracy']
    assert len(history.history['loss']) == 30
    assert history.history['loss'][-1] < history.history['loss'][0]
    _, accuracy = model.evaluate(X, Y, verbose=0)
    assert accuracy > 0.95
    assert history.history['val_accuracy'][-1] > 0.9
    # 768 * 0.8 = 614 training samples in batches of 10: 62 steps per epoch.
    assert int(optimizer.iterations) == 30 * 62
    predictions = (model.predict(X, verbose=0) > 0.5).astype(int)
    assert predictions.shape == (768, 1)
    assert np.mean(predictions[:, 0] == Y) == pytest.approx(accuracy, abs=1e-6)


def test_keras2_np_utils_categorical_blobs():
    from baro.keras.layers import Dense
    from baro.keras.models import Sequential
    from baro.keras.optimizers import Adam
    from baro.keras.utils import np_utils

    rng = np.random.default_rng(1)
    centres = np.array([[0, 0, 0, 0], [3, 3, 0, 0], [0, 3, 3, 3]], "float32")
    labels = rng.integers(0, 3, 300)
    X = centres[labels] + rng.normal(size=(300, 4)).astype("float32")
    dummy_y = np_utils.to_categorical(labels)
    assert dummy_y.shape == (300, 3) and dummy_y.dtype == np.float32
    tf.keras.utils.set_random_seed(1)
    model = Sequential()
    model.add(Dense(8, input_dim=4, activation='relu'))
    model.add(Dense(3, activation='softmax'))
    with pytest.warns(UserWarning, match=LR_WARNING):
        model.compile(loss='categorical_crossentropy', optimizer=Adam(lr=0.01),
                      metrics=['acc'])
    history = model.fit(X, dummy_y, epochs=20, batch_size=5, verbose=0)
    assert list(history.history) == ['loss', 'acc']  # Keras 2 keeps 'acc'
    assert model.metrics_names == ['loss', 'acc']
    assert history.history['acc'][-1] > 0.93


def test_functional_mnist_style_with_metric_functions(digits):
    x_train, y_train, x_test, y_test = digits
    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.layers.Input(shape=(784,))
    x = tf.keras.layers.Dense(64, activation='relu')(inputs)
    outputs = tf.keras.layers.Dense(10, activation='softmax')(x)
    model = tf.keras.Model(inputs=[inputs], outputs=[outputs])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
                  loss=tf.keras.losses.categorical_crossentropy,
                  metrics=[tf.keras.metrics.categorical_accuracy])
    history = model.fit(to_784(x_train), tf.keras.utils.to_categorical(y_train),
                        batch_size=32, epochs=10, validation_split=0.2, verbose=0)
    # tf.keras 2.x names a metric function by its __name__.
    assert list(history.history) == ['loss', 'categorical_accuracy', 'val_loss',
                                      'val_categorical_accuracy']
    assert model.metrics_names == ['loss', 'categorical_accuracy']
    loss, accuracy = model.evaluate(to_784(x_test),
                                    tf.keras.utils.to_categorical(y_test),
                                    verbose=0)
    assert accuracy > 0.95 and loss < 0.2
    assert model.count_params() == 784 * 64 + 64 + 64 * 10 + 10


def test_tf2_custom_training_loop_with_gradient_tape(digits):
    x_train, y_train, x_test, y_test = digits
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    tf.keras.utils.set_random_seed(0)
    assert baro.config.list_physical_devices('GPU') == []

    model = tf.keras.Sequential([
        tf.keras.layers.Dense(32, activation='relu', input_shape=(64,)),
        tf.keras.layers.Dense(10),
    ])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.Adam(learning_rate=1e-2)
    train_acc_metric = tf.keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = tf.keras.metrics.SparseCategoricalAccuracy()

    @function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights, strict=True))
        train_acc_metric.update_state(y, logits)
        return loss_value

    @function
    def test_step(x, y):
        val_acc_metric.update_state(y, model(x, training=False))

    epoch_losses = []
    batch_size = 64
    for _epoch in range(8):
        order = np.random.permutation(len(x_train))
        losses = []
        for start in range(0, len(order), batch_size):
            pick = order[start:start + batch_size]
            losses.append(float(train_step(x_train[pick], y_train[pick])))
        epoch_losses.append(np.mean(losses))
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
    test_step(x_test, y_test)
    assert epoch_losses[-1] < 0.3 * epoch_losses[0]
    assert train_acc > 0.95
    assert float(val_acc_metric.result()) > 0.93
    assert int(optimizer.iterations) == 8 * 23  # ceil(1437 / 64) steps an epoch


def test_image_data_generator_flow_feeds_fit(digits):
    from baro.keras.preprocessing.image import ImageDataGenerator

    x_train, y_train, x_test, y_test = digits
    x_train = x_train[..., None]  # (1437, 8, 8, 1), values 0..16
    x_test = x_test[..., None].astype("float32") / 16.0
    tf.keras.utils.set_random_seed(0)
    datagen = ImageDataGenerator(rotation_range=10, width_shift_range=0.1,
                                 height_shift_range=0.1, zoom_range=0.1,
                                 rescale=1.0 / 16)
    model = tf.keras.Sequential([
        tf.keras.layers.Conv2D(16, 3, padding='same', activation='relu',
                               input_shape=(8, 8, 1)),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(10, activation='softmax'),
    ])
    model.compile(optimizer='adam', loss='categorical_crossentropy',
                  metrics=['accuracy'])
    train_flow = datagen.flow(x_train, tf.keras.utils.to_categorical(y_train),
                              batch_size=32, seed=0)
    assert len(train_flow) == 45  # ceil(1437 / 32)
    history = model.fit(train_flow, epochs=10, verbose=0,
                        validation_data=(x_test,
                                         tf.keras.utils.to_categorical(y_test)))
    assert list(history.history) == ['loss', 'accuracy', 'val_loss',
                                      'val_accuracy']
    assert history.history['val_accuracy'][-1] > 0.88
    assert history.history['loss'][-1] < 0.5 * history.history['loss'][0]


def test_image_data_generator_validation_subsets_feed_fit(digits):
    from baro.keras.preprocessing.image import ImageDataGenerator

    x_train, y_train, _, _ = digits
    images = x_train[..., None]
    onehot = tf.keras.utils.to_categorical(y_train)
    datagen = ImageDataGenerator(rescale=1 / 16.0, validation_split=0.25)
    train = datagen.flow(images, onehot, batch_size=64, subset='training', seed=1)
    valid = datagen.flow(images, onehot, batch_size=64, subset='validation',
                         shuffle=False)
    assert (train.n, valid.n) == (1437 - 359, 359)  # int(1437 * 0.25) = 359
    tf.keras.utils.set_random_seed(2)
    model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(8, 8, 1)),
                                 tf.keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05),
                  loss='categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(train, validation_data=valid, epochs=5, verbose=0)
    assert history.history['val_accuracy'][-1] > 0.9
    _, accuracy = model.evaluate(valid, verbose=0)
    assert accuracy == pytest.approx(history.history['val_accuracy'][-1],
                                     abs=1e-6)
