// The decommission certificate (G2.6.1-c, G2.6.3): what `minato decommission` writes outside
// the erased directory, and its check — by `minato decommission verify` and by the asset
// register when an asset is disposed of on it (a file from outside: every byte hostile).
//
// The file: the body (JSON, one member per line, readable by people) and, on its last line,
//   minato-signature: ed25519 <public key hex> <signature hex>
// over the exact bytes of the body. The body carries the audit log's last checkpoint with the
// audit public key, which is checked too: all without the (destroyed) installation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace boost::json {
class object;
}
namespace minato::crypto {
class SigningKey;
}

namespace minato::app {

inline constexpr std::string_view kCertificateFormat = "minato-decommission/1";

// The certificate's text for `body`, signed by `signer`.
std::string sign_certificate(const boost::json::object& body, const crypto::SigningKey& signer);

struct CertificateCheck {
  std::string body;  // the certificate's JSON
  std::string fingerprint;
  std::string terminal, host, operator_name, finished_utc, outcome;
  int64_t files = 0;
  uint64_t bytes = 0;
  int keys = 0;
  bool checkpoint_verified = false;  // the audit checkpoint inside is signed by its audit key
};

// Checks a certificate's signature (and, when `fingerprint` is not empty, that the signer is
// that key: 64 hex digits) and the audit checkpoint it carries. A changed byte fails, saying
// where.
Result<CertificateCheck> verify_certificate(std::string_view text, const std::string& fingerprint,
                                            const std::string& origin);

}  // namespace minato::app
