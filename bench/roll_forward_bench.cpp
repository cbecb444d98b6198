// Roll-forward (G2.7.2-f): how fast a restore replays the audit log onto a snapshot, against
// how fast the live write path wrote the same commands, in the same run on the same disk.
//
// Each iteration: a fresh data directory, a snapshot of it (the database set), then `commands`
// units advised through WritePath::submit (2 threads x 256 in flight, how an import writes:
// the live reference), the log exported as JSON lines (what the logs set holds), and
// app::roll_forward onto a copy of the snapshot (timed). Counters: live and replayed commands
// per second; the benchmark's own time is the replay.
//
//   build/release/bench/roll_forward_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <future>
#include <thread>

#include "app/roll_forward.h"
#include "app/runtime.h"
#include "app/setup.h"
#include "audit/event.h"
#include "bench_units.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_env.h"

namespace {

using namespace minato;

void BM_RollForward(benchmark::State& state) {
  const int commands = static_cast<int>(state.range(0));
  double live_s = 0, replay_s = 0;
  int64_t replayed = 0, rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    testing::TempDir dir;
    const std::string data = dir.path() + "/data";
    auto init = app::initialise(app::InitSpec(data, "admin", "Vq7#rT2m!xK9-harbour"));
    if (!init) {
      state.SkipWithError(init.error().message().c_str());
      return;
    }
    auto rt = app::Runtime::open(data);
    if (!rt) {
      state.SkipWithError(rt.error().message().c_str());
      return;
    }
    const std::string snap = dir.path() + "/snap.db";
    if (!store::snapshot_database((*rt)->paths().database(), snap,
                                  [](int64_t, std::string_view, int64_t) {})) {
      state.SkipWithError("snapshot failed");
      return;
    }
    // The live reference.
    access::Actor actor{"user:bench", "127.0.0.1", access::permissions_of({"planner"})};
    std::atomic<int> serial{0}, next{0};
    auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int s = 0; s < 2; ++s) {
      threads.emplace_back([&] {
        std::deque<std::future<Status>> inflight;
        while (next.fetch_add(1) < commands) {
          inflight.push_back(
              (*rt)->terminal().submit_create_unit(actor, bench::next_unit(serial, "RFWU")));
          if (inflight.size() >= 256) {
            if (!inflight.front().get()) std::abort();
            inflight.pop_front();
          }
        }
        for (auto& f : inflight) {
          if (!f.get()) std::abort();
        }
      });
    }
    for (auto& th : threads) th.join();
    live_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // The logs set's content.
    app::RollForwardOptions o;
    auto trust = (*rt)->verify_options();
    o.trust = *trust;
    o.snapshot_schema = (*rt)->store().schema_version();
    rt->reset();
    {
      auto live = store::SqliteStore::open(data + "/minato.db");
      auto rx = (*live)->read();
      o.events_path = dir.path() + "/events.jsonl";
      std::ofstream f(o.events_path, std::ios::binary);
      (void)(*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
        f << audit::event_json(r) << "\n";
        return true;
      });
      o.trust.external_checkpoints = *(*rx)->checkpoints();
    }
    auto copy = store::SqliteStore::open(snap);
    state.ResumeTiming();

    auto t0 = std::chrono::steady_clock::now();
    auto rep = app::roll_forward(**copy, o);
    replay_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!rep || rep->stopped_seq != 0) {
      state.SkipWithError(rep ? rep->stopped_reason.c_str() : rep.error().message().c_str());
      return;
    }
    replayed += rep->events;
    rows += rep->row_images;
    state.PauseTiming();
    copy->reset();
    state.ResumeTiming();
  }
  state.counters["live_cmd_per_s"] =
      static_cast<double>(commands) * static_cast<double>(state.iterations()) / live_s;
  state.counters["replay_ev_per_s"] = static_cast<double>(replayed) / replay_s;
  state.counters["rows_per_ev"] = static_cast<double>(rows) / static_cast<double>(replayed);
}

BENCHMARK(BM_RollForward)->Arg(50000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
