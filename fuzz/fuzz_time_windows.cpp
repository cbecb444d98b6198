// Login time windows come from administrators through approved changes: any text must parse or
// be refused, what parses must round-trip through its canonical form, and the canonical form
// must allow exactly the same times.
#include <cstdint>
#include <string>

#include "identity/time_window.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto w = minato::identity::TimeWindows::parse(s, 9 * 3600);
  if (!w) return 0;
  auto again = minato::identity::TimeWindows::parse(w->str(), 9 * 3600);
  if (!again || again->str() != w->str()) __builtin_trap();
  // One week in 7-minute steps around 2026-11-23.
  for (int64_t t = 1'795'359'600; t < 1'795'359'600 + 7 * 86400; t += 420) {
    if (w->allows(t * 1'000'000) != again->allows(t * 1'000'000)) __builtin_trap();
  }
  return 0;
}
