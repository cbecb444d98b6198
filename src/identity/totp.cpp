#include "identity/totp.h"

#include <liboath/oath.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

#include "crypto/random.h"

namespace minato::identity {

namespace {

void oath_once() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

std::string uri_escape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

TotpSecret TotpSecret::generate() { return TotpSecret(crypto::random_bytes(20)); }

Result<TotpSecret> TotpSecret::from_base32(std::string_view b32) {
  oath_once();
  char* out = nullptr;
  size_t len = 0;
  if (oath_base32_decode(b32.data(), b32.size(), &out, &len) != OATH_OK || len < 10) {
    std::free(out);
    return fail(ErrorCode::kInvalidArgument, "TOTP secret is not valid base32", "totp_secret");
  }
  std::string raw(out, len);
  std::free(out);
  return TotpSecret(std::move(raw));
}

std::string TotpSecret::base32() const {
  oath_once();
  char* out = nullptr;
  size_t len = 0;
  oath_base32_encode(raw_.data(), raw_.size(), &out, &len);
  std::string s(out, len);
  std::free(out);
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string TotpSecret::otpauth_uri(std::string_view issuer, std::string_view account) const {
  return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(account) +
         "?secret=" + base32() + "&issuer=" + uri_escape(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

Result<int64_t> verify_totp(const std::string& raw_secret, std::string_view code, int64_t now_s,
                            int window) {
  oath_once();
  if (code.size() != 6) return fail(ErrorCode::kUnauthenticated, "TOTP code must be 6 digits");
  for (char c : code) {
    if (c < '0' || c > '9') return fail(ErrorCode::kUnauthenticated, "TOTP code must be 6 digits");
  }
  std::string otp(code);
  uint64_t counter = 0;
  int pos = 0;
  int rc = oath_totp_validate4(raw_secret.data(), raw_secret.size(), static_cast<time_t>(now_s),
                               OATH_TOTP_DEFAULT_TIME_STEP_SIZE, OATH_TOTP_DEFAULT_START_TIME,
                               static_cast<size_t>(window), &pos, &counter, 0, otp.c_str());
  if (rc < 0) return fail(ErrorCode::kUnauthenticated, "TOTP code is not valid now");
  return static_cast<int64_t>(counter);
}

std::string totp_code(const std::string& raw_secret, int64_t now_s) {
  oath_once();
  char out[16] = {0};
  oath_totp_generate(raw_secret.data(), raw_secret.size(), static_cast<time_t>(now_s),
                     OATH_TOTP_DEFAULT_TIME_STEP_SIZE, OATH_TOTP_DEFAULT_START_TIME, 6, out);
  return out;
}

}  // namespace minato::identity
