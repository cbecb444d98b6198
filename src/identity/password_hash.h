// Password hashing with Argon2id (libsodium crypto_pwhash_str). Deliberately slow: verify on
// the bounded login pool, never on a network thread. G2.3-b.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::identity {

struct Argon2Params {
  unsigned long long opslimit = 3;        // passes (crypto_pwhash_OPSLIMIT_MODERATE is 3)
  size_t memlimit = 64ull * 1024 * 1024;  // 64 MiB
};

Result<std::string> hash_password(std::string_view password, const Argon2Params& params = {});
// True when `password` matches the encoded hash. A malformed hash is a mismatch.
bool verify_password(const std::string& encoded, std::string_view password);
// True when `encoded` was made with less memory or fewer passes than `params` asks for now
// (or cannot be read): the password should be re-hashed at the next successful login.
bool hash_weaker_than(const std::string& encoded, const Argon2Params& params);
// A valid hash of a random password, for equal-time handling of unknown users.
const std::string& decoy_hash();

}  // namespace minato::identity
