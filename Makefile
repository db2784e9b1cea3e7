# Vigil build. Outputs go to build/ (C, BPF) and dist/ (TypeScript).
# Chain: bpf/%.bpf.c -> build/bpf/%.bpf.o -> build/skel/%.skel.h -> build/vigil-loader
.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := build

OUT      := build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
APT_PKGS := clang libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config chromium openssl nats-server

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS   := $(patsubst bpf/%.bpf.c,$(OUT)/skel/%.skel.h,$(BPF_SRCS))
BPF_HDRS    := $(wildcard bpf/*.h bpf/lib/*.h)
LOADER_SRCS := $(wildcard agent/loader/*.c)
LOADER_HDRS := $(wildcard agent/loader/*.h)
HELPER_SRCS := $(wildcard test/helpers/*.c)
HELPERS     := $(patsubst test/helpers/%.c,$(OUT)/helpers/%,$(HELPER_SRCS))
BENCH_SRCS  := $(wildcard bench/workloads/*.c)
BENCH_BINS  := $(patsubst bench/workloads/%.c,$(OUT)/bench/%,$(BENCH_SRCS))
TS_SRCS     := $(shell find proto/src agent/src control-plane/src cli -name '*.ts' 2>/dev/null)

CFLAGS      ?= -O2 -g -Wall -Wextra -Wno-unused-parameter
BPF_CFLAGS  := -O2 -g -Wall -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -Ibpf/lib

.PHONY: all build deps apt-deps npm-deps bpf loader ts helpers test run bench clean vmlinux

all build: deps bpf loader helpers ts

# --- setup -----------------------------------------------------------------
deps: apt-deps npm-deps

apt-deps:
	$(Q)missing=""; for p in $(APT_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "  APT     $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

npm-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	$(call msg,NPM,ci)
	$(Q)npm ci --no-audit --no-fund --loglevel=error || \
		{ echo "  NPM     ci refused the lock (npm 11 omits other platforms' optional deps); falling back to npm install"; \
		  npm install --no-audit --no-fund --loglevel=error; }
	$(Q)touch $@

# --- BPF -------------------------------------------------------------------
# vmlinux.h is pinned in git; regenerate it deliberately.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h

bpf: $(BPF_SKELS)

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o | $(OUT)/skel
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- loader ----------------------------------------------------------------
loader: $(OUT)/vigil-loader

$(OUT)/vigil-loader: $(LOADER_SRCS) $(LOADER_HDRS) $(BPF_SKELS) bpf/events.h | $(OUT)/skel
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/skel -Ibpf -Iagent/loader $(LOADER_SRCS) -o $@ -lbpf -lelf -lz

# --- test helpers and bench workloads -------------------------------------
helpers: $(HELPERS) $(BENCH_BINS)

$(OUT)/helpers/%: test/helpers/%.c | $(OUT)/helpers
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Ibpf -o $@ $< -pthread

$(OUT)/bench/%: bench/workloads/%.c | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

# --- TypeScript ------------------------------------------------------------
ts: dist/.built

dist/.built: $(TS_SRCS) tsconfig.json node_modules/.package-lock.json
	$(call msg,TSC,dist/)
	$(Q)npx tsc -p tsconfig.json
	$(Q)touch $@

$(OUT) $(OUT)/bpf $(OUT)/skel $(OUT)/helpers $(OUT)/bench:
	$(Q)mkdir -p $@

# --- run / test ------------------------------------------------------------
test: build
	$(Q)npx vitest run

# Control plane on 127.0.0.1:7070 + the local agent; prints the dashboard URL.
run: build
	$(Q)./scripts/run.sh

# Benchmarks (root): workloads x tracers, ~4-5 min on 2 vCPUs. Prints a table
# and writes bench/results/latest.{md,json}. BENCH_ARGS="--reps 5" etc.
# tsc is run directly, not via `ts`, so a bench never triggers `npm ci`.
bench: build
	$(call msg,TSC,dist/)
	$(Q)npx tsc -p tsconfig.json >/dev/null || echo "  (tsc reported type errors; dist/ was emitted anyway)"
	$(Q)node bench/run.mjs $(BENCH_ARGS)
	$(Q)printf '\n## Alert latency (kernel event -> alert at a WebSocket feed subscriber)\n\n' >> bench/results/latest.md
	$(Q)node bench/latency.mjs 100 --report bench/results/latest.md
	$(Q)node bench/latency.mjs 100 --storm --report bench/results/latest.md
	$(Q)node bench/storage.mjs --report bench/results/latest.md
	$(Q)node bench/response.mjs --report bench/results/latest.md
	$(Q)node bench/replay.mjs --report bench/results/latest.md
	$(Q)if [ -f bench/results/tmp/anomaly/corpus.frames ]; then node bench/anomaly/record-corpus.mjs --only-attacks --out bench/results/tmp/attacks && \
	  node --expose-gc bench/anomaly/eval.mjs --attacks bench/results/tmp/attacks >/dev/null && cat bench/results/anomaly.md >> bench/results/latest.md; \
	  else echo "  (no benign corpus: run node bench/anomaly/record-corpus.mjs once (~17 min), then make bench)"; fi
	$(Q)node bench/feed-filters.mjs --alerts 100000 --reps 10 --report bench/results/latest.md
	$(Q)bash bench/fleet/suite.sh bench/results/latest.md

clean:
	rm -rf $(OUT) dist
