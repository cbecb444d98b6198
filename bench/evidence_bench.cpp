// The evidence bundle of an incident (G3.1-b) over a log of 1,000,000 events (target: built and
// verified in <= 10 s), against references measured in the same run:
//   - SHA-256 of the bundle's bytes (the least any check of it must do);
//   - `audit verify` of the same log in the database (the log's own check).
//
//   build/release/bench/evidence_bench
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>

#include "app/runtime.h"
#include "app/setup.h"
#include "audit/event.h"
#include "audit/evidence.h"
#include "bench_events.h"
#include "common/files.h"
#include "crypto/random.h"
#include "testing/test_env.h"

namespace {

using namespace minato;

constexpr int64_t kEvents = 1'000'000;

struct World {
  testing::TempDir dir;
  std::unique_ptr<app::Runtime> rt;
  int64_t incident = 0;
  int bundles = 0;
  std::string last;  // the newest bundle written
};

store::AuditRecord event(int64_t seq, int64_t at_us) {
  return bench::gate_event(seq, at_us, 50);  // every 50th a login
}

World& world() {
  static World* w = [] {
    auto* x = new World;
    const std::string data = x->dir.path() + "/data";
    auto init = app::initialise(app::InitSpec(data, "admin", "Vq7#rT2m!xK9-harbour"));
    if (!init) std::abort();
    x->rt = std::move(*app::Runtime::open(data));
    auto& rt = *x->rt;
    // 1M events after those of `init`, a signed checkpoint every 1,000, as the log writes them.
    audit::CompactRange edge;
    int64_t head = 0;
    {
      auto rx = rt.store().read();
      (void)(*rx)->scan_audit_leaves(1, INT64_MAX, [&](int64_t seq, std::string_view leaf) {
        edge.append(audit::hash_from_bytes(leaf));
        head = seq;
      });
    }
    const int64_t base = rt.clock().now_us();
    for (int64_t seq = head + 1; seq <= head + kEvents;) {
      auto tx = rt.store().write();
      for (int i = 0; i < 50'000 && seq <= head + kEvents; ++i, ++seq) {
        auto r = event(seq, base + (seq - head));
        auto leaf = audit::event_leaf(r);
        r.leaf = std::string(audit::as_bytes(leaf));
        (void)(*tx)->append_audit(r);
        edge.append(leaf);
        if (seq % 1000 == 0) {
          (void)(*tx)->insert_checkpoint(
              audit::make_checkpoint(rt.audit_key(), rt.config().audit_origin, edge, r.at_us));
        }
      }
      (void)(*tx)->commit();
    }
    auto id = rt.incidents().open(access::Actor::local_operator(), "high", "benchmark", {});
    if (!id) std::abort();
    x->incident = *id;
    return x;
  }();
  return *w;
}

void BM_WriteEvidenceMillionEvents(benchmark::State& state) {
  auto& w = world();
  int64_t bytes = 0, events = 0;
  for (auto _ : state) {
    w.last = w.dir.path() + "/evidence-" + std::to_string(++w.bundles) + ".tar";
    auto r = w.rt->evidence().write(access::Actor::local_operator(), {w.incident, 0, 0, w.last});
    if (!r) {
      state.SkipWithError(r.error().message().c_str());
      return;
    }
    bytes = r->bytes;
    events = r->manifest.to_seq - r->manifest.from_seq + 1;
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
  state.SetItemsProcessed(state.iterations() * events);
}
BENCHMARK(BM_WriteEvidenceMillionEvents)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void BM_VerifyEvidenceMillionEvents(benchmark::State& state) {
  auto& w = world();
  auto keys = w.rt->trusted_audit_keys();
  int64_t events = 0;
  for (auto _ : state) {
    auto file = MappedFile::open(w.last);  // mapping is part of the check's cost
    auto c = audit::verify_evidence(file->bytes(), *keys);
    if (!c || !c->pinned) {
      state.SkipWithError(c ? "not pinned" : c.error().message().c_str());
      return;
    }
    events = c->events;
  }
  state.counters["events"] = static_cast<double>(events);
  state.SetItemsProcessed(state.iterations() * events);
}
BENCHMARK(BM_VerifyEvidenceMillionEvents)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// Reference: SHA-256 of the bundle's bytes.
void BM_Sha256OfBundle(benchmark::State& state) {
  auto& w = world();
  auto file = MappedFile::open(w.last);
  auto bytes = file->bytes();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::sha256(bytes));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_Sha256OfBundle)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// Reference: `audit verify` of the same log.
void BM_AuditVerifySameLog(benchmark::State& state) {
  auto& w = world();
  auto opts = w.rt->verify_options();
  for (auto _ : state) {
    auto rep = audit::verify(w.rt->store(), *opts);
    if (!rep || !rep->intact()) {
      state.SkipWithError("verification did not pass");
      return;
    }
  }
}
BENCHMARK(BM_AuditVerifySameLog)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
