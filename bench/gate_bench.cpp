// Durable gate transactions per second on the embedded store (issue 5).
//
// A terminal loaded with the demo scenario (sim/scenario.h: 30,000 TEU about half full, three
// vessel visits, a day of appointments). Then `callers` threads, each a gate lane's clerk
// waiting for every answer, send gate transactions as fast as they can: a returned empty
// gated in (the yard allocates its slot, the unit is created, its move, the gate record with
// its EIR snapshot and the audit event are written) and then gated out again. Each answer
// comes only after its transaction is fsynced (WAL, synchronous=FULL).
//
// The reference, in the same run on the same terminal: the write path's simplest audited
// command (advise a unit: one insert and its audit event) with the same callers.
//
//   build/release/bench/gate_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "app/runtime.h"
#include "app/setup.h"
#include "crypto/random.h"
#include "sim/scenario.h"
#include "testing/test_env.h"

namespace {

using namespace minato;
namespace t = minato::terminal;

constexpr int kTxnsPerRound = 20000;

struct Terminal {
  testing::TempDir dir;
  std::unique_ptr<app::Runtime> rt;
  std::atomic<int> serial{0};
};

// One loaded terminal for all benchmarks of the run (loading takes seconds).
Terminal* terminal() {
  static Terminal* term = [] {
    auto* t = new Terminal;
    auto init =
        app::initialise(app::InitSpec(t->dir.path() + "/data", "admin", "Vq7#rT2m!xK9-harbour"));
    if (!init) {
      std::fprintf(stderr, "init: %s\n", init.error().message().c_str());
      std::abort();
    }
    app::RuntimeOptions opts;
    opts.write_path.max_batch = 1024;
    auto rt = app::Runtime::open(t->dir.path() + "/data", opts);
    if (!rt) std::abort();
    t->rt = std::move(*rt);
    sim::ScenarioOptions o;
    o.start_us = t->rt->clock().now_us() / (3600LL * 1'000'000) * (3600LL * 1'000'000);
    auto rep = sim::load_scenario(*t->rt, sim::make_scenario(o), 8);
    if (!rep) {
      std::fprintf(stderr, "scenario: %s\n", rep.error().message().c_str());
      std::abort();
    }
    std::fprintf(stderr, "terminal loaded: %lld units in the yard (%.1f s)\n",
                 static_cast<long long>(rep->units_in_yard), rep->seconds);
    return t;
  }();
  return term;
}

// A returned empty of line `line` (each lane's trucks bring one line's boxes, so the yard
// stacks each caller's empties apart and its own box is on top when it leaves).
t::UnitSpec returned_empty(std::atomic<int>& serial, const std::string& line = "ONE") {
  int n = serial.fetch_add(1);
  char base[16];
  std::snprintf(base, sizeof base, "GBNU%06d", n);
  auto id =
      t::ContainerId::parse(std::string(base) + std::to_string(t::ContainerId::check_digit(base)));
  return t::UnitSpec{*id,
                     *t::SizeType::parse(n % 2 ? "45G1" : "22G1"),
                     t::UnitCategory::kStorage,
                     t::FreightKind::kEmpty,
                     line,
                     3800};
}

void report(benchmark::State& state, app::Runtime& rt, const app::WritePathStats& before,
            int64_t done) {
  auto after = rt.writes().stats();
  state.SetItemsProcessed(done);
  state.counters["txns_per_s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
  state.counters["per_commit"] = static_cast<double>(after.commands - before.commands) /
                                 static_cast<double>(after.transactions - before.transactions);
}

void BM_GateInOut(benchmark::State& state) {
  const int callers_n = static_cast<int>(state.range(0));
  Terminal* term = terminal();
  auto& rt = *term->rt;
  access::Actor clerk{"user:gate", "127.0.0.1", access::permissions_of({"gate_clerk"})};
  auto before = rt.writes().stats();
  int64_t done = 0;
  std::atomic<int64_t> buried{0};
  for (auto _ : state) {
    std::atomic<int> next{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < callers_n; ++c) {
      callers.emplace_back([&, c] {
        char plate[16], line[8];
        std::snprintf(plate, sizeof plate, "LANE-%03d", c);
        std::snprintf(line, sizeof line, "L%03d", c);
        while (next.fetch_add(2) < kTxnsPerRound) {
          auto spec = returned_empty(term->serial, line);
          auto cid = spec.container_id;
          auto in = rt.terminal().gate_in(clerk, {cid, plate, std::nullopt, std::move(spec)});
          if (!in) {
            std::fprintf(stderr, "gate-in: %s\n", in.error().message().c_str());
            std::abort();
          }
          auto out = rt.terminal().gate_out(clerk, {cid, plate});
          if (!out && out.error().message().find("not on top") != std::string::npos) {
            ++buried;  // another lane's box was stacked on it: it stays (counted)
            continue;
          }
          if (!out) {
            std::fprintf(stderr, "gate-out: %s\n", out.error().message().c_str());
            std::abort();
          }
        }
      });
    }
    for (auto& c : callers) c.join();
    done += kTxnsPerRound;
  }
  report(state, rt, before, done);
  state.counters["buried"] = static_cast<double>(buried.load());
}

// Reference: advise a unit (one insert and its audit event), same callers, same terminal.
void BM_AdviseReference(benchmark::State& state) {
  const int callers_n = static_cast<int>(state.range(0));
  Terminal* term = terminal();
  auto& rt = *term->rt;
  access::Actor planner{"user:plan", "127.0.0.1", access::permissions_of({"planner"})};
  auto before = rt.writes().stats();
  int64_t done = 0;
  for (auto _ : state) {
    std::atomic<int> next{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < callers_n; ++c) {
      callers.emplace_back([&] {
        while (next.fetch_add(1) < kTxnsPerRound) {
          if (!rt.terminal().create_unit(planner, returned_empty(term->serial))) std::abort();
        }
      });
    }
    for (auto& c : callers) c.join();
    done += kTxnsPerRound;
  }
  report(state, rt, before, done);
}

BENCHMARK(BM_AdviseReference)
    ->Arg(128)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_GateInOut)
    ->Arg(8)
    ->Arg(32)
    ->Arg(128)
    ->Arg(256)
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
