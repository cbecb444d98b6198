// WebAuthn verification against recorded registrations and assertions. The vectors are real
// authenticator output recorded by the duo-labs/py_webauthn project for its own test suite
// (tests/test_verify_registration_response.py, tests/test_verify_authentication_response.py):
// relying party "localhost", origin "http://localhost:5000". Each check also has a negative
// test that changes exactly what that check guards.
#include "identity/webauthn.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace minato::identity::webauthn {
namespace {

std::string b64(std::string_view s) {
  auto r = base64url_decode(s);
  EXPECT_TRUE(r) << s;
  return r ? *r : std::string();
}

const RelyingParty kRp{"localhost", "http://localhost:5000", false};

// Registration, attestation "none", ES256 (py_webauthn: test_verifies_none_attestation_response).
const char* kNoneChallenge =
    "TwN7n4WTyGKLc4ZY-qGsFqKnHM4nglqsyV0ICJlN2TO9XiRyFtrkaDwUvsql-gkLJXP6fnF1MlrZ53Mm4R7Cvw";
const char* kNoneAttestation =
    "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjESZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NFAAAAFwAAAA"
    "AAAAAAAAAAAAAAAAAAQPctcQPE5oNRRJk_nO_371mf7qE7qIodzr0eOf6ACvnMB1oQG165dqutoi1U44shGezu5_gkTjmO"
    "PeJO0N8a7P-lAQIDJiABIVggSFbUJF-42Ug3pdM8rDRFu_N5oiVEysPDB6n66r_7dZAiWCDUVnB39FlGypL-qAoIO9xWHt"
    "Jygo2jfDmHl-_eKFRLDA";
const char* kNoneClientData =
    "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiVHdON240V1R5R0tMYzRaWS1xR3NGcUtuSE00bmdscX"
    "N5VjBJQ0psTjJUTzlYaVJ5RnRya2FEd1V2c3FsLWdrTEpYUDZmbkYxTWxyWjUzTW00UjdDdnciLCJvcmlnaW4iOiJodHRw"
    "Oi8vbG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9";

// Registration, attestation "packed" with an x5c certificate (a YubiKey), ES256.
const char* kPackedChallenge =
    "8LBCiOY3q1cBZHFAWtS4AZZChzGphy67lK7I70zKi4yC7pgrQ2Pch7nAjLk1wq9greshIAsW2AjibhXjjI0TmQ";
const char* kPackedAttestation =
    "o2NmbXRmcGFja2VkZ2F0dFN0bXSjY2FsZyZjc2lnWEcwRQIhAOfrFlQpbavT6dJeTDJSCDzYSYPjBDHli2-syT2c1IiKAi"
    "Ax5gQ2z5cHjdQX-jEHTb7JcjfQoVSW8fXszF5ihSgeOGN4NWOBWQLBMIICvTCCAaWgAwIBAgIEKudiYzANBgkqhkiG9w0B"
    "AQsFADAuMSwwKgYDVQQDEyNZdWJpY28gVTJGIFJvb3QgQ0EgU2VyaWFsIDQ1NzIwMDYzMTAgFw0xNDA4MDEwMDAwMDBaGA"
    "8yMDUwMDkwNDAwMDAwMFowbjELMAkGA1UEBhMCU0UxEjAQBgNVBAoMCVl1YmljbyBBQjEiMCAGA1UECwwZQXV0aGVudGlj"
    "YXRvciBBdHRlc3RhdGlvbjEnMCUGA1UEAwweWXViaWNvIFUyRiBFRSBTZXJpYWwgNzE5ODA3MDc1MFkwEwYHKoZIzj0CAQ"
    "YIKoZIzj0DAQcDQgAEKgOGXmBD2Z4R_xCqJVRXhL8Jr45rHjsyFykhb1USGozZENOZ3cdovf5Ke8fj2rxi5tJGn_VnW4_6"
    "iQzKdIaeP6NsMGowIgYJKwYBBAGCxAoCBBUxLjMuNi4xLjQuMS40MTQ4Mi4xLjEwEwYLKwYBBAGC5RwCAQEEBAMCBDAwIQ"
    "YLKwYBBAGC5RwBAQQEEgQQbUS6m_bsLkm5MAyP6SDLczAMBgNVHRMBAf8EAjAAMA0GCSqGSIb3DQEBCwUAA4IBAQByV9A8"
    "3MPhFWmEkNb4DvlbUwcjc9nmRzJjKxHc3HeK7GvVkm0H4XucVDB4jeMvTke0WHb_jFUiApvpOHh5VyMx5ydwFoKKcRs5x0"
    "_WwSWL0eTZ5WbVcHkDR9pSNcA_D_5AsUKOBcbpF5nkdVRxaQHuuIuwV4k1iK2IqtMNcU8vL6w21U261xCcWwJ6sMq4zzVO"
    "8QCKCQhsoIaWrwz828GDmPzfAjFsJiLJXuYivdHACkeJ5KHMt0mjVLpfJ2BCML7_rgbmvwL7wBW80VHfNdcKmKjkLcpEiP"
    "zwcQQhiN_qHV90t-p4iyr5xRSpurlP5zic2hlRkLKxMH2_kRjhqSn4aGF1dGhEYXRhWMRJlg3liA6MaHQ0Fw9kdmBbj-Su"
    "uaKGMseZXPO6gx2XY0UAAAA0bUS6m_bsLkm5MAyP6SDLcwBAsyGQPDZRUYdb4m3rdWeyPaIMYlbmydGp1TP_33vE_lqJ3P"
    "HNyTd0iKsnKr5WjnCcBzcesZrDEfB_RBLFzU3k46UBAgMmIAEhWCBAX_i3O3DvBnkGq_uLNk_PeAX5WwO_MIxBp0mhX6Lw"
    "7yJYIOW-1-Fch829McWvRUYAHTWZTx5IycKSGECL1UzUaK_8";
const char* kPackedClientData =
    "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiOExCQ2lPWTNxMWNCWkhGQVd0UzRBWlpDaHpHcGh5Nj"
    "dsSzdJNzB6S2k0eUM3cGdyUTJQY2g3bkFqTGsxd3E5Z3Jlc2hJQXNXMkFqaWJoWGpqSTBUbVEiLCJvcmlnaW4iOiJodHRw"
    "Oi8vbG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9";

// Assertion, ES256 (test_verify_authentication_response_with_EC2_public_key): counter 77 -> 78.
const char* kEsChallenge =
    "xi30GPGAFYRxVDpY1sM10DaLzVQG66nv-_7RUazH0vI2YvG8LYgDEnvN5fZZNVuvEDuMi9te3VLqb42N0fkLGA";
const char* kEsKey =
    "pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDSA_Ngtk"
    "x0vGpvPHI";
const char* kEsAuthData = "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MBAAAATg";
const char* kEsClientData =
    "eyJjaGFsbGVuZ2UiOiJ4aTMwR1BHQUZZUnhWRHBZMXNNMTBEYUx6VlFHNjZudi1fN1JVYXpIMHZJMll2RzhMWWdERW52Tj"
    "VmWlpOVnV2RUR1TWk5dGUzVkxxYjQyTjBma0xHQSIsImNsaWVudEV4dGVuc2lvbnMiOnt9LCJoYXNoQWxnb3JpdGhtIjoi"
    "U0hBLTI1NiIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6NTAwMCIsInR5cGUiOiJ3ZWJhdXRobi5nZXQifQ";
const char* kEsSignature =
    "MEUCIGisVZOBapCWbnJJvjelIzwpixxIwkjCCb5aCHafQu68AiEA88v-2pJNNApPFwAKFiNuf82-"
    "2hBxYW5kGwVweeoxCwo";

// Assertion, EdDSA (test_verify_authentication_response_with_OKP_public_key): counter 3 -> 7.
const char* kEdChallenge =
    "eZ4eeA3O4jy5FIzqDaSJ6JDNGu0bBc5zI1DjQ_kLso1WNqkG6k5mCYf1dtQhVUiBWZWlZkzR5MFeeWCpJRUNXw";
const char* kEdKey = "pAEBAycgBiFYIMz6_SUFLiDid2Yhlq0YboyJ-CDrIrNpkPUGmJp4D3Dp";
const char* kEdAuthData = "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MBAAAABw";
const char* kEdClientData =
    "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiZVo0ZWVBM080ank1Rkl6cURhU0o2SkROR3UwYkJjNXpJMU"
    "RqUV9rTHNvMVdOcWtHNms1bUNZZjFkdFFoVlVpQldaV2xaa3pSNU1GZWVXQ3BKUlVOWHciLCJvcmlnaW4iOiJodHRwOi8v"
    "bG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9";
const char* kEdSignature =
    "RRWV8mYDRvK7YdQgdtZD4pJ2dh1D_IWZ_D6jsZo6FHJBoenbj0CVT5nA20vUzlRhN4R6dOEUHmUwP1F8eRBhBg";

Credential stored(const char* key, uint32_t count, int alg) {
  Credential c;
  c.public_key = b64(key);
  c.sign_count = count;
  c.alg = alg;
  return c;
}

AssertionResponse es_assertion() {
  return {b64(kEsClientData), b64(kEsAuthData), b64(kEsSignature)};
}

// The check a refusal names (the error's field).
std::string failed_check(const Result<uint32_t>& r) {
  return r ? std::string("none") : r.error().field();
}
std::string failed_check(const Result<Credential>& r) {
  return r ? std::string("none") : r.error().field();
}

TEST(WebAuthn, G2_1_1_b_RegistrationWithNoneAttestation) {
  auto c =
      verify_registration(kRp, b64(kNoneChallenge), {b64(kNoneClientData), b64(kNoneAttestation)});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->fmt, "none");
  EXPECT_EQ(c->alg, kES256);
  EXPECT_EQ(c->sign_count, 23u);
  EXPECT_EQ(
      base64url_encode(c->id),
      "9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY494k7Q3xrs_w");
  EXPECT_EQ(
      base64url_encode(c->public_key),
      "pQECAyYgASFYIEhW1CRfuNlIN6XTPKw0RbvzeaIlRMrDwwep-uq_-3WQIlgg1FZwd_RZRsqS_qgKCDvcVh7ScoK"
      "No3w5h5fv3ihUSww");
  EXPECT_EQ(c->aaguid, std::string(16, '\0'));
}

