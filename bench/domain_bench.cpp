// Parsing at the edge: container ids and size-types are parsed for every request and EDI line.
#include <benchmark/benchmark.h>

#include "terminal/container_id.h"
#include "terminal/size_type.h"

namespace {

void BM_ContainerIdParse(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(minato::terminal::ContainerId::parse("csqu 305438-3"));
}
BENCHMARK(BM_ContainerIdParse);

void BM_SizeTypeParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(minato::terminal::SizeType::parse("4532"));
}
BENCHMARK(BM_SizeTypeParse);

}  // namespace
