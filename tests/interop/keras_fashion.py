#!/usr/bin/env python3
"""A Keras model nobody here trained with CnnLab, on Fashion-MNIST: PyTorch trains a keras.io-style convnet for one
epoch, the script writes it as Keras would (a Keras 2 .h5 and a Keras 3 .keras: channels-last kernels, Dense rows in
Keras' height-width-channel Flatten order), and CnnLab must predict the 10,000 test images as PyTorch does.

    keras_fashion.py write DATA_DIR OUT_DIR      train; write OUT_DIR/fashion.h5, fashion.keras and reference.npy
                                                 (PyTorch's probabilities for the test images, channels-first)
    keras_fashion.py compare OUT_DIR JSON [EVAL] the probabilities of `cnnlab predict --json --top-k 10` against
                                                 reference.npy, to TOLERANCE, and top-1 agreement; with the output of
                                                 `cnnlab evaluate --json`, its accuracy against PyTorch's
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "keras"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_pytorch import read_idx  # noqa: E402
from keras_layout import sequential_config, write_h5, write_keras3  # noqa: E402

TOLERANCE = 1e-5


def read_labels(path):
    import gzip
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8)


def write(data_dir, out):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    images = torch.from_numpy(read_idx(f"{data_dir}/train-images-idx3-ubyte.gz")[:12000].astype(np.float32) / 255).unsqueeze(1)
    labels = torch.from_numpy(read_labels(f"{data_dir}/train-labels-idx1-ubyte.gz")[:12000].astype(np.int64))
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16, eps=1e-3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 6 * 6, 10))
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    model.train()
    for start in range(0, len(images), 64):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images[start:start + 64]), labels[start:start + 64])
        loss.backward()
        optimizer.step()
    model.eval()
    test = torch.from_numpy(read_idx(f"{data_dir}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    with torch.no_grad():
        reference = torch.softmax(model(test), dim=1).double().numpy()
    np.save(f"{out}/reference.npy", reference)
    test_labels = read_labels(f"{data_dir}/t10k-labels-idx1-ubyte.gz")
    accuracy = (reference.argmax(1) == test_labels).mean()
    with open(f"{out}/reference-accuracy.json", "w") as f:
        json.dump({"accuracy": accuracy}, f)

    conv1, bn, conv2, dense = model[0], model[1], model[4], model[9]
    f32 = lambda t: t.detach().numpy().astype(np.float32)
    # Keras: kernels (height, width, in, out); Dense (features, units) with features in (height, width, channels) order.
    weights = {
        "conv2d": {"kernel": f32(conv1.weight.permute(2, 3, 1, 0)), "bias": f32(conv1.bias)},
        "batch_normalization": {"gamma": f32(bn.weight), "beta": f32(bn.bias), "moving_mean": f32(bn.running_mean),
                                "moving_variance": f32(bn.running_var)},
        "conv2d_1": {"kernel": f32(conv2.weight.permute(2, 3, 1, 0)), "bias": f32(conv2.bias)},
        "dense": {"kernel": f32(dense.weight.reshape(10, 32, 6, 6).permute(2, 3, 1, 0).reshape(-1, 10)), "bias": f32(dense.bias)},
    }

    def conv(name, filters, padding, activation):
        return ("Conv2D", {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [3, 3],
                           "strides": [1, 1], "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1],
                           "groups": 1, "activation": activation, "use_bias": True, "kernel_regularizer": None,
                           "bias_regularizer": None, "activity_regularizer": None})

    def pool(name):
        return ("MaxPooling2D", {"name": name, "trainable": True, "dtype": "float32", "pool_size": [2, 2], "padding": "valid",
                                 "strides": [2, 2], "data_format": "channels_last"})

    layers = [
        ("InputLayer", {"batch_input_shape": [None, 28, 28, 1], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_1"}),
        conv("conv2d", 16, "valid", "linear"),
        ("BatchNormalization", {"name": "batch_normalization", "trainable": True, "dtype": "float32", "axis": [3], "momentum": 0.99,
                                "epsilon": 0.001, "center": True, "scale": True}),
        ("Activation", {"name": "activation", "trainable": True, "dtype": "float32", "activation": "relu"}),
        pool("max_pooling2d"),
        conv("conv2d_1", 32, "same", "relu"),
        pool("max_pooling2d_1"),
        ("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}),
        ("Dropout", {"name": "dropout", "trainable": True, "dtype": "float32", "rate": 0.3, "noise_shape": None, "seed": None}),
        ("Dense", {"name": "dense", "trainable": True, "dtype": "float32", "units": 10, "activation": "softmax", "use_bias": True}),
    ]
    write_h5(f"{out}/fashion.h5", sequential_config(layers), layers, weights)
    keras3 = [(c, dict(cfg)) for c, cfg in layers]
    keras3[0] = ("InputLayer", {"batch_shape": [None, 28, 28, 1], "dtype": "float32", "sparse": False, "name": "input_layer"})
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "dtype": "float32",
                         "layers": [{"module": "keras.layers", "class_name": c, "config": cfg, "registered_name": None} for c, cfg in keras3]},
              "build_config": {"input_shape": [None, 28, 28, 1]}}
    write_keras3(f"{out}/fashion.keras", config, keras3, weights)
    print(f"keras_fashion: trained one epoch on 12,000 images in PyTorch {torch.__version__}; test accuracy {accuracy:.4f}; "
          f"wrote fashion.h5 and fashion.keras")


def compare(out, predictions_json, evaluation_json=None):
    reference = np.load(f"{out}/reference.npy")
    with open(predictions_json) as f:
        predictions = json.load(f)
    cnnlab = np.zeros_like(reference)
    for row, prediction in enumerate(predictions):
        for entry in prediction["top"]:
            cnnlab[row, entry["label"]] = entry["probability"]
    if cnnlab.shape != reference.shape or len(predictions) != len(reference):
        sys.exit(f"{predictions_json}: {len(predictions)} predictions for {len(reference)} images")
    difference = np.abs(cnnlab - reference).max()
    agree = (cnnlab.argmax(1) == reference.argmax(1)).mean()
    print(f"{predictions_json}: {len(reference)} images, max |PyTorch - CnnLab| = {difference:.2e}, top-1 agreement {agree:.2%}")
    if not difference <= TOLERANCE:
        sys.exit(f"{predictions_json}: CnnLab and the reference differ by {difference:.2e} > {TOLERANCE}")
    if evaluation_json:
        with open(evaluation_json) as f:
            cnnlab_accuracy = json.load(f)["accuracy"]
        with open(f"{out}/reference-accuracy.json") as f:
            accuracy = json.load(f)["accuracy"]
        print(f"{evaluation_json}: test accuracy {cnnlab_accuracy:.4f}, PyTorch {accuracy:.4f}")
        if abs(cnnlab_accuracy - accuracy) > 1e-9:
            sys.exit(f"{evaluation_json}: CnnLab's accuracy {cnnlab_accuracy} is not PyTorch's {accuracy}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "compare":
        compare(*sys.argv[2:])
    else:
        sys.exit(__doc__)
