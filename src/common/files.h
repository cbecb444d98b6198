// Files: small, careful file operations for keys, configuration and other whole-file state.
// A file is written to a temporary name, flushed to disk and renamed into place, so a crash or
// a full disk never leaves half a key behind.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato {

// Writes `data` to `path` atomically with permissions `mode` (default 0600).
Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0600);
// Reads a whole file (at most `max_bytes`; larger files are refused).
Result<std::string> read_file(const std::string& path, size_t max_bytes = 1 << 20);
// Overwrites a regular file in place, once, with random bytes and flushes it (links are not
// followed): what was in it is gone from that inode. Adds the file's size to `*bytes`.
Status overwrite_with_random(const std::string& path, uint64_t* bytes = nullptr);
// Creates a directory with `mode`; refuses if it exists and `must_be_new`.
Status make_dir(const std::string& path, unsigned mode, bool must_be_new);

// A regular file mapped read-only into memory (large archives read once, in place).
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path);
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  ~MappedFile();
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace minato
