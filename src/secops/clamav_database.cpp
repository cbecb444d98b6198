#include "secops/clamav_database.h"

#include <vector>

namespace minato::secops {

std::string_view to_string(DatabaseKind k) {
  switch (k) {
    case DatabaseKind::kCvd:
      return "cvd";
    case DatabaseKind::kCld:
      return "cld";
    case DatabaseKind::kCud:
      return "cud";
  }
  return "cvd";
}

std::string ClamavDatabase::file_name() const { return name + "." + std::string(to_string(kind)); }

namespace {

Error bad(std::string_view file_name, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument,
               std::string(file_name) + " is not a ClamAV signature database: " + what, "file");
}

bool number(std::string_view s, int64_t max, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

}  // namespace

Result<ClamavDatabase> parse_clamav_database(std::string_view file_name, std::string_view data) {
  std::string_view base = file_name.substr(file_name.rfind('/') + 1);
  const size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) {
    return fail(bad(file_name, "its name has no .cvd, .cld or .cud extension"));
  }
  ClamavDatabase db;
  std::string_view ext = base.substr(dot + 1);
  if (ext == "cvd") {
    db.kind = DatabaseKind::kCvd;
  } else if (ext == "cld") {
    db.kind = DatabaseKind::kCld;
  } else if (ext == "cud") {
    db.kind = DatabaseKind::kCud;
  } else {
    return fail(bad(file_name, "its extension is not .cvd, .cld or .cud"));
  }
  db.name = std::string(base.substr(0, dot));
  if (db.name.empty() || db.name.size() > 32) {
    return fail(bad(file_name, "a database name has 1-32 characters (daily, main, bytecode)"));
  }
  for (char c : db.name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return fail(
          bad(file_name, "a database name is a-z, 0-9, '-' and '_' (daily, main, bytecode)"));
    }
  }
  if (data.size() <= kClamavHeaderBytes) {
    return fail(bad(file_name, "it has " + std::to_string(data.size()) +
                                   " bytes, not a 512-byte header and content"));
  }
  std::string_view header = data.substr(0, kClamavHeaderBytes);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\0')) {
    header.remove_suffix(1);
  }
  for (char c : header) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      return fail(bad(file_name, "its header holds a byte that is not printable ASCII"));
    }
  }
  std::vector<std::string_view> f;
  size_t at = 0;
  for (;;) {
    size_t colon = header.find(':', at);
    f.push_back(header.substr(at, colon == std::string_view::npos ? colon : colon - at));
    if (colon == std::string_view::npos) break;
    at = colon + 1;
  }
  if (f.size() < 9 || f[0] != "ClamAV-VDB") {
    return fail(bad(file_name,
                    "its header does not read ClamAV-VDB:time:version:signatures:"
                    "level:md5:signature:builder:time"));
  }
  int64_t level = 0, seconds = 0;
  if (!number(f[2], 1'000'000'000, &db.version) || db.version == 0) {
    return fail(bad(file_name, "its version \"" + std::string(f[2]) + "\" is not a number"));
  }
  if (!number(f[3], 1'000'000'000, &db.signatures)) {
    return fail(bad(file_name, "its signature count is not a number"));
  }
  if (!number(f[4], 100'000, &level)) {
    return fail(bad(file_name, "its functionality level is not a number"));
  }
  db.functionality_level = static_cast<int>(level);
  if (!number(f[8], 32'503'680'000, &seconds)) {  // before the year 3000
    return fail(bad(file_name, "its build time \"" + std::string(f[8]) + "\" is not a number"));
  }
  db.built_us = seconds * 1'000'000;
  db.builder = std::string(f[7].substr(0, 64));
  return db;
}

}  // namespace minato::secops
