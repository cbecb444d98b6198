// Inputs of the audit log that come from outside the process: copies of checkpoints and
// events read back by `audit verify --external` (a collector's file anyone may have edited),
// stored tree edges, hashes in hex, and the audit API's query strings. Each must parse or be
// refused with an error; what parses must be consistent.
#include <cstdint>
#include <string>

#include "api/router.h"
#include "audit/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  minato::audit::VerifyOptions o;
  (void)minato::audit::parse_external(s, "fuzz", o);
  for (const auto& c : o.external_checkpoints) {
    if (c.root.size() != 32 || c.signature.size() != 64) __builtin_trap();
  }
  for (const auto& [seq, leaf] : o.external_leaves) {
    if (leaf.size() != 32) __builtin_trap();
  }
  if (auto edge = minato::audit::CompactRange::parse(s); edge) {
    auto again = minato::audit::CompactRange::parse(edge->serialize());
    if (!again || again->root() != edge->root()) __builtin_trap();
  }
  if (auto h = minato::audit::hash_from_hex(s); h && minato::audit::to_hex(*h).size() != 64) {
    __builtin_trap();
  }
  auto q =
      minato::api::parse_query(s, {"subject", "action", "target", "from", "to", "after", "limit"});
  if (q) {
    if (q->size() > 16) __builtin_trap();
    (void)minato::api::query_int(*q, "limit", 100, 1, 1000);
  }
  return 0;
}
