#!/usr/bin/env bash
# Installs the Debian packages Fogline builds and tests with, only those missing.
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail
packages=(
  cmake ninja-build g++ make pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libdnnl-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libsodium-dev libzstd-dev libssl-dev openssl
  libcpp-httplib-dev libsqlite3-dev libpq-dev libpqxx-dev postgresql etcd-server prometheus git
  libopencv-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev libomp-dev
  python3-onnx python3-numpy
  time ccache curl lld
)
if [ "${FOGLINE_BENCH_DEPS:-0}" = 1 ]; then
  packages+=(python3-torch python3-torchvision wrk)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
