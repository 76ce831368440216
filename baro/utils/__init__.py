"""Level 0: helpers that know nothing of tensors (seeding; later naming, progress)."""

from baro.utils.seeding import get_random_seed, set_random_seed

__all__ = ["get_random_seed", "set_random_seed"]
