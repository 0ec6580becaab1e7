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
  cli predict "$work/$name.safetensors" "$work/test100-idx3-ubyte" --json --top-k 10 --engine libtorch > "$work/$name.json"
  "$python" tests/interop/check_pytorch.py compare "$work/export" "$name" "$work/test100-idx3-ubyte" "$work/$name.json"
  # The same model exported to ONNX: Debian's onnx checker accepts it, ONNX Runtime predicts as libtorch does.
  cli export "$work/$name.safetensors" --format onnx --out "$work/onnx" > /dev/null
  "$python" tests/interop/check_onnx.py check "$work/onnx/$name.onnx"
  cli predict "$work/onnx/$name.onnx" "$work/test100-idx3-ubyte" --json --top-k 10 > "$work/$name.onnx.json"
  "$python" tests/interop/check_onnx.py compare "$work/$name.json" "$work/$name.onnx.json"
done
mkdir -p "$work/every"
CNNLAB_INTEROP_DIR="$work/every" dotnet test tests/CnnLab.Tests --filter "FullyQualifiedName~PyTorchExportTests|FullyQualifiedName~LayerRegistryTests" -v quiet -nologo > /dev/null
"$python" tests/interop/check_pytorch.py compare "$work/every" every_layer "$work/every/every_layer-idx3-ubyte" "$work/every/every_layer.json"
# Every layer kind's ONNX file (written by the architecture test) passes Debian's onnx checker.
"$python" tests/interop/check_onnx.py check "$work/every/every_layer.onnx" "$work"/every/layers/*.onnx
# Every layer kind's PyTorch export (also written by the architecture test) computes what CnnLab computes.
"$python" tests/interop/check_pytorch.py layers "$work/every/layers"

# A real Keras functional model (the MLCommons Tiny ResNet, three residual Adds): exported to PyTorch, real PyTorch
# computes the numpy reference's outputs; exported to ONNX, Debian's onnx checker accepts the graph.
resnet=tests/fixtures/keras-real/mlcommons__tiny__pretrainedResnet.h5
cli export "$resnet" --out "$work/resnet" --name resnet > /dev/null
"$python" tests/interop/check_pytorch.py keras "$work/resnet" resnet tests/fixtures/keras-real/expected.json \
  mlcommons__tiny__pretrainedResnet.h5
cli export "$resnet" --format onnx --out "$work/resnet" --name resnet > /dev/null
"$python" tests/interop/check_onnx.py check "$work/resnet/resnet.onnx"

# Keras files nobody made with CnnLab: a convnet trained by PyTorch, written in Keras 2 (.h5) and Keras 3 (.keras)
# layouts; `cnnlab predict` and `evaluate` on the 10,000 Fashion-MNIST test images must give PyTorch's figures.
data=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
"$python" tests/interop/keras_fashion.py write "$data" "$work"
for file in fashion.h5 fashion.keras; do
  cli predict "$work/$file" "$data/t10k-images-idx3-ubyte.gz" --json --top-k 10 --engine libtorch > "$work/$file.json"
  cli evaluate "$work/$file" --data-dir "$data" --json > "$work/$file.evaluate.json"
  "$python" tests/interop/keras_fashion.py compare "$work" "$work/$file.json" "$work/$file.evaluate.json"
  # And through ONNX: the Keras file exported to ONNX, run by ONNX Runtime, gives PyTorch's figures too.
  cli export "$work/$file" --format onnx --out "$work/onnx" --name "keras_${file%%.*}_${file##*.}" > /dev/null
  "$python" tests/interop/check_onnx.py check "$work/onnx/keras_${file%%.*}_${file##*.}.onnx"
  cli predict "$work/onnx/keras_${file%%.*}_${file##*.}.onnx" "$data/t10k-images-idx3-ubyte.gz" --json --top-k 10 > "$work/$file.onnx.json"
  "$python" tests/interop/keras_fashion.py compare "$work" "$work/$file.onnx.json"
done
echo "PyTorch and ONNX interop check passed."
