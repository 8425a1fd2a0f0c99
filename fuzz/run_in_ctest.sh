#!/bin/bash
# The libFuzzer targets as ctest tests, each for a fixed budget (issue 17).
#   run_in_ctest.sh build SOURCE_DIR FUZZ_BUILD_DIR
#       configures and builds every fuzz target with clang in FUZZ_BUILD_DIR (a build of its
#       own: -fsanitize=fuzzer,address,undefined, no debug info, -O1), once per ctest run.
#   run_in_ctest.sh run SOURCE_DIR FUZZ_BUILD_DIR TARGET SECONDS [EXTRA_SEED_DIR...]
#       runs fuzz/fuzz_TARGET for SECONDS with a fixed seed over the seeds kept in
#       fuzz/corpus/TARGET (and any extra seed folders that exist), new inputs going to a
#       scratch folder so the repository's corpus is never changed. A crash, a leak, a
#       sanitizer report or a timeout of one input fails the test; the input that did it is
#       kept in FUZZ_BUILD_DIR/findings/TARGET/ and named in the output.
# Exit 77 (ctest's skip) when clang++ or the libFuzzer runtime is missing, or the build step
# was skipped.
set -u
mode=$1
src=$2
out=$3

if [ "$mode" = build ]; then
  if ! command -v clang++ >/dev/null 2>&1; then
    echo "SKIP: clang++ not installed (scripts/install-test-peers.sh installs it)"
    exit 77
  fi
  probe=$(mktemp -d)
  trap 'rm -rf "$probe"' EXIT
  echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
    > "$probe/t.cpp"
  if ! clang++ -fsanitize=fuzzer "$probe/t.cpp" -o "$probe/t" >/dev/null 2>&1; then
    echo "SKIP: clang++ cannot link libFuzzer (libclang-rt-dev missing)"
    exit 77
  fi
  launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1" -DSMTPPROBE_FUZZ=ON -DSMTPPROBE_TESTS=OFF \
    "${launcher[@]}" >"$out.configure.log" 2>&1 || { cat "$out.configure.log"; exit 1; }
  targets=$(cd "$src/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//')
  start=$(date +%s)
  # shellcheck disable=SC2086
  cmake --build "$out" --target $targets || exit 1
  echo "fuzz targets built in $(( $(date +%s) - start )) s: $targets"
  exit 0
fi

target=$4
seconds=$5
shift 5
binary=$out/fuzz/fuzz_$target
if [ ! -x "$binary" ]; then
  echo "SKIP: $binary not built (the fuzz build step was skipped)"
  exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
findings=$out/findings/$target
mkdir -p "$findings"
seeds=()
[ -d "$src/fuzz/corpus/$target" ] && seeds+=("$src/fuzz/corpus/$target")
for extra in "$@"; do
  [ -d "$extra" ] && seeds+=("$extra")
done
echo "fuzz_$target: ${seconds} s, seed 1, seeds from ${seeds[*]}"
"$binary" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$findings/" "$scratch" "${seeds[@]}" 2>&1 | tail -n 40
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "FAILED: fuzz_$target found an input that breaks its contract: $(ls "$findings")"
fi
exit "$status"
