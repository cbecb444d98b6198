// The audit log's costs, each against SHA-256 as OpenSSL computes it on this machine in the
// same run (the hashing limit):
//   - verification of a log of 1M events with a signed checkpoint every 1000 (target <= 1 s);
//   - the hashes alone: leaf hashes of the same events and the tree over them;
//   - SHA-256 over 256-byte blocks (the size of an event's encoding), the reference.
//
//   build/release/bench/audit_bench
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>

#include "audit/log.h"
#include "bench_events.h"
#include "crypto/random.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_env.h"

namespace {

using namespace minato;

constexpr int64_t kEvents = 1'000'000;

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<store::SqliteStore> store;
  crypto::SigningKey key = crypto::SigningKey::generate();
  audit::VerifyOptions options;
  int64_t bytes = 0;  // leaf data hashed by a verification
};

store::AuditRecord event(int64_t seq) {
  return bench::gate_event(seq, 1'795'000'000'000'000 + seq * 1000);
}

Fixture& fixture() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    (void)crypto::init();
    store::SqliteOptions o;
    o.create = true;
    o.synchronous = "OFF";  // building the fixture only
    fx->store = std::move(*store::SqliteStore::open(fx->dir.file("audit.db"), o));
    audit::CompactRange edge;
    for (int64_t seq = 1; seq <= kEvents;) {
      auto tx = fx->store->write();
      for (int i = 0; i < 50'000 && seq <= kEvents; ++i, ++seq) {
        auto r = event(seq);
        fx->bytes += static_cast<int64_t>(audit::encode_event(r).size()) + 1;
        auto leaf = audit::event_leaf(r);
        r.leaf = std::string(audit::as_bytes(leaf));
        (void)(*tx)->append_audit(r);
        edge.append(leaf);
        if (seq % 1000 == 0) {
          (void)(*tx)->insert_checkpoint(
              audit::make_checkpoint(fx->key, "minato", edge, r.at_us + 1));
        }
      }
      (void)(*tx)->commit();
    }
    fx->options.keys[audit::key_id_of(fx->key.public_key())] = fx->key.public_key();
    return fx;
  }();
  return *f;
}

void BM_VerifyMillionEvents(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto rep = audit::verify(*f.store, f.options);
    if (!rep || !rep->intact() || rep->events != kEvents || rep->checkpoints != 1000) {
      state.SkipWithError("verification did not pass");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * f.bytes);
}
BENCHMARK(BM_VerifyMillionEvents)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The hashing a verification must do, without the database: 1M leaf hashes and the tree.
void BM_HashesOfMillionEvents(benchmark::State& state) {
  std::vector<std::string> enc;
  enc.reserve(kEvents);
  int64_t bytes = 0;
  for (int64_t seq = 1; seq <= kEvents; ++seq) {
    enc.push_back(audit::encode_event(event(seq)));
    bytes += static_cast<int64_t>(enc.back().size()) + 1;
  }
  for (auto _ : state) {
    audit::CompactRange edge;
    for (const auto& e : enc) edge.append(audit::leaf_hash(e));
    benchmark::DoNotOptimize(edge.root());
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_HashesOfMillionEvents)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The reference: OpenSSL's SHA-256 (EVP, as `openssl speed -evp sha256` runs it) over
// 256-byte blocks.
void BM_OpenSslSha256_256B(benchmark::State& state) {
  std::string block(256, 'x');
  unsigned char out[32];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = EVP_sha256();
  for (auto _ : state) {
    EVP_DigestInit_ex(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, block.data(), block.size());
    EVP_DigestFinal_ex(ctx, out, nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  state.SetBytesProcessed(state.iterations() * 256);
}
BENCHMARK(BM_OpenSslSha256_256B);

}  // namespace

BENCHMARK_MAIN();
