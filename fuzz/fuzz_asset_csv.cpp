// Inventory CSV as the asset register imports it (G1.2, A1.3.1-3): a file from a spreadsheet
// or a discovery tool, brought in on media. Any bytes give assets or an error naming the line;
// what parses has the required fields, no tag twice, and a field written back as CSV (quoted,
// quotes doubled) parses to the same value.
#include <cstdint>
#include <set>
#include <string>

#include "app/asset_service.h"

using namespace minato;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto rows = app::parse_asset_csv(s, 1000);
  if (!rows) {
    if (rows.error().message().empty()) __builtin_trap();
    return 0;
  }
  if (rows->empty() || rows->size() > 1000) __builtin_trap();
  std::set<std::string> tags;
  for (const auto& a : *rows) {
    if (!tags.insert(a.tag).second) __builtin_trap();
  }
  // Round trip of one field through the writer's quoting.
  const std::string& name = rows->front().name;
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += "\"";
  bool plain = true;
  for (char c : name)
    plain = plain && (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r');
  if (plain) {
    auto again = app::parse_asset_csv("tag,kind,name\nT,server," + quoted + "\n", 10);
    if (again && again->front().name != name) __builtin_trap();
  }
  return 0;
}
