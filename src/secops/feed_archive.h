// OSV's whole-ecosystem archives ("all.zip": one OSV record per .json file) for the
// vulnerability register (G2.7.5), read in memory with libzip under limits that a zip bomb or a
// mislabelled archive cannot get past:
//   - a ZIP (libzip's consistency check), at most max_entries entries;
//   - every entry a plain file named *.json at the top (no directories, no "..", no absolute
//     or hidden names), not encrypted, stored or deflated;
//   - declared sizes: each at most max_entry_bytes, all together at most max_total_bytes, and
//     no entry that inflates more than max_ratio times its stored size;
//   - and, reading, never more than an entry declares (a lying header is refused) and its
//     CRC checked by libzip.
// check_feed_archive() is what the media intake runs before the scanner sees the file;
// read_osv_archive() parses every entry as one OSV record, and refuses the whole archive when
// one entry is bad, naming it. No I/O: the bytes are in memory.
#pragma once

#include <cstdint>
#include <string_view>

#include "secops/advisory.h"

namespace minato::secops {

struct ArchiveLimits {
  size_t max_entries = 500'000;
  uint64_t max_entry_bytes = 4u << 20;
  uint64_t max_total_bytes = uint64_t{1} << 30;
  uint64_t max_ratio = 100;
};

// Whether the bytes start as a ZIP archive does.
bool looks_like_zip(std::string_view bytes);

// Checks the archive's directory against the limits. Returns the number of entries.
Result<size_t> check_feed_archive(std::string_view bytes, const ArchiveLimits& limits);

// Every entry as an OSV record: a Feed of kind "osv".
Result<Feed> read_osv_archive(std::string_view bytes, const ArchiveLimits& limits);

}  // namespace minato::secops
