#!/usr/bin/env bash
# Consumer check: a fresh console application outside the repository uses CnnLab as README's "Use CnnLab from your
# own project" says, first through a ProjectReference to src/CnnLab, then through the packed CnnLab.Library package
# from a local feed. Both run tests/consumer/Program.cs (a model summary and a prediction) and must print the same.
# On Debian 12 this works only if the GLIBCXX_3.4.32 fix reaches an application built outside this repository (at
# load time for the reference; the package's build step as well), and TorchSharp's fallback copy of libtorch
# (bin/.../cpu, half a gigabyte) must not appear.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/cnnlab-consumer.XXXXXX)
# A version of its own, so NuGet's cache never hands back an earlier build of the package; removed again at the end.
version="0.1.0-consumer.$(date +%s)"
cached="${NUGET_PACKAGES:-$HOME/.nuget/packages}/cnnlab.library/$version"
trap 'rm -rf "$work" "$cached"' EXIT

run_consumer() { # folder: builds and runs the application, checks that no fallback folder was left
  (cd "$1" && dotnet run > output.txt)
  cat "$1/output.txt"
  if [ -e "$1/bin/Debug/net10.0/cpu" ]; then
    echo "consumer: TorchSharp's fallback folder $1/bin/Debug/net10.0/cpu was created: libtorch did not load at first" >&2
    exit 1
  fi
}

echo "== ProjectReference to src/CnnLab"
dotnet new console -o "$work/by-reference" > /dev/null
dotnet add "$work/by-reference" reference "$repo/src/CnnLab/CnnLab.csproj" > /dev/null
cp "$repo/tests/consumer/Program.cs" "$work/by-reference/Program.cs"
run_consumer "$work/by-reference"

echo "== PackageReference to CnnLab.Library $version from a local feed"
dotnet pack "$repo/src/CnnLab" -o "$work/feed" -p:Version="$version" -v quiet -nologo > /dev/null
dotnet new console -o "$work/by-package" > /dev/null
dotnet add "$work/by-package" package CnnLab.Library --version "$version" --source "$work/feed" > /dev/null
cp "$repo/tests/consumer/Program.cs" "$work/by-package/Program.cs"
run_consumer "$work/by-package"

grep -q "^Total params: 15,770$" "$work/by-reference/output.txt" \
  || { echo "consumer: the summary does not say 'Total params: 15,770'" >&2; exit 1; }
grep -q "^image 0: class " "$work/by-reference/output.txt" \
  || { echo "consumer: no prediction printed" >&2; exit 1; }
diff "$work/by-reference/output.txt" "$work/by-package/output.txt" \
  || { echo "consumer: the package and the project reference printed different results" >&2; exit 1; }
echo "consumer: both applications ran and agree"
