#!/usr/bin/env bash
# The ONNX sample (samples/OnnxClassify: ONNX Runtime and ImageSharp, no libtorch, no CnnLab) published for linux-x64,
# run on Fashion-MNIST test PNGs with a model CnnLab trained and exported; it must name the classes `cnnlab predict`
# names, with the same probabilities to the 4 decimals it prints. Prints the published folder's size.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cli() { dotnet run -c Release --no-build --project src/CnnLab.Cli -- "$@"; }

dotnet build src/CnnLab.Cli -c Release -v quiet -nologo > /dev/null
cli train --model m2-leaky --epochs 1 --limit 6000 --save "$work/model.safetensors" > /dev/null
cli export "$work/model.safetensors" --format onnx --out "$work" --name fashion > /dev/null
cli data export fashion-mnist --count 20 --split test --out "$work/png" > /dev/null

dotnet publish samples/OnnxClassify -c Release -r linux-x64 --self-contained false -o "$work/app" -v quiet -nologo > /dev/null
if find "$work/app" -iname '*torch*' | grep . > /dev/null; then
  echo "samples/OnnxClassify: the published app carries libtorch" >&2
  exit 1
fi
echo "samples/OnnxClassify published (framework-dependent, linux-x64): $(du -sh "$work/app" | cut -f1), $(find "$work/app" -type f | wc -l) files"

"$work/app/OnnxClassify" "$work/fashion.onnx" "$work"/png/*.png > "$work/sample.txt"
cli predict "$work/model.safetensors" "$work"/png/*.png --engine libtorch --json > "$work/cnnlab.json"
cat "$work/sample.txt"
python3 - "$work/sample.txt" "$work/cnnlab.json" <<'PY'
import json, sys
sample = dict(line.split(": ", 1) for line in open(sys.argv[1]).read().splitlines())
cnnlab = {p["file"]: p["top"][0] for p in json.load(open(sys.argv[2]))}
right = 0
for file, top in sample.items():
    name, probability = top.split(", ")[0].rsplit(" ", 1)
    expected = cnnlab[file]
    if name != expected["class"] or abs(float(probability) - expected["probability"]) > 1e-4:
        sys.exit(f"{file}: the sample says {name} {probability}, cnnlab predict {expected['class']} {expected['probability']:.4f}")
    # data export names each PNG by its class: test-00000-ankle-boot.png
    right += file.endswith("-" + name.lower().replace("/", "-").replace(" ", "-") + ".png")
print(f"samples/OnnxClassify: {len(sample)} test PNGs, the same top class and probability as `cnnlab predict`; {right} of {len(sample)} are their true class")
PY
