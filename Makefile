# kefu — thin wrappers around CMake and scripts. `make run` and `make test` install what is
# missing first (scripts/deps.sh is a no-op when everything is present).
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
LISTEN ?= 127.0.0.1:8080

MAKEFLAGS += --no-print-directory

.PHONY: all deps build kefu asan web run test unit format check-format bench fuzz clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

# Only the server binary (what `make run` needs).
kefu: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS) --target kefu

$(ASAN_BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Asan >/dev/null

asan: $(ASAN_BUILD)/Makefile
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

web:
	@node web/build.mjs

run: deps kefu web
	@bash scripts/run.sh $(BUILD)/kefu $(LISTEN)

test: deps build asan web
	@KEFU_BUILD=$(BUILD) KEFU_ASAN_BUILD=$(ASAN_BUILD) bash scripts/test.sh

unit: asan
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

check-format:
	@bash scripts/check-format.sh

bench: deps build
	@bash bench/run.sh

fuzz:
	@bash tests/fuzz/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz web/dist
