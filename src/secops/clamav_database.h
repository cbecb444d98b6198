// ClamAV signature database files as freshclam writes them, for the offline update of an
// air-gapped terminal's scanner (G2.7.1-b): "daily.cvd", "main.cvd", "bytecode.cvd" and their
// ".cld" (a CVD brought up to date by incremental diffs) and ".cud" (an unsigned container, as
// `sigtool --build --unsigned` makes one) forms.
//
// Such a file opens with a 512-byte header, padded with spaces:
//   ClamAV-VDB:<build time>:<version>:<signatures>:<functionality level>:<MD5>:<digital
//   signature>:<builder>:<build time in seconds since 1970>
// followed by a gzip'd tar of the signatures. This reads the header only; whether ClamAV's
// signature over the content holds is sigtool's to say (secops/sigtool.h).
//
//   auto db = parse_clamav_database("daily.cvd", bytes);
//   db->name == "daily", db->kind == DatabaseKind::kCvd, db->version == 27450
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::secops {

enum class DatabaseKind { kCvd, kCld, kCud };
std::string_view to_string(DatabaseKind k);  // "cvd", "cld", "cud"

struct ClamavDatabase {
  std::string name;  // the database: "daily", "main", "bytecode" (a-z, 0-9, '-', '_')
  DatabaseKind kind = DatabaseKind::kCvd;
  int64_t version = 0;
  int64_t signatures = 0;
  int functionality_level = 0;
  int64_t built_us = 0;  // the build time (UTC)
  std::string builder;
  // The file name it is installed under: name + "." + kind.
  std::string file_name() const;
};

// The header's size; every database file is longer.
constexpr size_t kClamavHeaderBytes = 512;

// Reads the header of `data`, named `file_name` (only the extension and the stem are used:
// "daily.cvd", or a path ending in it). kInvalidArgument, naming what is wrong, for anything
// else: another extension, a stem that is not a database name, a header that is not ClamAV's.
Result<ClamavDatabase> parse_clamav_database(std::string_view file_name, std::string_view data);

}  // namespace minato::secops
