#!/usr/bin/env bash
# PyTorch interop check: models trained by CnnLab, exported with `cnnlab export`, loaded by real PyTorch
# (Debian's python3-torch), must give CnnLab's probabilities on 100 Fashion-MNIST test images to 1e-5.
# Three models cover the layer kinds: the notebook's m3-leaky ('same' padding with even kernels), m2-bn-after
# (BatchNormalization) trained on standardised images, and the fast recipe (BN before ReLU, dropout); and the unit
# tests' every-layer model (even-kernel and SAME pooling padding, BatchNorm, Dropout2d, ReLU(max_value), augmentation).
# Then the other way: Keras files written from a PyTorch-trained model, imported and evaluated by CnnLab.
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-/usr/bin/python3}
images=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}/t10k-images-idx3-ubyte.gz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/CnnLab.Cli -c Release -v quiet -nologo
cli() { dotnet run -c Release --no-build --project src/CnnLab.Cli -- "$@"; }

"$python" tests/interop/check_pytorch.py slice "$images" 100 "$work/test100-idx3-ubyte"

cli train --model m3-leaky --epochs 1 --limit 2000 --save "$work/m3_leaky.safetensors" > /dev/null
cli train --model m2-bn-after --epochs 1 --limit 2000 --standardize --save "$work/m2_bn_after.safetensors" > /dev/null
cli study experiments/fast.yaml --only "fast, 4 epochs" --epochs 1 --seeds 1 --limit 2000 --out "$work/fast" > /dev/null
cp "$(find "$work/fast" -name model.safetensors | head -n 1)" "$work/fast_recipe.safetensors"

for name in m3_leaky m2_bn_after fast_recipe; do
  cli export "$work/$name.safetensors" --out "$work/export" > /dev/null
  cli predict "$work/$name.safetensors" "$work/test100-idx3-ubyte" --json --top-k 10 > "$work/$name.json"
  "$python" tests/interop/check_pytorch.py compare "$work/export" "$name" "$work/test100-idx3-ubyte" "$work/$name.json"
done
mkdir -p "$work/every"
CNNLAB_INTEROP_DIR="$work/every" dotnet test tests/CnnLab.Tests --filter "FullyQualifiedName~PyTorchExportTests" -v quiet -nologo > /dev/null
"$python" tests/interop/check_pytorch.py compare "$work/every" every_layer "$work/every/every_layer-idx3-ubyte" "$work/every/every_layer.json"

# Keras files nobody made with CnnLab: a convnet trained by PyTorch, written in Keras 2 (.h5) and Keras 3 (.keras)
# layouts; `cnnlab predict` and `evaluate` on the 10,000 Fashion-MNIST test images must give PyTorch's figures.
data=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
"$python" tests/interop/keras_fashion.py write "$data" "$work"
for file in fashion.h5 fashion.keras; do
  cli predict "$work/$file" "$data/t10k-images-idx3-ubyte.gz" --json --top-k 10 > "$work/$file.json"
  cli evaluate "$work/$file" --data-dir "$data" --json > "$work/$file.evaluate.json"
  "$python" tests/interop/keras_fashion.py compare "$work" "$work/$file.json" "$work/$file.evaluate.json"
done
echo "PyTorch interop check passed."
