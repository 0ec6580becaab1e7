#!/usr/bin/env bash
# Consumer check: a fresh console application outside the repository uses CnnLab as docs/deploy.md's "Use CnnLab from your
# own project" says, first through ProjectReferences to src/CnnLab and src/CnnLab.Studies, then through the packed
# CnnLab and CnnLab.Studies packages from a local feed. Both run samples/consumer/Program.cs (a model summary, a
# prediction, a study file's runs) and must print the same. The packages choose no libtorch: without one, the
# package build must stop with CnnLab's error CNNLAB001 naming the package to add; with it, the application runs.
# On Debian 12 this works only if the GLIBCXX_3.4.32 fix reaches an application built outside this repository (at
# load time for the reference; the package's build step as well), and TorchSharp's fallback copy of libtorch
# (bin/.../cpu, half a gigabyte) must not appear.
set -euo pipefail
# grep reads its whole input below: "grep -q" stops at the first match, and with pipefail the writer's SIGPIPE would
# fail the check at random.
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/cnnlab-consumer.XXXXXX)
# A version of its own, so NuGet's cache never hands back an earlier build of the package; removed again at the end.
version="0.1.0-consumer.$(date +%s)"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
trap 'rm -rf "$work" "$packages/cnnlab/$version" "$packages/cnnlab.studies/$version"' EXIT
torch=libtorch-cpu-linux-x64

run_consumer() { # folder: builds and runs the application, checks that no fallback folder was left
  (cd "$1" && dotnet run > output.txt)
  cat "$1/output.txt"
  if [ -e "$1/bin/Debug/net10.0/cpu" ]; then
    echo "consumer: TorchSharp's fallback folder $1/bin/Debug/net10.0/cpu was created: libtorch did not load at first" >&2
    exit 1
  fi
}

echo "== ProjectReferences to src/CnnLab and src/CnnLab.Studies"
dotnet new console -o "$work/by-reference" > /dev/null
dotnet add "$work/by-reference" reference "$repo/src/CnnLab/CnnLab.csproj" "$repo/src/CnnLab.Studies/CnnLab.Studies.csproj" > /dev/null
dotnet add "$work/by-reference" package "$torch" --version 2.10.0 > /dev/null
cp "$repo/samples/consumer/Program.cs" "$work/by-reference/Program.cs"
run_consumer "$work/by-reference"

echo "== PackageReference to CnnLab.Studies $version (and so CnnLab) from a local feed"
dotnet pack "$repo/src/CnnLab.Studies" -o "$work/feed" -p:Version="$version" -v quiet -nologo > /dev/null
dotnet pack "$repo/src/CnnLab" -o "$work/feed" -p:Version="$version" -v quiet -nologo > /dev/null
if unzip -p "$work/feed/CnnLab.$version.nupkg" CnnLab.nuspec | grep -i "<dependency id=\"libtorch" > /dev/null; then
  echo "consumer: the CnnLab package depends on a libtorch package: the packing machine chose the platform" >&2
  exit 1
fi
unzip -l "$work/feed/CnnLab.$version.nupkg" | grep "lib/net10.0/CnnLab.xml" > /dev/null || { echo "consumer: no XML docs in the package" >&2; exit 1; }
unzip -l "$work/feed/CnnLab.$version.nupkg" | grep " README.md$" > /dev/null || { echo "consumer: no readme in the package" >&2; exit 1; }
dotnet new console -o "$work/by-package" > /dev/null
dotnet add "$work/by-package" package CnnLab.Studies --version "$version" --source "$work/feed" > /dev/null
cp "$repo/samples/consumer/Program.cs" "$work/by-package/Program.cs"
if (cd "$work/by-package" && dotnet build -v quiet -nologo > build.txt 2>&1); then
  echo "consumer: the package built without a libtorch package; expected error CNNLAB001" >&2
  exit 1
fi
grep -q "error CNNLAB001: CnnLab needs libtorch's native libraries, and an application chooses them for its platform. Add <PackageReference Include=\"$torch\" Version=\"2.10.0\" />" "$work/by-package/build.txt" \
  || { echo "consumer: the build without libtorch did not stop with CNNLAB001:" >&2; cat "$work/by-package/build.txt" >&2; exit 1; }
echo "without a libtorch package the build stops with CNNLAB001, naming $torch"
dotnet add "$work/by-package" package "$torch" --version 2.10.0 > /dev/null
run_consumer "$work/by-package"

grep -q "^Total params: 15,770$" "$work/by-reference/output.txt" \
  || { echo "consumer: the summary does not say 'Total params: 15,770'" >&2; exit 1; }
grep -q "^image 0: class " "$work/by-reference/output.txt" \
  || { echo "consumer: no prediction printed" >&2; exit 1; }
grep -q "^study hello: small (adam), small rmsprop (rmsprop)$" "$work/by-reference/output.txt" \
  || { echo "consumer: the study's runs were not printed" >&2; exit 1; }
diff "$work/by-reference/output.txt" "$work/by-package/output.txt" \
  || { echo "consumer: the package and the project reference printed different results" >&2; exit 1; }
echo "consumer: both applications ran and agree"
