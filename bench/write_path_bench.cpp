// Durable commands per second through the write path: group commit against one transaction
// per command, with the same SQLite settings (WAL, synchronous=FULL) and the same number of
// concurrent callers, in one run. Each command advises a unit and appends its audit event.
//
//   build/release/bench/write_path_bench
#include <benchmark/benchmark.h>

#include <atomic>
#include <deque>
#include <future>
#include <thread>

#include "app/runtime.h"
#include "app/setup.h"
#include "bench_units.h"
#include "crypto/random.h"
#include "testing/test_env.h"

namespace {

using namespace minato;
namespace t = minato::terminal;

// As in the foundation's figure (2,000 per round, 3 rounds); the pipelined runs do 20,000.
constexpr int kCommandsPerRound = 2000;
constexpr int kPipelinedPerRound = 20000;

// A fresh data directory and a runtime on it with this group-commit limit; null (and the
// benchmark skipped) on failure.
std::unique_ptr<app::Runtime> open_runtime(benchmark::State& state, const testing::TempDir& dir,
                                           size_t max_batch, bool row_images = true) {
  auto init = app::initialise(app::InitSpec(dir.path() + "/data", "admin", "Vq7#rT2m!xK9-harbour"));
  if (!init) {
    state.SkipWithError(init.error().message().c_str());
    return nullptr;
  }
  app::RuntimeOptions opts;
  opts.write_path.max_batch = max_batch;
  opts.row_images = row_images;
  auto rt = app::Runtime::open(dir.path() + "/data", opts);
  if (!rt) {
    state.SkipWithError(rt.error().message().c_str());
    return nullptr;
  }
  return std::move(*rt);
}

using bench::next_unit;

void BM_DurableCommands(benchmark::State& state) {
  const size_t max_batch = static_cast<size_t>(state.range(0));
  const int callers_n = static_cast<int>(state.range(1));
  testing::TempDir dir;
  auto rt = open_runtime(state, dir, max_batch);
  if (!rt) return;
  access::Actor actor{"user:bench", "127.0.0.1", access::permissions_of({"planner"})};
  std::atomic<int> serial{0};
  int64_t done = 0;
  for (auto _ : state) {
    std::atomic<int> next{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < callers_n; ++c) {
      callers.emplace_back([&] {
        while (next.fetch_add(1) < kCommandsPerRound) {
          t::UnitSpec spec = next_unit(serial);
          auto r = rt->terminal().create_unit(actor, spec);
          if (!r) std::abort();
        }
      });
    }
    for (auto& c : callers) c.join();
    done += kCommandsPerRound;
  }
  auto stats = rt->writes().stats();
  state.SetItemsProcessed(done);
  state.counters["commands_per_txn"] =
      static_cast<double>(stats.commands) / static_cast<double>(stats.transactions);
}

// Bulk submission (how an import works): `submitters` threads each keep `window` commands in
// flight with WritePath::submit and wait for the oldest before sending the next. The third
// argument 0 turns off row images in the audit events (roll-forward's capture): the reference
// for what they cost, in the same run.
void BM_PipelinedCommands(benchmark::State& state) {
  const int submitters = static_cast<int>(state.range(0));
  const size_t window = static_cast<size_t>(state.range(1));
  const bool row_images = state.range(2) != 0;
  testing::TempDir dir;
  auto rt = open_runtime(state, dir, 1024, row_images);
  if (!rt) return;
  access::Actor actor{"user:bench", "127.0.0.1", access::permissions_of({"planner"})};
  std::atomic<int> serial{0};
  int64_t done = 0;
  for (auto _ : state) {
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int s = 0; s < submitters; ++s) {
      threads.emplace_back([&] {
        std::deque<std::future<Status>> inflight;
        while (next.fetch_add(1) < kPipelinedPerRound) {
          t::UnitSpec spec = next_unit(serial);
          inflight.push_back(rt->terminal().submit_create_unit(actor, spec));
          if (inflight.size() >= window) {
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
    done += kPipelinedPerRound;
  }
  auto stats = rt->writes().stats();
  state.SetItemsProcessed(done);
  state.counters["commands_per_txn"] =
      static_cast<double>(stats.commands) / static_cast<double>(stats.transactions);
}

BENCHMARK(BM_PipelinedCommands)
    ->Args({2, 256, 1})
    ->Args({2, 256, 0})
    ->Args({4, 512, 1})
    ->Args({4, 512, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// max_batch 1 = one durable transaction per command; 256 = group commit.
BENCHMARK(BM_DurableCommands)
    ->Args({1, 32})
    ->Args({256, 32})
    ->Args({256, 128})
    ->Args({512, 256})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  if (!minato::crypto::init()) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
