// TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) over liboath. G2.1.1-b, G2.2.2-d.
// A code is accepted within one step either side of now, and only once: verify() returns the
// time step it matched so the caller can refuse a step at or below the last one accepted.
//
//   auto secret = TotpSecret::generate();
//   secret.base32();   // for the authenticator app / oathtool -b
//   auto step = verify_totp(secret.raw(), "123456", now_s);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::identity {

class TotpSecret {
 public:
  static TotpSecret generate();  // 20 random bytes (160 bits, RFC 4226's recommendation)
  static Result<TotpSecret> from_base32(std::string_view b32);
  static TotpSecret from_raw(std::string raw) { return TotpSecret(std::move(raw)); }
  const std::string& raw() const { return raw_; }
  std::string base32() const;
  // otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
  std::string otpauth_uri(std::string_view issuer, std::string_view account) const;

 private:
  explicit TotpSecret(std::string raw) : raw_(std::move(raw)) {}
  std::string raw_;
};

// Returns the matched time step (unix time / 30), or kUnauthenticated.
Result<int64_t> verify_totp(const std::string& raw_secret, std::string_view code, int64_t now_s,
                            int window = 1);
// The code for `now_s` (tests and the demo's printed example).
std::string totp_code(const std::string& raw_secret, int64_t now_s);

}  // namespace minato::identity
