"""Helpers for the ONNX tests: randomized weights, export, run in onnxruntime."""

import numpy as np
import pytest


def randomize(model, seed: int = 0) -> None:
    """Every weight drawn anew (biases and BatchNorm statistics too, so nothing
    is trivially zero or one); variances stay positive."""
    rng = np.random.default_rng(seed)
    for v in model.weights:
        if "variance" in v.name:
            value = rng.uniform(0.5, 1.5, v.shape)
        else:
            value = rng.normal(0.0, 0.5, v.shape)
        v.assign(value.astype(v.dtype))


def run_onnx(path, inputs: list) -> list:
    """Runs the file in onnxruntime on `inputs` (in the graph's input order)."""
    ort = pytest.importorskip("onnxruntime", exc_type=ImportError)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    assert len(names) == len(inputs)
    return session.run(None, dict(zip(names, inputs, strict=True)))


def assert_exports(model, make_inputs, tmp_path, batches=(1, 7), opset=17,
                   tol=1e-5) -> None:
    """Exports `model`, checks the file, and compares onnxruntime's outputs with
    `model.predict` for each batch size (float32 to `tol`)."""
    onnx = pytest.importorskip("onnx", exc_type=ImportError)
    import baro.export

    path = tmp_path / "model.onnx"
    baro.export.onnx(model, path, opset=opset)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    for graph_input in proto.graph.input:
        assert graph_input.type.tensor_type.shape.dim[0].dim_param == "batch"
    for batch in batches:
        inputs = make_inputs(batch)
        inputs = inputs if isinstance(inputs, list) else [inputs]
        want = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        want = want if isinstance(want, list) else [want]
        got = run_onnx(path, inputs)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            w = np.asarray(w)
            assert g.shape == w.shape, (g.shape, w.shape)
            assert g.dtype == w.dtype, (g.dtype, w.dtype)
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
