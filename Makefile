# Two entry points for a fresh Debian 12 machine: `make run` and `make test`.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
VELA := $(BUILD_DIR)/vela

.PHONY: setup web build run test unit e2e asan tsan fuzz fuzz-campaign clean

setup:
	bash scripts/setup

web: setup
	cd web && npm run build --silent

build: web
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

run: build
	@echo "Publish: ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine -c:v libx264 -g 60 -c:a aac -f flv rtmp://127.0.0.1:1935/live/demo"
	@echo "   or:   ffmpeg ... -f mpegts \"srt://127.0.0.1:9000?streamid=publish:live/demo\""
	@echo "Watch:   http://127.0.0.1:8080/watch/demo"
	$(VELA) serve

unit: build
	ctest --preset $(PRESET) -j2

e2e: build
	cd tests/e2e && VELA_BIN=$(CURDIR)/$(VELA) node --test --test-concurrency=1

test: unit e2e

# Sanitizer build of the unit tests and fuzz corpus replays, and the shutdown end-to-end
# test against the sanitized binary (a use-after-free or leak on that path fails it).
asan: web
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	ctest --preset asan -j2
	cd tests/e2e && VELA_BIN=$(CURDIR)/build/asan/vela node --test --test-concurrency=1 shutdown.test.mjs

# ThreadSanitizer build: the unit tests, then end-to-end runs of the server with four shards
# on two cores (RTMP, SRT and WHIP publishers, LL-HLS, WHEP and SRT viewers, Chromium and
# aiortc, a restream, transcoding, shutdown mid-stream). Any data race report fails it.
TSAN_E2E = shutdown.test.mjs transcode.test.mjs webrtc.test.mjs
tsan: web
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan
	ctest --preset tsan -j2
	cd tests/e2e && VELA_BIN=$(CURDIR)/build/tsan/vela VELA_SHARDS=4 SHUTDOWN_ROUNDS=4 \
	  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  node --test --test-concurrency=1 $(TSAN_E2E)

# libFuzzer targets (clang); run one with e.g. build/fuzz/tests/fuzz/fuzz_rtmp_chunk -max_total_time=60
# (UBSan's -fsanitize=function is left out: clang 14 cannot emit it for coroutines, "Cannot
# represent a difference across sections".)
fuzz: web
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz

# Every libFuzzer target for MINUTES minutes on its corpus, JOBS at a time; coverage-adding
# inputs are merged into tests/fuzz/corpus, and any finding fails it (see docs/TESTING.md).
MINUTES ?= 10
JOBS ?= 1
fuzz-campaign: web
	scripts/fuzz-campaign $(MINUTES) $(JOBS)

clean:
	rm -rf build web/dist
