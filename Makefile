# The two commands of the README: `make demo` and `make test`. Both install what is missing,
# configure with CMake + Ninja and build. `make test SANITIZE=1` builds the tests with clang,
# AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan/; that build also holds the
# libFuzzer targets that `make fuzz` runs.
SANITIZE ?= 0
FOGLINE_SHARED ?= $(abspath ../shared)
export FOGLINE_SHARED
JOBS ?= $(shell nproc)
# A hung test fails on its own after this long instead of eating CI's whole budget.
TEST_TIMEOUT ?= 300

ifeq ($(SANITIZE),1)
BUILD := build-asan
CMAKE_FLAGS := -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DFOGLINE_SANITIZE=ON \
  -DFOGLINE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFOGLINE_BENCH=OFF
else
BUILD := build
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release
endif

.PHONY: deps configure build test demo fuzz bench clean

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout $(TEST_TIMEOUT) -j $(JOBS) $(CTEST_ARGS)

demo: build
	$(BUILD)/fogline demo
	scripts/demo-fleet.sh --bin-dir $(BUILD)

fuzz:
	$(MAKE) configure SANITIZE=1
	cmake --build build-asan -j $(JOBS) --target fuzz_model_loader
	scripts/run-fuzz.sh build-asan/fuzz_model_loader $(or $(FUZZ_SECONDS),60)

bench: build
	bench/compare_ort.sh

clean:
	rm -rf build build-asan
