// WebAuthn (W3C Web Authentication, Level 2 §7) verified on the server (G2.1.1-b, G2.2.2-d):
// security keys and platform authenticators as a second factor. CBOR is read with libcbor,
// signatures checked with OpenSSL. ES256 (COSE -7, P-256) and EdDSA (COSE -8, Ed25519).
//
//   Registration (§7.1): clientDataJSON type "webauthn.create", the challenge we issued, our
//   origin, not cross-origin; attestationObject with authenticator data whose rpIdHash is
//   SHA-256(rp id), user present (and verified when required), attested credential data with
//   a COSE key of an allowed algorithm; attestation "none", or "packed" (self attestation, or
//   an x5c certificate whose key verifies the signature — the chain itself is not judged:
//   Minato asks for "none" and trusts the enrolment session, not the maker).
//   Assertion (§7.2): type "webauthn.get", challenge, origin, rpIdHash, flags, a signature over
//   authenticatorData || SHA-256(clientDataJSON) by the stored key, and a sign counter that
//   grows (a counter that does not is a cloned authenticator, unless both are zero).
//
// Each refusal names the check that failed ("origin", "challenge", "rpIdHash", "flags",
// "counter", "signature", ...), for the audit log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::identity::webauthn {

constexpr int kES256 = -7;
constexpr int kEdDSA = -8;

struct RelyingParty {
  std::string id;      // "terminal.example.jp"
  std::string origin;  // "https://terminal.example.jp:8443"
  bool require_user_verification = false;
};

struct Credential {
  std::string id;          // raw credential id
  std::string public_key;  // COSE_Key bytes
  int alg = 0;
  uint32_t sign_count = 0;
  std::string aaguid;  // 16 bytes
  std::string fmt;     // attestation format seen at registration
  bool user_verified = false;
};

// Raw bytes (already base64url-decoded).
struct RegistrationResponse {
  std::string client_data_json;
  std::string attestation_object;
};

struct AssertionResponse {
  std::string client_data_json;
  std::string authenticator_data;
  std::string signature;
};

Result<Credential> verify_registration(const RelyingParty& rp, std::string_view challenge,
                                       const RegistrationResponse& response);

// Verifies an assertion for `stored` and returns the new sign count.
Result<uint32_t> verify_assertion(const RelyingParty& rp, std::string_view challenge,
                                  const Credential& stored, const AssertionResponse& response);

std::string base64url_encode(std::string_view raw);
// Accepts base64url with or without padding; refuses anything else.
Result<std::string> base64url_decode(std::string_view text);

}  // namespace minato::identity::webauthn
