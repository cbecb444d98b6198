// Adds N advised units to a data directory through the write path (each audited), pipelined
// as an import would: for the memory benchmark (bench/load/rss_million.py), which needs a
// terminal with a million units.
//
//   build/release/bench/populate_units --data DIR --units 1000000
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <string>

#include "app/runtime.h"
#include "crypto/random.h"

using namespace minato;
namespace t = minato::terminal;

int main(int argc, char** argv) {
  std::string data;
  long n = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    if (std::strcmp(argv[i], "--units") == 0) n = std::strtol(argv[i + 1], nullptr, 10);
  }
  if (data.empty() || n <= 0 || n > 9'000'000) {
    std::fprintf(stderr, "usage: populate_units --data DIR --units N (1..9000000)\n");
    return 64;
  }
  if (!crypto::init()) return 1;
  auto rt = app::Runtime::open(data);
  if (!rt) {
    std::fprintf(stderr, "populate_units: %s\n", rt.error().message().c_str());
    return 1;
  }
  const char* lines[] = {"ONE", "MSK", "COS", "MSC", "EMC", "HLC", "YML", "CMA"};
  const char* owners[] = {"PPA", "PPB", "PPC", "PPD", "PPE", "PPF", "PPG", "PPH", "PPI", "PPJ"};
  auto actor = access::Actor::local_operator();
  std::deque<std::future<Status>> inflight;
  for (long i = 0; i < n; ++i) {
    char base[16];
    std::snprintf(base, sizeof base, "%sU%06ld", owners[i / 1'000'000 % 10], i % 1'000'000);
    auto id = t::ContainerId::parse(std::string(base) +
                                    std::to_string(t::ContainerId::check_digit(base) % 10));
    t::UnitSpec spec(*id, *t::SizeType::parse(i % 3 ? "45G1" : "22G1"),
                     i % 2 ? t::UnitCategory::kImport : t::UnitCategory::kExport,
                     t::FreightKind::kFull, lines[i % 8], 10'000 + static_cast<int>(i % 20'000));
    spec.seals.push_back("S" + std::to_string(i));
    inflight.push_back((*rt)->terminal().submit_create_unit(actor, std::move(spec)));
    if (inflight.size() >= 1024) {
      if (auto st = inflight.front().get(); !st) {
        std::fprintf(stderr, "populate_units: %s\n", st.error().message().c_str());
        return 1;
      }
      inflight.pop_front();
    }
    if ((i + 1) % 100'000 == 0) std::fprintf(stderr, "populate_units: %ld\n", i + 1);
  }
  for (auto& f : inflight) {
    if (auto st = f.get(); !st) {
      std::fprintf(stderr, "populate_units: %s\n", st.error().message().c_str());
      return 1;
    }
  }
  return 0;
}
