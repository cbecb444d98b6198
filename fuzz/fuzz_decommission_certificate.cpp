// Decommission certificates (G2.6.1-c, G2.6.3) as the asset register receives them: a file from
// outside. Any bytes give a check or an error, never a crash; and a body signed here verifies
// under its key, while the same certificate with one byte of its body changed never does.
#include <boost/json.hpp>

#include <cstdint>
#include <string>

#include "app/decommission_certificate.h"
#include "crypto/keys.h"
#include "crypto/random.h"

using namespace minato;

namespace {

const crypto::SigningKey& key() {
  static const crypto::SigningKey k = crypto::SigningKey::generate();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto any = app::verify_certificate(s, "", "the certificate");
  if (!any && any.error().message().empty()) __builtin_trap();
  boost::system::error_code ec;
  auto v = boost::json::parse(s, ec);
  if (ec || !v.is_object()) return 0;
  std::string text = app::sign_certificate(v.as_object(), key());
  const std::string fp = crypto::to_hex(crypto::sha256(key().public_key()));
  auto c = app::verify_certificate(text, fp, "the certificate");
  if (c && c->fingerprint != fp) __builtin_trap();
  const size_t body = text.rfind("\nminato-signature: ");
  if (body == std::string::npos || body < 2) __builtin_trap();
  text[(size % body) + 1] ^= 0x01;  // a byte of the body, after its opening brace
  if (app::verify_certificate(text, fp, "the certificate")) __builtin_trap();
  return 0;
}