TEST(WebAuthn, G2_1_1_b_RegistrationWithPackedAttestationCertificate) {
  auto c = verify_registration(kRp, b64(kPackedChallenge),
                               {b64(kPackedClientData), b64(kPackedAttestation)});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->fmt, "packed");
  EXPECT_EQ(c->sign_count, 52u);
  // The attestation statement is signed over authData || clientDataHash: another client data
  // (same challenge and origin, other bytes) breaks it.
  std::string other = R"({"type":"webauthn.create","challenge":")" + std::string(kPackedChallenge) +
                      R"(","origin":"http://localhost:5000"})";
  auto forged = verify_registration(kRp, b64(kPackedChallenge), {other, b64(kPackedAttestation)});
  EXPECT_EQ(failed_check(forged), "signature");
}

TEST(WebAuthn, RegistrationNegativeChecks) {
  const RegistrationResponse good{b64(kNoneClientData), b64(kNoneAttestation)};
  EXPECT_EQ(failed_check(verify_registration(kRp, "other challenge", good)), "challenge");
  EXPECT_EQ(failed_check(verify_registration({"localhost", "https://evil.example", false},
                                             b64(kNoneChallenge), good)),
            "origin");
  EXPECT_EQ(failed_check(verify_registration({"example.com", "http://localhost:5000", false},
                                             b64(kNoneChallenge), good)),
            "rpIdHash");
  // Flags: clear user presence, or user verification when it is required. Attestation
  // "none" signs nothing, so the edited object is otherwise valid.
  std::string att = b64(kNoneAttestation);
  size_t flags_at = att.find(crypto::sha256("localhost")) + 32;
  ASSERT_EQ(static_cast<uint8_t>(att[flags_at]), 0x45);  // UP | UV | AT
  std::string no_up = att, no_uv = att;
  no_up[flags_at] = 0x44;
  no_uv[flags_at] = 0x41;
  EXPECT_EQ(
      failed_check(verify_registration(kRp, b64(kNoneChallenge), {b64(kNoneClientData), no_up})),
      "flags");
  EXPECT_TRUE(verify_registration(kRp, b64(kNoneChallenge), {b64(kNoneClientData), no_uv}));
  EXPECT_EQ(failed_check(verify_registration({"localhost", "http://localhost:5000", true},
                                             b64(kNoneChallenge), {b64(kNoneClientData), no_uv})),
            "flags");
  // An assertion's client data is not a registration.
  EXPECT_EQ(failed_check(verify_registration(kRp, b64(kEsChallenge),
                                             {b64(kEsClientData), b64(kNoneAttestation)})),
            "type");
  // Truncated or garbage attestation objects are refused, not crashed on.
  for (size_t cut : {size_t{0}, size_t{10}, att.size() / 2, att.size() - 1}) {
    EXPECT_FALSE(
        verify_registration(kRp, b64(kNoneChallenge), {b64(kNoneClientData), att.substr(0, cut)}))
        << cut;
  }
  EXPECT_FALSE(verify_registration(kRp, b64(kNoneChallenge), {b64(kNoneClientData), att + "x"}));
}

