// Files: small, careful file operations for keys, configuration and other whole-file state.
// A file is written to a temporary name, flushed to disk and renamed into place, so a crash or
// a full disk never leaves half a key behind.
#pragma once

#include <string>

#include "common/result.h"

namespace minato {

// Writes `data` to `path` atomically with permissions `mode` (default 0600).
Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0600);
// Reads a whole file (at most `max_bytes`; larger files are refused).
Result<std::string> read_file(const std::string& path, size_t max_bytes = 1 << 20);
// Creates a directory with `mode`; refuses if it exists and `must_be_new`.
Status make_dir(const std::string& path, unsigned mode, bool must_be_new);

}  // namespace minato
