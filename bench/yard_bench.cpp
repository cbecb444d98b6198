// Slot allocation in a 30,000-TEU yard (issue 5: a decision's p99 <= 1 ms).
//
// The yard: 20 blocks of 30 twenty-foot bays x 10 rows x 5 tiers (30,000 TEU), two of them
// hazardous zones, reefer plugs on rows 1-2 of four blocks, filled to about 75% by the
// allocator itself with a realistic mix (a third 40-foot, 8% reefers, 3% dangerous goods,
// 12 stacking groups, all weight classes). Then every decision is timed on its own and the
// percentiles are reported as counters. Reference in the same run: checking one slot a clerk
// names (what a gate-in with a given slot costs the yard).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "terminal/yard.h"

namespace {

namespace t = minato::terminal;

t::StackItem random_item(std::mt19937& rng, int64_t id) {
  static const char* classes[] = {"3", "8", "2.1", "6.1", "9", "5.1", "4.1"};
  t::StackItem s;
  s.unit_id = id;
  s.length_ft = rng() % 3 == 0 ? 40 : 20;
  s.powered = rng() % 100 < 8;
  if (rng() % 100 < 3) s.add_dangerous_goods(*t::ImdgClass::parse(classes[rng() % 7]));
  s.weight_class = static_cast<int>(rng() % 5);
  s.group = static_cast<uint32_t>(rng() % 12) + 1;
  return s;
}

// Built once: the filled yard is shared by the benchmarks.
const t::Yard& yard_30k() {
  static const t::Yard yard = [] {
    t::Yard y;
    for (int b = 0; b < 20; ++b) {
      std::string name = std::string(1, static_cast<char>('A' + b / 9)) + std::to_string(b % 9 + 1);
      auto block = *t::YardBlock::make(name, 30, 10, 5);
      if (b % 5 == 0) block.reefer.push_back(*t::StackArea::parse("01-59/1-2"));
      block.hazardous = b >= 18;
      (void)y.add_block(block);
    }
    std::mt19937 rng(30000);
    int64_t id = 1;
    int teu = 0;
    while (teu < 22'500) {
      auto item = random_item(rng, id++);
      auto slot = y.allocate(item, {});
      if (!slot || !y.place(item, *slot)) continue;
      teu += item.forty() ? 2 : 1;
    }
    return y;
  }();
  return yard;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

void BM_AllocateSlotIn30kTeuYard(benchmark::State& state) {
  const t::Yard& y = yard_30k();
  std::mt19937 rng(7);
  std::vector<double> all, dangerous, reefer, other;
  int64_t id = 10'000'000;
  for (auto _ : state) {
    auto item = random_item(rng, id++);
    auto start = std::chrono::steady_clock::now();
    auto slot = y.allocate(item, {});
    auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(slot);
    double us = std::chrono::duration<double, std::micro>(end - start).count();
    all.push_back(us);
    (item.dg_mask != 0 ? dangerous : item.powered ? reefer : other).push_back(us);
  }
  state.counters["p50_us"] = percentile(all, 0.50);
  state.counters["p99_us"] = percentile(all, 0.99);
  state.counters["max_us"] = all.empty() ? 0 : all.back();
  state.counters["p99_dg_us"] = percentile(dangerous, 0.99);
  state.counters["p99_reefer_us"] = percentile(reefer, 0.99);
  state.counters["p99_dry_us"] = percentile(other, 0.99);
  state.counters["units_in_yard"] = static_cast<double>(y.units());
}
BENCHMARK(BM_AllocateSlotIn30kTeuYard)->Unit(benchmark::kMicrosecond);

void BM_CheckNamedSlotIn30kTeuYard(benchmark::State& state) {
  const t::Yard& y = yard_30k();
  std::mt19937 rng(7);
  int64_t id = 20'000'000;
  for (auto _ : state) {
    auto item = random_item(rng, id++);
    auto slot = t::YardSlot::at(
        "A" + std::to_string(rng() % 9 + 1),
        item.forty() ? 2 * static_cast<int>(rng() % 29) + 2 : 2 * static_cast<int>(rng() % 30) + 1,
        static_cast<int>(rng() % 10) + 1, static_cast<int>(rng() % 5) + 1);
    benchmark::DoNotOptimize(y.check(item, slot));
  }
}
BENCHMARK(BM_CheckNamedSlotIn30kTeuYard)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