TEST(WebAuthn, G2_1_1_b_AssertionES256) {
  auto n = verify_assertion(kRp, b64(kEsChallenge), stored(kEsKey, 77, kES256), es_assertion());
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 78u);
}

TEST(WebAuthn, G2_1_1_b_AssertionEdDSA) {
  auto n = verify_assertion(kRp, b64(kEdChallenge), stored(kEdKey, 3, kEdDSA),
                            {b64(kEdClientData), b64(kEdAuthData), b64(kEdSignature)});
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 7u);
}

TEST(WebAuthn, AssertionNegativeChecks) {
  const auto key = stored(kEsKey, 77, kES256);
  const std::string ch = b64(kEsChallenge);
  EXPECT_EQ(failed_check(verify_assertion(kRp, "not it", key, es_assertion())), "challenge");
  EXPECT_EQ(failed_check(verify_assertion({"localhost", "https://localhost:5000", false}, ch, key,
                                          es_assertion())),
            "origin");
  EXPECT_EQ(failed_check(verify_assertion({"127.0.0.1", "http://localhost:5000", false}, ch, key,
                                          es_assertion())),
            "rpIdHash");
  EXPECT_EQ(failed_check(verify_assertion({"localhost", "http://localhost:5000", true}, ch, key,
                                          es_assertion())),
            "flags");
  // Counter: a replay of the same assertion (stored count already 78) or an older one.
  EXPECT_EQ(failed_check(verify_assertion(kRp, ch, stored(kEsKey, 78, kES256), es_assertion())),
            "counter");
  EXPECT_EQ(failed_check(verify_assertion(kRp, ch, stored(kEsKey, 1000, kES256), es_assertion())),
            "counter");
  // Signature: a flipped bit in the signature, in the signed authenticator data, or another key.
  auto bad_sig = es_assertion();
  bad_sig.signature.back() ^= 1;
  EXPECT_EQ(failed_check(verify_assertion(kRp, ch, key, bad_sig)), "signature");
  auto bad_data = es_assertion();
  bad_data.authenticator_data[36] ^= 1;  // the counter's last byte
  EXPECT_EQ(failed_check(verify_assertion(kRp, ch, key, bad_data)), "signature");
  EXPECT_EQ(
      failed_check(verify_assertion(
          kRp, ch,
          stored("pQECAyYgASFYIEhW1CRfuNlIN6XTPKw0RbvzeaIlRMrDwwep-uq_-3WQIlgg1FZwd_RZRsqS_qgKCDvc"
                 "Vh7ScoKNo3w5h5fv3ihUSww",
                 77, kES256),
          es_assertion())),
      "signature");
  // User presence is required: clear the UP bit (the signature then fails too, but presence is
  // checked first and named).
  auto no_up = es_assertion();
  no_up.authenticator_data[32] = 0;
  EXPECT_EQ(failed_check(verify_assertion(kRp, ch, key, no_up)), "flags");
  // A registration's client data is not an assertion.
  EXPECT_EQ(
      failed_check(verify_assertion(kRp, b64(kNoneChallenge), key,
                                    {b64(kNoneClientData), b64(kEsAuthData), b64(kEsSignature)})),
      "type");
  // RSA and other algorithms are refused (an RS256 key from the same recordings).
  EXPECT_EQ(
      failed_check(verify_assertion(
          kRp, ch,
          stored(
              "pAEDAzkBACBZAQDfV20epzvQP-HtcdDpX-cGzdOxy73WQEvsU7Dnr9UWJophEfpngouvgnRLXaEUn_"
              "d8HGkp_"
              "HIx8rrpkx4BVs6X_B6ZjhLlezjIdJbLbVeb92BaEsmNn1HW2N9Xj2QM8cH-yx28_vCjf82ahQ9gyAr552Bn9"
              "6G22n8jqFRQKdVpO-f-bvpvaP3IQ9F5LCX7CUaxptgbog1SFO6FI6ob5SlVVB00lVXsaYg8cIDZxCkkENkGi"
              "FPgwEaZ7995SCbiyCpUJbMqToLMgojPkAhWeyktu7TlK6UBWdJMHc3FPAIs0lH_2_2hKS-mGI1uZAFVAfW1X"
              "-mzKL0czUm2P1UlUox7IUMBAAE",
              0, -257),
          es_assertion())),
      "alg");
}

TEST(WebAuthn, HostileCborIsRefusedWithoutAllocating) {
  // Found by fuzz_webauthn: a map header declaring billions of entries made libcbor 0.8
  // allocate for all of them. Declared sizes are now checked against the bytes present first.
  for (std::string hostile : {std::string("\xbb\x00\x00\x00\x08\x31\xd9\x76\x30", 9),
                              std::string("\x9a\x7f\xff\xff\xff\x01", 6),
                              std::string("\xbf\x63"
                                          "fmt"
                                          "\x64"
                                          "none"
                                          "\xff",
                                          11),                      // indefinite
                              std::string(40, '\x81') + "\x01"}) {  // too deep
    auto r = verify_registration(kRp, b64(kNoneChallenge), {b64(kNoneClientData), hostile});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field(), "attestationObject");
  }
}

TEST(WebAuthn, Base64Url) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(*base64url_decode("-_8="), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64url_decode("ab c"));
}

}  // namespace
}  // namespace minato::identity::webauthn
