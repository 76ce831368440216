"""no_grad / enable_grad as decorators and reused instances nest correctly."""

import baro
from baro.core import grad_mode


def test_a_decorated_recursive_function_restores_recording():
    @baro.no_grad()
    def depth(n: int) -> int:
        assert not grad_mode.is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert grad_mode.is_grad_enabled()
    w = baro.Variable([1.0])
    assert (w * 2).requires_grad


def test_one_instance_entered_twice_and_mixed_with_enable_grad():
    context = baro.no_grad()
    with context:
        with context:
            assert not grad_mode.is_grad_enabled()
            with grad_mode.enable_grad():
                assert grad_mode.is_grad_enabled()
            assert not grad_mode.is_grad_enabled()
        assert not grad_mode.is_grad_enabled()
    assert grad_mode.is_grad_enabled()


def test_recording_is_per_thread():
    import threading

    seen = []
    inside = threading.Event()
    leave = threading.Event()

    def predict_without_graph():
        with baro.no_grad():
            inside.set()
            leave.wait(10)
            seen.append(grad_mode.is_grad_enabled())

    worker = threading.Thread(target=predict_without_graph)
    worker.start()
    inside.wait(10)
    w = baro.Variable([1.0])
    recorded = (w * 3).requires_grad  # this thread still records
    leave.set()
    worker.join()
    assert recorded and seen == [False] and grad_mode.is_grad_enabled()
