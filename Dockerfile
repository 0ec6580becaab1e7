# The image a Kubernetes Indexed Job runs (cnnlab study --kubernetes): the published CLI with its libtorch, the
# .NET runtime, Fashion-MNIST and the report's fonts. Build from the repository's root:
#   docker build -t registry.example/cnnlab:0.1 .    then push it where the cluster pulls from.
# Not built in CI (no container engine on the CI machines); the manifest is checked against Kubernetes' own model types.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/CnnLab.Cli -c Release -r linux-x64 --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
# libgomp and libstdc++ for libtorch, fontconfig and DejaVu for the report charts, Debian's Fashion-MNIST so pods
# need no download (other datasets: mount them, or let CnnLab download them into ~/.cnnlab/datasets).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgomp1 libfontconfig1 fonts-dejavu-core dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /opt/cnnlab
RUN printf '#!/bin/sh\nexec dotnet /opt/cnnlab/CnnLab.Cli.dll "$@"\n' > /usr/local/bin/cnnlab && chmod +x /usr/local/bin/cnnlab
ENTRYPOINT ["cnnlab"]
