// EDIFACT throughput (issue 6: the tokenizer >= 1 GB/s on a >= 100 MB file made by repeating the
// largest test file; BAPLIE mapping alongside). The file is built in memory from
// tests/data/edi (or --edi_file=PATH), repeated to at least --edi_mb megabytes (default 100).
// Each benchmark reports bytes per second:
//   Tokenize             segments found (terminators, release characters)
//   TokenizeComponents   ... and every element and component of every segment walked
//   ReadInterchange      ... and the envelopes checked (counts, references, character set)
//   MapFile              ... and every message mapped to equipment records (what inspect does)
// The reference, in the same run, is npm's `edifact` 1.2 parser on the same file (UNOC),
// driven by bench/load/edi_vs_node.py.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "edi/equipment.h"
#include "edi/interchange.h"
#include "edi/syntax.h"

namespace {

std::string g_file =
    std::string(MINATO_SOURCE_DIR) + "/tests/data/edi/baplie-gbsou-arrival-synthetic.edi";
size_t g_mb = 100;

const std::string& input() {
  static const std::string data = [] {
    std::ifstream f(g_file, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string one = ss.str();
    if (one.empty()) {
      std::fprintf(stderr, "edi_bench: cannot read %s\n", g_file.c_str());
      std::exit(2);
    }
    std::string all;
    all.reserve(g_mb * 1'000'000 + one.size());
    while (all.size() < g_mb * 1'000'000) all += one;
    return all;
  }();
  return data;
}

void BM_Tokenize(benchmark::State& state) {
  const std::string& in = input();
  size_t segments = 0;
  for (auto _ : state) {
    minato::edi::Tokenizer t(in);
    size_t n = 0;
    while (auto s = t.next()) ++n;
    segments = n;
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
  state.counters["segments"] = static_cast<double>(segments);
  state.counters["MB"] = static_cast<double>(in.size()) / 1e6;
}

void BM_TokenizeComponents(benchmark::State& state) {
  const std::string& in = input();
  size_t components = 0;
  for (auto _ : state) {
    minato::edi::Tokenizer t(in);
    size_t n = 0;
    while (auto s = t.next()) {
      s->for_each_component([&](size_t, size_t, std::string_view) { ++n; });
    }
    components = n;
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
  state.counters["components"] = static_cast<double>(components);
}

void BM_ReadInterchange(benchmark::State& state) {
  const std::string& in = input();
  minato::edi::MessageHandler none;
  for (auto _ : state) {
    minato::edi::Diagnostics d(in, minato::edi::Strictness::kLenient);
    auto sum = minato::edi::read_interchange(in, none, d);
    benchmark::DoNotOptimize(sum.segments);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void BM_MapFile(benchmark::State& state) {
  const std::string& in = input();
  size_t containers = 0;
  for (auto _ : state) {
    auto f = minato::edi::map_file(in, minato::edi::Strictness::kLenient);
    containers = f.containers;
    benchmark::DoNotOptimize(f.equipment.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
  state.counters["containers"] = static_cast<double>(containers);
}

BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_TokenizeComponents)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadInterchange)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_MapFile)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  // Our own flags first (--edi_file=PATH, --edi_mb=N); the rest go to Google Benchmark.
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--edi_file=", 11) == 0) {
      g_file = argv[i] + 11;
    } else if (std::strncmp(argv[i], "--edi_mb=", 9) == 0) {
      g_mb = static_cast<size_t>(std::atoi(argv[i] + 9));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  input();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
