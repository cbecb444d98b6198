// A software WebAuthn authenticator for tests: an Ed25519 (EdDSA) key pair, attestation
// "none", and a sign counter. It builds the exact bytes a browser passes on (CBOR by hand, so
// the server's libcbor parsing is tested against an independent encoder).
#pragma once

#include <string>

#include "crypto/keys.h"
#include "crypto/random.h"
#include "identity/webauthn.h"

namespace minato::testing {

class SoftAuthenticator {
 public:
  SoftAuthenticator(std::string rp_id, std::string origin)
      : rp_id_(std::move(rp_id)), origin_(std::move(origin)) {}

  const std::string& credential_id() const { return id_; }
  uint32_t counter() const { return counter_; }
  void set_counter(uint32_t c) { counter_ = c; }
  void set_origin(std::string o) { origin_ = std::move(o); }

  identity::webauthn::RegistrationResponse create(const std::string& challenge) {
    std::string cose = "\xa4\x01\x01\x03\x27\x20\x06\x21\x58\x20" + key_.public_key();
    std::string auth = crypto::sha256(rp_id_) + std::string(1, '\x45') + be32(counter_) +
                       std::string(16, '\0') + std::string(1, '\0') +
                       std::string(1, static_cast<char>(id_.size())) + id_ + cose;
    std::string att =
        "\xa3\x63"
        "fmt"
        "\x64"
        "none"
        "\x67"
        "attStmt"
        "\xa0"
        "\x68"
        "authData";
    att += "\x58" + std::string(1, static_cast<char>(auth.size())) + auth;
    return {client_data("webauthn.create", challenge), att};
  }

  identity::webauthn::AssertionResponse get(const std::string& challenge) {
    ++counter_;
    std::string auth = crypto::sha256(rp_id_) + std::string(1, '\x05') + be32(counter_);
    std::string cd = client_data("webauthn.get", challenge);
    return {cd, auth, key_.sign(auth + crypto::sha256(cd))};
  }

 private:
  static std::string be32(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 3; i >= 0; --i, v >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    return s;
  }
  std::string client_data(const char* type, const std::string& challenge) const {
    return std::string(R"({"type":")") + type + R"(","challenge":")" +
           identity::webauthn::base64url_encode(challenge) + R"(","origin":")" + origin_ +
           R"(","crossOrigin":false})";
  }

  std::string rp_id_, origin_;
  std::string id_ = crypto::random_bytes(16);
  crypto::SigningKey key_ = crypto::SigningKey::generate();
  uint32_t counter_ = 0;
};

}  // namespace minato::testing
