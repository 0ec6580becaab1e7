#!/usr/bin/env python3
"""PyTorch reference for CnnLab's speed benchmark.

Builds the notebook's models exactly as CnnLab does (Keras 'same' padding with the extra row and column of an
even kernel at the bottom and right, glorot_uniform kernels, zero biases, LeakyReLU 0.3, BatchNormalization
momentum 0.99 / epsilon 1e-3, Adam or RMSprop with Keras' defaults), trains on the same Fashion-MNIST IDX files
with batch 50 and the last 30% held out, and prints one JSON line: seconds per epoch, inference throughput
over the 10,000 test images, peak RSS, test accuracy, multiply-adds per sample.

--channels-last puts the weights and every batch in channels-last (NHWC-strided) memory, PyTorch's fastest
CPU setting: oneDNN then runs the convolutions without reordering, and padding, pooling, BatchNorm and LeakyReLU
keep the format, so the whole network stays in it up to Flatten.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(folder):
    def split(prefix):
        x = read_idx(f"{folder}/{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
        y = read_idx(f"{folder}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
        return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)
    return split("train"), split("t10k")


class SamePadConv(nn.Module):
    """Conv2D with TensorFlow's SAME padding: the odd extra row and column after."""

    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=(k - 1) // 2 if k % 2 else 0)
        self.pad = None if k % 2 else (0, 1, 0, 1) if k == 2 else ((k - 1) // 2, k // 2, (k - 1) // 2, k // 2)
        nn.init.xavier_uniform_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def forward(self, x):
        return self.conv(F.pad(x, self.pad) if self.pad else x)


def dense(cin, cout):
    layer = nn.Linear(cin, cout)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def build(name):
    blocks = [(20, 3), (40, 2), (60, 2)] if name == "m3-leaky" else [(20, 3), (40, 2)]
    bn = "bn-before" in name
    layers, cin, size = [], 1, 28
    for filters, k in blocks:
        for _ in range(2):
            layers.append(SamePadConv(cin, filters, k))
            if bn:
                layers.append(nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01))
            layers.append(nn.LeakyReLU(0.3))
            cin = filters
        layers.append(nn.MaxPool2d(2))
        size //= 2
    layers.append(nn.Flatten())
    features = cin * size * size
    for _ in range(2):
        layers.append(dense(features, 32))
        if bn:
            layers.append(nn.BatchNorm1d(32, eps=1e-3, momentum=0.01))
        layers.append(nn.LeakyReLU(0.3))
        features = 32
    layers.append(dense(32, 10))  # softmax folded into the loss, as CnnLab does after a softmax output
    return nn.Sequential(*layers)


def multiply_adds(model, sample):
    """Forward multiply-adds of convolutions and dense layers for one sample, counted by hooks on a real pass."""
    total = [0]

    def conv(module, inputs, output):
        total[0] += output[0].numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]

    def linear(module, inputs, output):
        total[0] += module.in_features * module.out_features

    hooks = [m.register_forward_hook(conv if isinstance(m, nn.Conv2d) else linear)
             for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(sample)
    for hook in hooks:
        hook.remove()
    return total[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="m3-leaky")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--eval-batch-size", type=int, default=50)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="at most N training and N test images (0: all), for a quick check")
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    (x, y), (tx, ty) = load(args.data_dir)
    split = int(np.floor(len(x) * 0.7))
    x, y = x[:split], y[:split]
    if args.limit > 0:
        x, y, tx, ty = x[:args.limit], y[:args.limit], tx[:args.limit], ty[:args.limit]
    model = build(args.model).to(memory_format=memory_format)
    macs = multiply_adds(model, tx[:1].to(memory_format=memory_format))
    if args.model.endswith("adam") or args.model in ("m3-leaky", "m2-leaky"):
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    else:
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    generator = torch.Generator().manual_seed(args.seed)

    epoch_seconds = []
    for _ in range(args.epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), args.batch_size):
            index = order[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[index].to(memory_format=memory_format)), y[index])
            loss.backward()
            optimizer.step()
            loss.item()
        epoch_seconds.append(time.perf_counter() - start)

    model.eval()
    correct = 0
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(tx), args.eval_batch_size):
            correct += (model(tx[i:i + args.eval_batch_size].to(memory_format=memory_format)).argmax(1) == ty[i:i + args.eval_batch_size]).sum().item()
    inference = time.perf_counter() - start
    print(json.dumps({
        "engine": "pytorch " + torch.__version__ + (" channels-last" if args.channels_last else ""),
        "memory_format": "channels-last" if args.channels_last else "default",
        "model": args.model,
        "threads": args.threads,
        "epoch_seconds": epoch_seconds,
        "train_samples": len(x),
        "inference_seconds": inference,
        "inference_images_per_second": len(tx) / inference,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "test_accuracy": correct / len(tx),
        "macs_per_sample": macs,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }))


if __name__ == "__main__":
    main()
