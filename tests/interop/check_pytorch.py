#!/usr/bin/env python3
"""PyTorch side of the interop check: a model exported by `cnnlab export` must predict as CnnLab does.

    check_pytorch.py slice IMAGES_IDX N OUT_IDX          first N images of an IDX file (gz or raw) into a raw IDX file
    check_pytorch.py compare EXPORT_DIR NAME IDX JSON    load NAME.pt (weights_only) and NAME.safetensors into the
                                                         generated NAME.py, predict the IDX images, compare with the
                                                         probabilities of `cnnlab predict --json --top-k <classes>`
    check_pytorch.py layers DIR                          every NAME.json in DIR (inputs, their shape and CnnLab's
                                                         outputs, written by the architecture test) against NAME.pt
                                                         run by the generated NAME.py: one line per layer kind
    check_pytorch.py keras EXPORT_DIR NAME EXPECTED KEY  NAME exported from a real Keras file against the numpy
                                                         reference's outputs for the file KEY in EXPECTED (its
                                                         input_values, channels-last, fed as they are)
Exits non-zero with a message when anything differs by more than TOLERANCE.
"""
import glob
import gzip
import importlib.util
import json
import os
import struct
import sys

import numpy as np
import torch

TOLERANCE = 1e-5


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08 or rank != 3:
        sys.exit(f"{path}: not an IDX file of unsigned-byte images")
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def slice_idx(source, count, target):
    images = read_idx(source)[:count]
    with open(target, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, 3) + struct.pack(">III", *images.shape))
        f.write(images.tobytes())


def read_safetensors(path):
    """A plain reader, so the check needs only numpy and torch (Debian has no python3-safetensors)."""
    types = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    header.pop("__metadata__", None)
    start = 8 + length
    state = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[start + begin : start + end], dtype=types[entry["dtype"]]).reshape(entry["shape"])
        state[name] = torch.from_numpy(array.copy())
    return state


def compare(folder, name, idx, predictions_json):
    spec = importlib.util.spec_from_file_location(name, f"{folder}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    images = torch.from_numpy(read_idx(idx).astype(np.float32) / 255.0).unsqueeze(1)
    if hasattr(module, "MEAN"):
        mean = torch.tensor(module.MEAN).reshape(1, -1, 1, 1)
        std = torch.tensor(module.STD).reshape(1, -1, 1, 1)
        images = (images - mean) / std

    # weights_only=True: torch.load refuses any pickled global other than tensors and their containers.
    from_pt = module.load(f"{folder}/{name}.pt")
    from_safetensors = module.build_model()
    from_safetensors.load_state_dict(read_safetensors(f"{folder}/{name}.safetensors"))
    from_safetensors.eval()
    with torch.no_grad():
        outputs = from_pt(images)
        outputs_safetensors = from_safetensors(images)
    if not torch.equal(outputs, outputs_safetensors):
        sys.exit(f"{name}: the .pt and .safetensors exports predict differently")
    last = list(from_pt.children())[-1]
    probabilities = outputs if isinstance(last, torch.nn.Softmax) else torch.softmax(outputs, dim=1)

    with open(predictions_json) as f:
        predictions = json.load(f)
    classes = probabilities.shape[1]
    expected = np.zeros((len(predictions), classes))
    for row, prediction in enumerate(predictions):
        if len(prediction["top"]) != classes:
            sys.exit(f"{predictions_json}: run `cnnlab predict --json --top-k {classes}` so every class is there")
        for entry in prediction["top"]:
            expected[row, entry["label"]] = entry["probability"]
    if expected.shape[0] != probabilities.shape[0]:
        sys.exit(f"{name}: {expected.shape[0]} CnnLab predictions for {probabilities.shape[0]} images")
    difference = np.abs(probabilities.double().numpy() - expected).max()
    agree = (probabilities.argmax(1).numpy() == expected.argmax(1)).mean()
    print(f"{name}: {len(predictions)} images, {classes} classes, max |PyTorch - CnnLab| = {difference:.2e}, "
          f"top-1 agreement {agree:.0%} (torch {torch.__version__})")
    if not difference <= TOLERANCE:
        sys.exit(f"{name}: PyTorch and CnnLab differ by {difference:.2e} > {TOLERANCE}")


def layers(folder):
    """The architecture test's per-layer models (Input 8x8x2, the layer, Flatten, Dense(2, softmax)) in PyTorch."""
    names = sorted(os.path.basename(p)[:-5] for p in glob.glob(f"{folder}/*.json"))
    if not names:
        sys.exit(f"{folder}: no per-layer cases; run the architecture test with CNNLAB_INTEROP_DIR set")
    worst = 0.0
    for name in names:
        with open(f"{folder}/{name}.json") as f:
            case = json.load(f)
        spec = importlib.util.spec_from_file_location(name, f"{folder}/{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        inputs = torch.tensor(case["inputs"], dtype=torch.float32).reshape(case["shape"])
        with torch.no_grad():
            outputs = module.load(f"{folder}/{name}.pt")(inputs).double().numpy().ravel()
        expected = np.array(case["outputs"])
        if outputs.shape != expected.shape:
            sys.exit(f"{name}: PyTorch gives {outputs.size} outputs, CnnLab {expected.size}")
        difference = float(np.abs(outputs - expected).max())
        worst = max(worst, difference)
        if not difference <= TOLERANCE:
            sys.exit(f"{name}: PyTorch and CnnLab differ by {difference:.2e} > {TOLERANCE}")
    print(f"{len(names)} layer kinds exported to PyTorch: max |PyTorch - CnnLab| = {worst:.2e} (torch {torch.__version__}): {', '.join(names)}")


def keras(folder, name, expected_path, key):
    """A real Keras file's export (the MLCommons ResNet: a graph with residual Adds) against numpy's forward pass."""
    with open(expected_path) as f:
        case = json.load(f)[key]
    spec = importlib.util.spec_from_file_location(name, f"{folder}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    inputs = torch.tensor(np.array(case["input_values"], dtype=np.float32)).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        outputs = module.load(f"{folder}/{name}.pt")(inputs).double().numpy()
    difference = float(np.abs(outputs - np.array(case["outputs"])).max())
    print(f"{key} exported to PyTorch: max |PyTorch - numpy| = {difference:.2e} (torch {torch.__version__})")
    if not difference <= TOLERANCE:
        sys.exit(f"{name}: PyTorch and the numpy reference differ by {difference:.2e} > {TOLERANCE}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "slice":
        slice_idx(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == "compare":
        compare(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "layers":
        layers(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == "keras":
        keras(*sys.argv[2:])
    else:
        sys.exit(__doc__)
