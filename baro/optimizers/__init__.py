"""Level 5: optimizers (`keras.optimizers`) and learning rate schedules.

Each optimizer file holds one class: hyperparameter checks, `build` (slots) and
`update_step` (the update equations, in place). The base class in optimizer.py
owns iterations, learning rate schedules, clipping and weight decay.
"""

from baro.optimizers import schedules
from baro.optimizers.adadelta import Adadelta
from baro.optimizers.adagrad import Adagrad
from baro.optimizers.adam import Adam
from baro.optimizers.adamax import Adamax
from baro.optimizers.adamw import AdamW
from baro.optimizers.lion import Lion
from baro.optimizers.nadam import Nadam
from baro.optimizers.optimizer import Optimizer
from baro.optimizers.rmsprop import RMSprop
from baro.optimizers.sgd import SGD
from baro.saving import deserialize as _deserialize
from baro.saving import get_registered_object
from baro.saving import serialize as _serialize

# Lower-case names, as `keras.optimizers.get` accepts them; class names resolve
# through the same table because lookups also try the lower-cased string.
_BY_NAME = {cls.__name__.lower(): cls for cls in (
    SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta, Lion)}


def serialize(optimizer: Optimizer) -> dict:
    """Returns `{"class_name": ..., "config": optimizer.get_config()}`.

    Example:
        >>> from baro import optimizers
        >>> optimizers.serialize(optimizers.SGD())["class_name"]
        'SGD'
    """
    return _serialize(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuilds an optimizer from `serialize`'s output (built-in names in any case).

    Raises:
        ValueError: For an unknown class name or a config that is not an optimizer.
    """
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        cls = _BY_NAME.get(config["class_name"].lower())
        if cls is not None:
            return cls.from_config(config.get("config", {}), custom_objects)
    optimizer = _deserialize(config, custom_objects, family="optimizer")
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"Could not interpret optimizer config {config!r}: it "
                         f"built a {type(optimizer).__name__}.")
    return optimizer


def get(identifier) -> Optimizer | None:
    """Resolves an optimizer identifier (`keras.optimizers.get`).

    Args:
        identifier: None; a name such as `"adam"` or `"RMSprop"` (a new instance
            with default arguments; registered custom optimizers by class name);
            a dict from `serialize`; an Optimizer class (instantiated with its
            defaults); or an Optimizer instance (returned as is).

    Raises:
        ValueError: For an unknown name or anything that is not an optimizer.

    Example:
        >>> from baro import optimizers
        >>> type(optimizers.get("adam")).__name__
        'Adam'
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower()) or get_registered_object(identifier)
        is_optimizer = isinstance(cls, type) and issubclass(cls, Optimizer)
        if is_optimizer and cls is not Optimizer:
            return cls()
        raise ValueError(f"Unknown optimizer {identifier!r}. Valid names: "
                         f"{', '.join(sorted(_BY_NAME))}.")
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. "
                     "Expected a name such as 'adam', a config dict or an Optimizer "
                     "instance.")


__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "serialize",
    "schedules",
]
