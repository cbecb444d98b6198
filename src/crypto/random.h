// Random bytes, hashes and encodings over libsodium. init() must run once before any use
// (Runtime and the CLI do it); every function here is thread-safe after that.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::crypto {

// Initialises libsodium. Returns an error if the library cannot start (no entropy source).
Status init();

std::string random_bytes(size_t n);
// A URL-safe random token of `bytes` bytes of entropy (base64url without padding).
std::string random_token(size_t bytes = 32);
// SHA-256 of `data` (32 raw bytes).
std::string sha256(std::string_view data);
std::string to_hex(std::string_view bytes);
Result<std::string> from_hex(std::string_view hex);
std::string to_base64url(std::string_view bytes);
// Comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace minato::crypto
