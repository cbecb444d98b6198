#include "identity/password_hash.h"

#include <sodium.h>

#include <cstring>

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

bool hash_weaker_than(const std::string& encoded, const Argon2Params& params) {
  // "$argon2id$v=19$m=65536,t=3,p=1$salt$hash"
  auto field = [&](const char* key) -> long long {
    auto pos = encoded.find(key);
    if (pos == std::string::npos) return -1;
    long long v = 0;
    size_t i = pos + std::strlen(key);
    if (i >= encoded.size() || encoded[i] < '0' || encoded[i] > '9') return -1;
    for (; i < encoded.size() && encoded[i] >= '0' && encoded[i] <= '9' && v < (1LL << 40); ++i) {
      v = v * 10 + (encoded[i] - '0');
    }
    return v;
  };
  if (encoded.rfind("$argon2id$", 0) != 0) return true;
  long long m_kib = field("$m="), t = field(",t=");
  if (m_kib < 0 || t < 0) return true;
  return static_cast<unsigned long long>(m_kib) * 1024 < params.memlimit ||
         static_cast<unsigned long long>(t) < params.opslimit;
}

const std::string& decoy_hash() {
  static const std::string kDecoy = [] {
    auto h = hash_password(crypto::random_token(24));
    return h ? *h : std::string();
  }();
  return kDecoy;
}

}  // namespace minato::identity
