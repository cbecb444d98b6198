// A self-signed TLS certificate for a new installation (`minato init` without --tls-cert).
// ECDSA P-256, SHA-256, subjectAltName for the given DNS names and IP addresses, 397 days.
// Operators replace it with a certificate from their own CA (G2.3-d).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

struct x509_st;  // OpenSSL's X509, kept out of this header

namespace minato::crypto {

struct SelfSignedCert {
  std::string cert_pem;
  std::string key_pem;
};

Result<SelfSignedCert> make_self_signed_cert(const std::string& common_name,
                                             const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses);

// Checks that `cert_pem` and `key_pem` parse and belong together.
Status check_cert_and_key(const std::string& cert_pem, const std::string& key_pem);

// The SHA-256 fingerprint of a PEM certificate's DER, lower-case hex (what
// `openssl x509 -fingerprint -sha256` prints, without colons).
Result<std::string> cert_fingerprint_sha256(const std::string& cert_pem);
// When a PEM certificate is valid (notBefore, notAfter; microseconds since the epoch) and its
// subject (one line), for the key inventory (G2.3-c).
struct CertValidity {
  int64_t not_before_us = 0;
  int64_t not_after_us = 0;
  std::string subject;
};
Result<CertValidity> cert_validity(const std::string& cert_pem);
// The same of a parsed certificate (OpenSSL's X509); "" for none.
std::string cert_fingerprint_sha256(const x509_st* cert);

}  // namespace minato::crypto
