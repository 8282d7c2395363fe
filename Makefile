# Thin wrapper over Meson for the README's commands.
# gnu11: the sources use the GNU cleanup attribute for locals.
BUILD      ?= build
TESTBUILD  ?= build-test
DEMO_DIR   ?= demo

.PHONY: all demo test test-pg tsan fuzz bench bench-pg chaos format format-check clean bootstrap

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

bootstrap:
	@sh scripts/bootstrap

$(BUILD)/build.ninja: | bootstrap
	meson setup $(BUILD) --buildtype=release -Db_ndebug=false >/dev/null
	ln -sf $(BUILD)/compile_commands.json compile_commands.json

$(TESTBUILD)/build.ninja: | bootstrap
	meson setup $(TESTBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

demo: all
	./$(BUILD)/stockbridge demo --dir $(DEMO_DIR)

# The release build (what make demo and make bench run) is built too: -O3 finds
# warnings that -O0 does not, and a broken demo must fail the tests. The
# ThreadSanitizer run (scripts/test-tsan, also `make tsan`) comes next, then the fuzzers and
# the checks against Shopify's own schema, payloads and clients (scripts/test-shopify-official,
# npm tooling pinned in tests/shopify-official/) and against Magento's own OpenAPI description
# and an OAuth 1.0a library (scripts/test-magento-official, tests/magento-official/; its
# e2e-logs group reads the traffic every Magento fakestore of the e2e suites logged into
# $(TESTBUILD)/m2-traffic, SB_M2_TRAFFIC_DIR, so our adapter's requests are checked too) and
# the fakestore's Ecwid mode against Ecwid's official clients (scripts/test-ecwid-official,
# tests/ecwid-official/: @ecwid/sdk and the Java client's DTOs as JSON Schema; its e2e-logs
# group reads the traffic every Ecwid fakestore of the e2e suites logged into
# $(TESTBUILD)/ec-traffic, SB_EC_TRAFFIC_DIR, so the engine's own requests are checked) and the
# connection API against docs/api/openapi.yaml (scripts/test-export-openapi,
# tests/export-openapi/: the document, its examples, a server it drives itself, and the traffic
# every export fakestore of the e2e suites logged into $(TESTBUILD)/export-traffic,
# SB_EXPORT_TRAFFIC_DIR). The whole unit and e2e suite runs twice: on SQLite, then on
# PostgreSQL (make test-pg, right after the SQLite pass). The staff
# web app's browser tests (scripts/test-web: Chromium and playwright-core,
# installed when missing) run last, against that build's demo.
test: $(TESTBUILD)/build.ninja format-check all
	ninja -C $(TESTBUILD)
	@rc=0; m2logs="$$(pwd)/$(TESTBUILD)/m2-traffic"; rm -rf "$$m2logs"; mkdir -p "$$m2logs"; \
	  eclogs="$$(pwd)/$(TESTBUILD)/ec-traffic"; rm -rf "$$eclogs"; mkdir -p "$$eclogs"; \
	  exlogs="$$(pwd)/$(TESTBUILD)/export-traffic"; rm -rf "$$exlogs"; mkdir -p "$$exlogs"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 SB_M2_TRAFFIC_DIR="$$m2logs" \
	  SB_EC_TRAFFIC_DIR="$$eclogs" SB_EXPORT_TRAFFIC_DIR="$$exlogs" \
	  meson test -C $(TESTBUILD) --print-errorlogs --num-processes 2 --suite unit --suite e2e \
	  || rc=$$?; \
	if grep -q -E 'LeakSanitizer|AddressSanitizer|runtime error:' $(TESTBUILD)/meson-logs/testlog.txt; then \
	  echo "sanitizer reports in $(TESTBUILD)/meson-logs/testlog.txt:"; \
	  grep -E -A12 'LeakSanitizer|AddressSanitizer|runtime error:|strict mode' $(TESTBUILD)/meson-logs/testlog.txt | head -80; \
	  rc=1; fi; \
	sh scripts/test-summary $(TESTBUILD)/meson-logs/testlog.txt; \
	$(MAKE) --no-print-directory test-pg || rc=1; \
	TESTBUILD=$(TESTBUILD) sh scripts/test-tsan || rc=1; \
	sh scripts/test-fuzz || rc=1; \
	sh scripts/test-shopify-official || rc=1; \
	SB_M2_TRAFFIC_DIR="$$m2logs" sh scripts/test-magento-official || rc=1; \
	SB_EC_TRAFFIC_DIR="$$eclogs" sh scripts/test-ecwid-official || rc=1; \
	SB_EXPORT_TRAFFIC_DIR="$$exlogs" sh scripts/test-export-openapi || rc=1; \
	sh scripts/test-web || rc=1; exit $$rc

# The unit and e2e suites again on PostgreSQL (docs/testing.md): a throwaway cluster
# (scripts/pg-cluster), SB_TEST_DB naming it so that each test makes a database of its own;
# tests about SQLite itself skip themselves, saying why. Log: $(TESTBUILD)/meson-logs/pg.txt.
PG_STATE = $(abspath $(TESTBUILD))/pg-cluster.state
test-pg: $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)
	@rc=0; start=$$(date +%s); \
	url=$$(SB_PG_STATE=$(PG_STATE) sh scripts/pg-cluster start) || exit 1; \
	echo "test-pg: cluster at $$url"; \
	SB_TEST_DB="$$url" STOCKBRIDGE_PG_STRICT=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(TESTBUILD) --no-rebuild --print-errorlogs --num-processes 2 \
	  --suite unit --suite e2e --logbase pg || rc=$$?; \
	SB_PG_STATE=$(PG_STATE) sh scripts/pg-cluster stop; \
	if grep -q -E 'LeakSanitizer|AddressSanitizer|runtime error:|strict mode' $(TESTBUILD)/meson-logs/pg.txt; then \
	  echo "sanitizer reports in $(TESTBUILD)/meson-logs/pg.txt:"; \
	  grep -E -A12 'LeakSanitizer|AddressSanitizer|runtime error:|strict mode' $(TESTBUILD)/meson-logs/pg.txt | head -80; \
	  rc=1; fi; \
	sh scripts/test-summary $(TESTBUILD)/meson-logs/pg.txt; \
	echo "test-pg: the PostgreSQL pass took $$(( $$(date +%s) - start )) s"; exit $$rc

