#!/usr/bin/env python3
"""ONNX side of the interop check, with Debian's python3-onnx:

    check_onnx.py check FILE.onnx...        onnx.checker.check_model (full check, with shape inference) on each file
    check_onnx.py compare A.json B.json     two `cnnlab predict --json --top-k <classes>` outputs (ONNX Runtime and
                                            libtorch) agree to TOLERANCE, with the same top class
"""
import json
import sys

import numpy as np

TOLERANCE = 1e-5


def check(paths):
    import onnx
    for path in paths:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        metadata = {p.key: p.value for p in model.metadata_props}
        print(f"{path}: onnx.checker passed (onnx {onnx.__version__}, IR {model.ir_version}, opset {opsets}, "
              f"{len(model.graph.node)} nodes; metadata {sorted(metadata)})")


def probabilities(path):
    with open(path) as f:
        predictions = json.load(f)
    classes = len(predictions[0]["top"])
    table = np.zeros((len(predictions), classes))
    for row, prediction in enumerate(predictions):
        for entry in prediction["top"]:
            table[row, entry["label"]] = entry["probability"]
    return table


def compare(a, b):
    left, right = probabilities(a), probabilities(b)
    if left.shape != right.shape:
        sys.exit(f"{a} and {b}: {left.shape} and {right.shape} predictions")
    difference = np.abs(left - right).max()
    agree = (left.argmax(1) == right.argmax(1)).mean()
    print(f"{a} vs {b}: {left.shape[0]} images, max difference {difference:.2e}, top-1 agreement {agree:.0%}")
    if not difference <= TOLERANCE or agree < 1:
        sys.exit(f"{a} and {b} differ: {difference:.2e} (tolerance {TOLERANCE}), top-1 agreement {agree:.2%}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
