// Tar: the one archive form Minato writes and reads back — POSIX ustar, regular files only,
// every header rendered the same way — so that an archive it wrote can be checked byte for
// byte: tar_header() of a member's name, size and time must reproduce its header exactly, the
// padding is zeros, and two zero blocks end it with nothing after. Any tar tool lists and
// extracts it (`tar tvf`). Used by the evidence bundle (audit/evidence.h).
//
//   auto w = TarWriter::create(path + ".partial", mtime_s);
//   w->begin("events.jsonl"); w->write(line); ...; auto m = w->end();   // m->sha256
//   w->add("manifest.json", manifest); w->finish();
//
//   auto entries = read_tar(mapped_bytes, 64);  // strict; errors give the byte offset
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato {

inline constexpr size_t kTarBlock = 512;
inline constexpr size_t kTarMaxName = 99;
inline constexpr uint64_t kTarMaxMember = uint64_t{1} << 33;  // 8 GiB: 11 octal digits

// The 512-byte header of a regular file (mode 0600, owner "minato"). REQUIRES: name is 1 to
// kTarMaxName bytes without NUL; size < 8 GiB; 0 <= mtime_s < 8^11.
std::string tar_header(std::string_view name, uint64_t size, int64_t mtime_s);

struct TarMember {
  std::string name;
  uint64_t size = 0;
  std::string sha256;  // hex, of the content
};

class TarWriter {
 public:
  // Creates `path` (mode 0600; an existing file is refused). Every header carries `mtime_s`.
  static Result<std::unique_ptr<TarWriter>> create(const std::string& path, int64_t mtime_s);
  ~TarWriter();  // closes; an unfinished archive is removed
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Starts a member; its header is written when it ends, once its size is known.
  Status begin(std::string name);
  Status write(std::string_view bytes);
  // Writes the member's header; a member of kTarMaxMember bytes or more is refused (the
  // archive is then unfinished, and removed).
  Result<TarMember> end();
  Result<TarMember> add(std::string name, std::string_view bytes);
  // Ends the archive, flushes it to disk and closes it.
  Status finish();

 private:
  TarWriter() = default;
  Status put(std::string_view bytes);
  Status flush();

  struct Hasher;
  std::string path_;
  int fd_ = -1;
  int64_t mtime_ = 0;
  uint64_t offset_ = 0;     // bytes handed to put() so far
  uint64_t header_at_ = 0;  // where the open member's header goes
  std::string name_;        // the open member ("" = none)
  uint64_t size_ = 0;       // of the open member
  std::unique_ptr<Hasher> hash_;
  std::string buf_;
  bool finished_ = false;
};

struct TarEntry {
  std::string name;
  uint64_t header_offset = 0;  // where its header starts in the archive
  int64_t mtime_s = 0;
  std::string_view data;  // a view into the archive
};

// Reads an archive TarWriter wrote. Anything else — another header form, a link or directory,
// non-zero padding, a truncated member, bytes after the end, more than `max_members` — is an
// error that names the byte offset.
Result<std::vector<TarEntry>> read_tar(std::string_view archive, size_t max_members);

}  // namespace minato
