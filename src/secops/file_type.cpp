#include "secops/file_type.h"

#include <array>

namespace minato::secops {
namespace {

struct Magic {
  size_t offset;
  std::string_view bytes;
  std::string_view kind;  // short name
  std::string_view what;  // for the message
};

using namespace std::string_view_literals;

constexpr std::array kMagics = {
    Magic{0,
          "\x7f"
          "ELF"sv,
          "executable", "an ELF executable"},
    Magic{0, "MZ"sv, "executable", "a Windows executable (MZ/PE)"},
    Magic{0, "\xfe\xed\xfa\xce"sv, "executable", "a Mach-O executable"},
    Magic{0, "\xfe\xed\xfa\xcf"sv, "executable", "a Mach-O executable"},
    Magic{0, "\xce\xfa\xed\xfe"sv, "executable", "a Mach-O executable"},
    Magic{0, "\xcf\xfa\xed\xfe"sv, "executable", "a Mach-O executable"},
    Magic{0, "\xca\xfe\xba\xbe"sv, "executable", "a Mach-O or Java class file"},
    Magic{0, "#!"sv, "script", "a script (#!)"},
    Magic{0, "PK\x03\x04"sv, "archive", "a ZIP archive (or an Office document)"},
    Magic{0, "PK\x05\x06"sv, "archive", "a ZIP archive"},
    Magic{0, "\x1f\x8b"sv, "archive", "a gzip archive"},
    Magic{0, "BZh"sv, "archive", "a bzip2 archive"},
    Magic{0,
          "\xfd"
          "7zXZ\x00"sv,
          "archive", "an xz archive"},
    Magic{0, "7z\xbc\xaf\x27\x1c"sv, "archive", "a 7-Zip archive"},
    Magic{0, "Rar!"sv, "archive", "a RAR archive"},
    Magic{0, "\x28\xb5\x2f\xfd"sv, "archive", "a zstd archive"},
    Magic{257, "ustar"sv, "archive", "a tar archive"},
    Magic{0, "MSCF"sv, "archive", "a Windows cabinet archive"},
    Magic{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv, "office",
          "an OLE2 Office document (may carry macros)"},
    Magic{0, "{\\rtf"sv, "office", "an RTF document"},
    Magic{0, "%PDF"sv, "document", "a PDF document"},
};

bool starts_edifact(std::string_view b) {
  if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
  while (!b.empty() && (b.front() == '\r' || b.front() == '\n' || b.front() == ' ')) {
    b.remove_prefix(1);
  }
  std::string_view tag = b.substr(0, 3);
  return tag == "UNA" || tag == "UNB" || tag == "UNH";
}

// Text: no NUL and no control characters but CR, LF, TAB, and (as the EDIFACT segment
// terminator some systems use) none else. 8-bit bytes are allowed (Latin-1 or UTF-8).
bool is_text(std::string_view b, size_t* bad_at) {
  for (size_t i = 0; i < b.size(); ++i) {
    auto c = static_cast<unsigned char>(b[i]);
    if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') {
      *bad_at = i;
      return false;
    }
    if (c == 0x7f) {
      *bad_at = i;
      return false;
    }
  }
  return true;
}

// JSON text: an object or array from the first non-blank byte to the last (parsed later by
// whoever takes it, with limits).
bool looks_json(std::string_view b) {
  if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
  size_t first = b.find_first_not_of(" \t\r\n");
  size_t last = b.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  return (b[first] == '{' && b[last] == '}') || (b[first] == '[' && b[last] == ']');
}

// `dpkg -l` (dpkg-query -l) as it prints its listing: a fixed header first.
bool looks_dpkg_list(std::string_view b) { return b.starts_with("Desired=Unknown/Install/"); }

bool looks_csv(std::string_view b) {
  // The first line has a separator, and the first few lines agree on how many.
  char sep = 0;
  size_t first_end = b.find('\n');
  std::string_view first = b.substr(0, first_end);
  for (char c : {',', ';', '\t'}) {
    if (first.find(c) != std::string_view::npos) {
      sep = c;
      break;
    }
  }
  if (sep == 0) return false;
  // Records, not lines: a quoted field may hold line breaks (an asset's applications).
  size_t want = 0, n = 1, chars = 0;
  bool quoted = false;
  int records = 0;
  for (size_t i = 0; i <= b.size() && records <= 20; ++i) {
    const char c = i < b.size() ? b[i] : '\n';
    if (c == '"') quoted = !quoted;
    if (quoted || (c != '\n' && c != sep && c != '\r')) {
      ++chars;
      continue;
    }
    if (c == sep) {
      ++n;
      ++chars;
      continue;
    }
    if (c == '\r') continue;
    if (chars > 0) {  // a record ends (blank lines are skipped)
      if (records++ == 0) {
        want = n;
      } else if (n != want) {
        return false;
      }
    }
    n = 1;
    chars = 0;
  }
  return true;
}

// The first name of a PDF that asks for code or an action, "" if none. Names are read as the
// PDF syntax has them: '/' then regular characters, "#xx" standing for one byte.
std::string active_pdf_name(std::string_view b) {
  static constexpr std::array<std::string_view, 11> kActive = {
      "JavaScript", "JS",  "Launch",    "EmbeddedFile", "EmbeddedFiles", "OpenAction",
      "AA",         "XFA", "RichMedia", "SubmitForm",   "ImportData"};
  auto delimiter = [](unsigned char c) {
    return c <= 0x20 || c == '/' || c == '[' || c == ']' || c == '(' || c == ')' || c == '<' ||
           c == '>' || c == '{' || c == '}' || c == '%' || c >= 0x7f;
  };
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] != '/') continue;
    std::string name;
    size_t j = i + 1;
    while (j < b.size() && !delimiter(static_cast<unsigned char>(b[j])) && name.size() < 64) {
      if (b[j] == '#' && j + 2 < b.size() && hex(b[j + 1]) >= 0 && hex(b[j + 2]) >= 0) {
        name.push_back(static_cast<char>(hex(b[j + 1]) * 16 + hex(b[j + 2])));
        j += 3;
      } else {
        name.push_back(b[j++]);
      }
    }
    for (auto a : kActive) {
      if (name == a) return name;
    }
    i = j - 1;
  }
  return "";
}

}  // namespace

