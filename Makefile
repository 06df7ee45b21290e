# tessera entry points. `make demo` and `make check` install what is
# missing, configure, build (incrementally) and then run.
BUILD_DIR ?= build
PYTHON := /usr/bin/python3
LLVM_DIR := /usr/lib/llvm-22
STAMP := $(BUILD_DIR)/.deps-installed

.PHONY: all deps configure build demo check check-lit check-unit check-python conformance-docs bench clean

all: build

$(STAMP): scripts/install-deps.sh scripts/install-ort.sh
	bash scripts/install-deps.sh
	bash scripts/install-ort.sh $(BUILD_DIR)/ort
	mkdir -p $(BUILD_DIR) && touch $@

deps: $(STAMP)

$(BUILD_DIR)/build.ninja: $(STAMP) CMakeLists.txt
	cmake -G Ninja -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit

configure: $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR)

# Compiles the bundled digits CNN into a package and runs it on the samples.
demo: build
	$(PYTHON) examples/digits/run_demo.py --output $(BUILD_DIR)/examples/digits_cnn.so

check: build
	ninja -C $(BUILD_DIR) check-tessera

# Runs the ONNX conformance suites (test/conformance) and regenerates
# test/conformance/expected-passes.txt and docs/onnx-op-support.md from the
# results. Packages are cached in $(BUILD_DIR)/conformance-cache.
conformance-docs: build
	$(PYTHON) test/conformance/run_conformance.py --bin $(BUILD_DIR)/bin \
	  --work $(BUILD_DIR)/conformance-cache \
	  --expectations test/conformance/expected-passes.txt --update-expectations \
	  --results $(BUILD_DIR)/conformance.json
	$(PYTHON) test/conformance/gen_op_table.py $(BUILD_DIR)/conformance.json \
	  -o docs/onnx-op-support.md

# Benchmarks tessera against ONNX Runtime (models at 1 and 2 threads, GEMM and
# conv microbenchmarks against the measured FMA peak); not part of `check`.
# Writes $(BUILD_DIR)/bench/bench.{md,json,png}; see benchmarks/README.md.
# Pass options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--models mlp --skip-micro".
bench: build
	$(PYTHON) benchmarks/run_benchmarks.py --bin $(BUILD_DIR)/bin \
	  --work $(BUILD_DIR)/bench $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR)
