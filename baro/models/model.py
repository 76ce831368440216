"""Model: a Layer that can be trained (Trainer) and saved."""

from __future__ import annotations

from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.training import Trainer


def _serialize_nested(value):
    """compile() arguments as JSON: lists/dicts kept, objects and functions named."""
    from baro.saving.serialization import serialize

    if isinstance(value, (list, tuple)):
        return [_serialize_nested(v) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_nested(v) for k, v in value.items()}
    return serialize(value)


def _is_functional_call(args, kwargs) -> bool:
    return "inputs" in kwargs or "outputs" in kwargs or len(args) >= 2


@register_serializable()
class Model(Trainer, Layer):
    """A trainable, savable graph of layers.

    Three ways to make one, as in Keras:

    - `Model(inputs=x, outputs=y)` with symbolic tensors from `keras.Input`
      (returns a Functional model);
    - `Sequential([...])`;
    - subclass `Model`, create layers in `__init__` and write `call()`.

    Example:
        >>> import baro
        >>> from baro.keras import Input, Model, layers
        >>> x = Input(shape=(4,))
        >>> model = Model(inputs=x, outputs=layers.Dense(2)(x))
        >>> model.predict(baro.ones((3, 4)), verbose=0).shape
        (3, 2)
    """

    def __new__(cls, *args, **kwargs):
        # The one place where a class is swapped: Model(inputs=, outputs=) must
        # give a Functional, as in Keras. Python then runs Functional.__init__
        # with the same arguments because the new object is a Model subclass.
        if cls is Model and _is_functional_call(args, kwargs):
            from baro.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got inputs/outputs; only "
                "keras.Model(inputs=..., outputs=...) builds a functional model.")
        Layer.__init__(self, **kwargs)
        self._init_trainer()

    @property
    def layers(self) -> list:
        """The model's direct sub-layers, in the order they were assigned."""
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None):
        """A layer by name or by index in `layers`.

        Raises:
            ValueError: If no layer matches, listing the names.
        """
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def summary(self, line_length=None, positions=None, print_fn=None,
                expand_nested: bool = False, show_trainable: bool = False,
                layer_range=None, show_formula: bool = False) -> None:
        """Prints layers, output shapes and parameter counts (Keras's table).

        `show_formula=True` (baro's addition) adds a column with each count's
        formula, e.g. `784 x 512 + 512 = 401,920` for a Dense layer.
        """
        from baro.models.summary import summary_text

        text = summary_text(self, line_length, show_trainable, show_formula)
        (print_fn or print)(text)

    def save(self, filepath, overwrite: bool = True,
             include_optimizer: bool = True, **kwargs) -> None:
        """Saves architecture, weights, compile settings and optimizer state.

        `model.save("m.baro")` writes baro's zip (`config.json` +
        `model.weights.safetensors`); `"m.keras"` writes a file Keras 3 loads
        (when h5py is installed). Loading never executes code
        (`baro.models.load_model`).

        Raises:
            ValueError: For `save_format="h5"`/`"tf"` or another extension.
        """
        from baro.saving.saving_api import save_model

        save_format = kwargs.pop("save_format", None)
        kwargs.pop("zipped", None)
        if save_format not in (None, "keras", "baro") or kwargs:
            raise ValueError(
                f"Model.save: save_format={save_format!r} / {sorted(kwargs)} is not "
                "supported: baro writes .baro or .keras zip files (TF SavedModel "
                "and HDF5 writing are not; ONNX: model.export(path)).")
        save_model(self, filepath, overwrite=overwrite,
                   include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Writes the weights (in `weights` order): a `.weights.safetensors` file,
        or Keras 3's `.weights.h5` layout when the name ends in `.h5`."""
        from baro.saving.saving_api import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> None:
        """Reads weights from `save_weights`'s file, a saved model, or a Keras
        `.weights.h5`/`.h5` file (matched by order; shapes checked)."""
        from baro.saving.saving_api import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs) -> str:
        """The architecture (no weights) as JSON; `json.dumps` takes `kwargs`.
        `baro.models.model_from_json` rebuilds it."""
        from baro.saving.saving_api import model_to_json

        return model_to_json(self, **kwargs)

    def export(self, filepath, format: str = "onnx", **kwargs) -> None:
        """Writes the model for inference elsewhere; `format="onnx"` (needs
        `pip install 'baro[onnx]'`) is what baro exports. See `baro.export`."""
        from baro.saving.saving_api import export_model

        export_model(self, filepath, format=format, **kwargs)

    def build(self, input_shape) -> None:
        """Creates the weights of a subclassed model by calling it once on zeros
        of `input_shape` (None axes as 2), as Keras's `Model.build` does."""
        from baro.layers.call_context import dry_run

        self.built = True  # before the call, which would otherwise build again
        self._build_shapes_arg = input_shape
        dry_run(self, input_shape)

    def _build_for(self, shapes, more_args=(), kwargs=None) -> None:
        # A subclassed model called on data builds its layers during that call;
        # only an overridden build() needs running first.
        if type(self).build is Model.build:
            self._build_shapes_arg = shapes
            self.built = True
            return
        super()._build_for(shapes, more_args, kwargs)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuilds a model; a functional config (layers + input/output
        references) gives a Functional, as `keras.Model.from_config` does."""
        if cls is Model and "layers" in config and "input_layers" in config:
            from baro.models.functional import Functional

            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**config)

    def compile_config(self) -> dict | None:
        """The arguments of `compile`, serialized (None if not compiled)."""
        from baro.saving.serialization import serialize

        if not self.compiled:
            return None
        return {"optimizer": serialize(self.optimizer),
                **{key: _serialize_nested(value)
                   for key, value in self._compile_args.items()}}