# Long crash runs (the bounded one is in make test): many kills of the server during a
# stream of duplicate, reordered webhooks, a new seed each run (printed, to replay it with
# SB_CHAOS_SEED=...).
CHAOS_KILLS  ?= 60
CHAOS_ORDERS ?= 1500
chaos: $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD) tests/test-chaos stockbridge
	SB_CHAOS_KILLS=$(CHAOS_KILLS) SB_CHAOS_ORDERS=$(CHAOS_ORDERS) \
	  SB_CHAOS_SEED=$${SB_CHAOS_SEED:-$$(date +%s)} \
	  meson test -C $(TESTBUILD) --print-errorlogs --timeout-multiplier 10 test-chaos

# ThreadSanitizer alone: the server built with -fsanitize=thread (build-tsan), driven
# under load by tests/test-tsan.c; any report fails (scripts/test-tsan).
tsan: $(TESTBUILD)/build.ninja
	TESTBUILD=$(TESTBUILD) sh scripts/test-tsan

# The libFuzzer harnesses (fuzz/, docs/testing.md), each for FUZZ_SECONDS (default 120);
# make test runs them for a few seconds each.
fuzz: | bootstrap
	sh scripts/test-fuzz --long

bench: all
	ninja -C $(BUILD) bench/bench-sales bench/bench-webhooks bench/bench-stock bench/bench-magento bench/bench-export bench/bench-search bench/bench-items bench/bench-reports stockbridge-fakestore
	./$(BUILD)/bench/bench-sales
	./$(BUILD)/bench/bench-webhooks --clients 64
	./$(BUILD)/bench/bench-stock
	./$(BUILD)/bench/bench-magento
	./$(BUILD)/bench/bench-export
	./$(BUILD)/bench/bench-search
	./$(BUILD)/bench/bench-items
	./$(BUILD)/bench/bench-reports

# bench-webhooks on SQLite and on PostgreSQL with 1, 2 and 3 nodes, side by side
# (scripts/bench-pg; a durable throwaway cluster, docs/performance.md).
bench-pg: all
	sh scripts/bench-pg

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check: | bootstrap
	@files=$$(git ls-files '*.c' '*.h'); \
	if [ -n "$$files" ]; then clang-format --dry-run -Werror $$files; fi
	@echo "format-check: ok"

clean:
	rm -rf $(BUILD) $(TESTBUILD) compile_commands.json
