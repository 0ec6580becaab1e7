#!/usr/bin/env python3
"""PyTorch side of CnnLab's inference benchmark: the model `cnnlab export` wrote (NAME.py and NAME.pt), in inference
mode under torch.no_grad, over the 10,000 Fashion-MNIST test images scaled to [0, 1], at each batch size. Prints one
JSON line per batch size: {"batch": B, "seconds": S, "images": N, "engine": "..."}. Process start-up, loading and one
warm-up batch are not timed. --channels-last runs weights and batches in channels-last memory (oneDNN's layout).
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import read_idx  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--export", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--batch-sizes", default="1,50,1000")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    spec = importlib.util.spec_from_file_location(args.name, f"{args.export}/{args.name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load(f"{args.export}/{args.name}.pt")
    images = torch.from_numpy(read_idx(args.images).astype(np.float32) / 255.0).unsqueeze(1)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    layout = torch.channels_last if args.channels_last else torch.contiguous_format
    engine = f"torch {torch.__version__}{' channels-last' if args.channels_last else ''}"
    with torch.no_grad():
        model(images[:50].contiguous(memory_format=layout))
        for batch in (int(b) for b in args.batch_sizes.split(",")):
            start = time.perf_counter()
            for i in range(0, len(images), batch):
                model(images[i:i + batch].contiguous(memory_format=layout))
            seconds = time.perf_counter() - start
            print(json.dumps({"batch": batch, "seconds": seconds, "images": len(images), "engine": engine}), flush=True)


if __name__ == "__main__":
    main()
