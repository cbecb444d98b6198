// OSV archives (all.zip, G2.7.5) as they come on media: any bytes give a feed or an error
// naming where, within the limits (a tiny budget here, so that a bomb shows as a refusal, not
// as an exhausted fuzzer); what the check passes, the reader reads within the same limits.
#include <cstdint>
#include <string>

#include "secops/feed_archive.h"

using namespace minato;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  secops::ArchiveLimits limits;
  limits.max_entries = 64;
  limits.max_entry_bytes = 64 * 1024;
  limits.max_total_bytes = 256 * 1024;
  limits.max_ratio = 100;
  auto n = secops::check_feed_archive(s, limits);
  auto feed = secops::read_osv_archive(s, limits);
  if (!n && feed) __builtin_trap();  // the reader never takes what the check refuses
  if (!n && n.error().message().empty()) __builtin_trap();
  if (!feed && feed.error().message().empty()) __builtin_trap();
  if (feed && feed->advisories.size() != *n) __builtin_trap();
  return 0;
}