std::string_view to_string(FileType t) {
  switch (t) {
    case FileType::kEdifact:
      return "edifact";
    case FileType::kCsv:
      return "csv";
    case FileType::kJson:
      return "json";
    case FileType::kDpkgList:
      return "dpkg-list";
    case FileType::kZip:
      return "zip";
    case FileType::kPdf:
      return "pdf";
    case FileType::kPng:
      return "png";
    case FileType::kJpeg:
      return "jpeg";
    case FileType::kText:
      return "text";
  }
  return "unknown";
}

Result<FileType> classify_file(std::string_view b, std::string* looks_like) {
  auto refuse = [&](std::string_view kind, const std::string& message) {
    if (looks_like) *looks_like = std::string(kind);
    return fail(ErrorCode::kInvalidArgument, message, "file");
  };
  if (b.empty())
    return refuse(
        "empty",
        "the file is empty: only EDIFACT, CSV or JSON text (or a dpkg listing) is taken in");
  for (const Magic& m : kMagics) {
    if (b.size() >= m.offset + m.bytes.size() && b.substr(m.offset, m.bytes.size()) == m.bytes) {
      // "MZ" is two letters a CSV line could begin with; a DOS/PE header has NULs right after.
      if (m.bytes == "MZ" && b.substr(0, 64).find('\0') == std::string_view::npos) continue;
      return refuse(m.kind, "the file is " + std::string(m.what) +
                                ": only EDIFACT, CSV or JSON text (or a dpkg listing) is taken in");
    }
  }
  size_t bad_at = 0;
  if (!is_text(b, &bad_at)) {
    return refuse("binary",
                  "the file is not text (a control byte at offset " + std::to_string(bad_at) +
                      "): only EDIFACT, CSV or JSON text (or a dpkg listing) is taken in");
  }
  if (starts_edifact(b)) return FileType::kEdifact;
  if (looks_json(b)) return FileType::kJson;
  if (looks_dpkg_list(b)) return FileType::kDpkgList;
  if (looks_csv(b)) return FileType::kCsv;
  return refuse(
      "text",
      "the file is text but neither EDIFACT (it does not start with UNA, UNB "
      "or UNH), CSV nor JSON: only EDIFACT, CSV or JSON text (or a dpkg listing) is taken in");
}

Result<FileType> classify_evidence(std::string_view b, std::string* looks_like) {
  constexpr std::string_view kTaken =
      ": evidence is taken in as a PDF without active content, a PNG or JPEG image, or text";
  auto refuse = [&](std::string_view kind, const std::string& message) {
    if (looks_like) *looks_like = std::string(kind);
    return fail(ErrorCode::kInvalidArgument, message + std::string(kTaken), "file");
  };
  if (b.empty()) return refuse("empty", "the file is empty");
  if (b.starts_with("%PDF-")) {
    std::string active = active_pdf_name(b);
    if (!active.empty()) {
      return refuse("active-pdf", "the PDF carries active content (/" + active + ")");
    }
    return FileType::kPdf;
  }
  if (b.starts_with("\x89PNG\r\n\x1a\n")) return FileType::kPng;
  if (b.starts_with("\xff\xd8\xff")) return FileType::kJpeg;
  for (const Magic& m : kMagics) {
    if (b.size() >= m.offset + m.bytes.size() && b.substr(m.offset, m.bytes.size()) == m.bytes) {
      if (m.bytes == "MZ" && b.substr(0, 64).find('\0') == std::string_view::npos) continue;
      return refuse(m.kind, "the file is " + std::string(m.what));
    }
  }
  size_t bad_at = 0;
  if (!is_text(b, &bad_at)) {
    return refuse("binary", "the file is not text (a control byte at offset " +
                                std::to_string(bad_at) + ") nor a PDF or an image");
  }
  return FileType::kText;
}

}  // namespace minato::secops
