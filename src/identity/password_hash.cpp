#include "identity/password_hash.h"

#include <sodium.h>

#include "crypto/random.h"

namespace minato::identity {

Result<std::string> hash_password(std::string_view password, const Argon2Params& params) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit, params.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(ErrorCode::kResourceExhausted, "not enough memory to hash the password");
  }
  return std::string(out);
}

bool verify_password(const std::string& encoded, std::string_view password) {
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_hash() {
  static const std::string kDecoy = [] {
    auto h = hash_password(crypto::random_token(24));
    return h ? *h : std::string();
  }();
  return kDecoy;
}

}  // namespace minato::identity
