// WebAuthn responses come from the network before any login: attestation objects, COSE keys
// and authenticator data must be parsed (libcbor) or refused, never crash or leak. The client
// data is made valid so the fuzzer reaches the CBOR and key parsing behind it.
#include <cstdint>
#include <string>

#include "identity/webauthn.h"

namespace wa = minato::identity::webauthn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string challenge = "0123456789abcdef0123456789abcdef";
  const wa::RelyingParty rp{"localhost", "https://localhost:8443", false};
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto client_data = [&](const char* type) {
    return std::string(R"({"type":")") + type + R"(","challenge":")" +
           wa::base64url_encode(challenge) + R"(","origin":"https://localhost:8443"})";
  };
  switch (data[0] % 3) {
    case 0:  // an attestation object
      (void)wa::verify_registration(rp, challenge, {client_data("webauthn.create"), input});
      break;
    case 1: {  // a stored COSE key against a well-formed assertion shape
      wa::Credential c;
      c.public_key = input;
      (void)wa::verify_assertion(rp, challenge, c,
                                 {client_data("webauthn.get"), std::string(37, '\x01'), "sig"});
      break;
    }
    default: {  // authenticator data of an assertion; the rest of the input as signature
      size_t cut = input.size() / 2;
      wa::Credential c;
      c.public_key =
          std::string("\xa4\x01\x01\x03\x27\x20\x06\x21\x58\x20", 10) + std::string(32, '\x11');
      (void)wa::verify_assertion(
          rp, challenge, c, {client_data("webauthn.get"), input.substr(0, cut), input.substr(cut)});
      break;
    }
  }
  return 0;
}
