"""Text classification with an LSTM: is a short review positive or negative?

The reviews are generated (offline): filler words, one sentiment word, and
sometimes "not" in front of it, which flips the meaning, so word order matters
and a bag of words cannot solve it. Tokenizer -> pad_sequences ->
Embedding(mask_zero=True) -> LSTM -> Dense(sigmoid).

    python examples/text_classification.py           # asserts >= 90% on new reviews
    python examples/text_classification.py --quick
"""

import sys

import numpy as np

import baro
from baro.keras import Sequential, layers
from baro.keras.optimizers import Adam
from baro.utils import Tokenizer, pad_sequences

POSITIVE = "great wonderful excellent good loved amazing fun moving".split()
NEGATIVE = "terrible awful bad boring hated poor dull weak".split()
FILLER = "the movie film plot acting was really quite and story i it so".split()


def make_reviews(n: int, seed: int):
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        words = list(rng.choice(FILLER, size=rng.integers(3, 9)))
        positive = rng.random() < 0.5
        sentiment = rng.choice(POSITIVE if positive else NEGATIVE)
        negated = rng.random() < 0.4
        phrase = ["not", sentiment] if negated else [sentiment]
        at = int(rng.integers(0, len(words) + 1))
        words[at:at] = phrase
        texts.append(" ".join(words))
        labels.append(int(positive != negated))
    return texts, np.array(labels, dtype="float32")


def main(argv: list[str]) -> float:
    quick = "--quick" in argv
    baro.utils.set_random_seed(0)
    train_texts, y_train = make_reviews(1000 if quick else 4000, seed=0)
    test_texts, y_test = make_reviews(500, seed=1)
    tokenizer = Tokenizer(oov_token="<unk>")
    tokenizer.fit_on_texts(train_texts)
    x_train = pad_sequences(tokenizer.texts_to_sequences(train_texts), maxlen=12)
    x_test = pad_sequences(tokenizer.texts_to_sequences(test_texts), maxlen=12)
    model = Sequential([
        layers.Embedding(len(tokenizer.word_index) + 1, 16, mask_zero=True),
        layers.LSTM(32),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=4 if quick else 10, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"accuracy on 500 new reviews: {accuracy:.3f} (loss {loss:.3f})")
    score = float(model.predict(x_test[:1], verbose=0)[0, 0])
    print(f'"{test_texts[0]}" -> {score:.2f} (label {int(y_test[0])})')
    target = 0.75 if quick else 0.90
    if accuracy < target:
        raise SystemExit(f"accuracy {accuracy:.3f} below the target {target}")
    return accuracy


if __name__ == "__main__":
    main(sys.argv[1:])
