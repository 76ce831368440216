"""Level 5: callbacks with Keras 3's hook names, driven by fit / evaluate / predict.

The model is duck-typed: callbacks use `model.stop_training`, `get_weights` /
`set_weights`, `save` / `save_weights` / `load_weights`,
`model.optimizer.learning_rate` and `model._initial_epoch`, so this folder
imports nothing from baro but `utils`.
"""

from baro.callbacks.backup_and_restore import BackupAndRestore
from baro.callbacks.callback import Callback
from baro.callbacks.callback_list import CallbackList
from baro.callbacks.csv_logger import CSVLogger
from baro.callbacks.early_stopping import EarlyStopping
from baro.callbacks.history import History
from baro.callbacks.lambda_callback import LambdaCallback
from baro.callbacks.learning_rate_scheduler import LearningRateScheduler
from baro.callbacks.model_checkpoint import ModelCheckpoint
from baro.callbacks.progbar_logger import ProgbarLogger
from baro.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from baro.callbacks.terminate_on_nan import TerminateOnNaN
from baro.callbacks.training_doctor import TrainingDoctor

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "TrainingDoctor",
]
