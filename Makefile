# Minato — the two commands a newcomer needs are `make demo` and `make test`.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DEMO_DATA ?= demo-data

.PHONY: all deps configure build demo test unit-test bench fuzz format format-check tidy asan clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)
	@ln -sfn $(PRESET)/minato build/minato
	@echo "built build/minato"

demo: build
	build/minato demo --data $(DEMO_DATA)

test: format-check build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

asan:
	$(MAKE) test PRESET=asan

bench: build
	@scripts/install-deps --bench
	scripts/run-bench $(BUILD_DIR)

fuzz: deps
	cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j $(JOBS)
	scripts/run-fuzz build/fuzz

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check: deps
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

tidy: build
	run-clang-tidy -p $(BUILD_DIR) -quiet -j $(JOBS) 'src/(?!.*_test).*\.cpp$$'

clean:
	rm -rf build
