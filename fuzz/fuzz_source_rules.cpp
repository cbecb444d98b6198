// Source allow-lists come from administrators and, later, from the API: any text must parse or
// be refused, and what parses must round-trip through its canonical form.
#include <cstdint>
#include <string>

#include "identity/source_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto rules = minato::identity::SourceRules::parse(s);
  if (!rules) return 0;
  auto again = minato::identity::SourceRules::parse(rules->str());
  if (!again || again->str() != rules->str()) __builtin_trap();
  (void)rules->allows("10.1.2.3");
  (void)rules->allows("2001:db8::1");
  (void)rules->allows(s.substr(0, 45));
  return 0;
}
