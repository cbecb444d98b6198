// Untrusted text at the edge of the terminal domain: container ids, size-types, yard slots and
// UTC times arrive from HTTP and (later) EDI; malware signature files arrive on media. None may
// crash, and what parses must round-trip (or, for a signature file's header, be sane).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/clock.h"
#include "secops/clamav_database.h"
#include "terminal/container_id.h"
#include "terminal/size_type.h"
#include "terminal/yard_slot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  using namespace minato::terminal;
  if (auto id = ContainerId::parse(s)) {
    auto again = ContainerId::parse(id->str());
    if (!again || !(*again == *id)) std::abort();
  }
  if (auto st = SizeType::parse(s)) {
    if (!SizeType::parse(st->iso_code())) std::abort();
  }
  if (auto slot = YardSlot::parse(s)) {
    auto again = YardSlot::parse(slot->str());
    if (!again || !(*again == *slot)) std::abort();
  }
  int64_t us = 0;
  if (minato::parse_utc(s, &us) && minato::format_utc(us) != s) std::abort();
  // The same bytes as a signature database's header (only its name decides its kind).
  std::string padded = s.size() > 512 ? s : s + std::string(513 - s.size(), ' ');
  if (auto db = minato::secops::parse_clamav_database("daily.cld", padded)) {
    if (db->name != "daily" || db->kind != minato::secops::DatabaseKind::kCld || db->version <= 0 ||
        db->signatures < 0 || db->built_us < 0 || db->builder.size() > 64) {
      std::abort();
    }
  }
  return 0;
}
