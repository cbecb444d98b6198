#include "app/decommission_certificate.h"

#include <boost/json.hpp>

#include "audit/event.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace minato::app {

namespace json = boost::json;

namespace {

constexpr std::string_view kSignaturePrefix = "minato-signature: ed25519 ";

// One member per line: a certificate is read by people as well as checked by programs.
std::string readable(const json::object& o) {
  std::string out = "{\n";
  size_t i = 0;
  for (const auto& [k, v] : o) {
    out += "  " + json::serialize(json::value(k)) + ": " + json::serialize(v);
    out += ++i < o.size() ? ",\n" : "\n";
  }
  return out + "}\n";
}

}  // namespace

std::string sign_certificate(const json::object& body, const crypto::SigningKey& signer) {
  const std::string text = readable(body);
  return text + std::string(kSignaturePrefix) + crypto::to_hex(signer.public_key()) + " " +
         crypto::to_hex(signer.sign(text)) + "\n";
}

Result<CertificateCheck> verify_certificate(std::string_view text, const std::string& fingerprint,
                                            const std::string& origin) {
  const auto at = text.rfind("\n" + std::string(kSignaturePrefix));
  if (at == std::string_view::npos) {
    return fail(ErrorCode::kDataLoss, origin + ": no \"minato-signature:\" line at its end");
  }
  CertificateCheck c;
  c.body = std::string(text.substr(0, at + 1));
  std::string line(text.substr(at + 1 + kSignaturePrefix.size()));
  while (!line.empty() && line.back() == '\n') line.pop_back();
  const auto space = line.find(' ');
  auto pub = crypto::from_hex(line.substr(0, space));
  auto sig = space == std::string::npos ? Result<std::string>(fail(ErrorCode::kDataLoss, ""))
                                        : crypto::from_hex(line.substr(space + 1));
  if (!pub || pub->size() != 32 || !sig || sig->size() != 64) {
    return fail(ErrorCode::kDataLoss, origin + ": the signature line is damaged");
  }
  c.fingerprint = crypto::to_hex(crypto::sha256(*pub));
  if (!fingerprint.empty()) {
    std::string want = fingerprint;
    for (auto& ch : want) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (want != c.fingerprint) {
      return fail(ErrorCode::kPermissionDenied,
                  origin + " is signed by key " + c.fingerprint + ", not the expected " + want);
    }
  }
  if (!crypto::SigningKey::verify(*pub, c.body, *sig)) {
    // Which line: the first that differs cannot be known, but the body's size and the
    // signature's place can.
    return fail(ErrorCode::kDataLoss,
                origin + ": the signature does not verify over its " +
                    std::to_string(c.body.size()) +
                    " bytes before the signature line: the certificate was changed");
  }
  json::error_code ec;
  auto v = json::parse(c.body, ec);
  if (ec || !v.is_object()) return fail(ErrorCode::kDataLoss, origin + ": the body is not JSON");
  const auto& o = v.as_object();
  auto s = [&](const char* k) {
    const auto* f = o.if_contains(k);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  if (s("format") != kCertificateFormat) {
    return fail(ErrorCode::kDataLoss, origin + ": not a Minato decommission certificate");
  }
  if (s("signer_fingerprint") != c.fingerprint) {
    return fail(ErrorCode::kDataLoss, origin + ": signer_fingerprint is not the signing key's");
  }
  c.terminal = s("terminal");
  c.host = s("host");
  c.operator_name = s("operator");
  c.finished_utc = s("finished_utc");
  c.outcome = s("outcome");
  if (const auto* e = o.if_contains("erased"); e && e->is_object()) {
    const auto& eo = e->as_object();
    if (const auto* f = eo.if_contains("files"); f && f->is_int64()) c.files = f->as_int64();
    if (const auto* b = eo.if_contains("bytes"); b && (b->is_uint64() || b->is_int64())) {
      // Only whole, non-negative counts (a file from outside may say anything).
      if (b->is_uint64()) c.bytes = b->as_uint64();
      if (b->is_int64() && b->as_int64() >= 0) c.bytes = static_cast<uint64_t>(b->as_int64());
    }
  }
  if (const auto* k = o.if_contains("keys_destroyed"); k && k->is_array()) {
    c.keys = static_cast<int>(k->as_array().size());
  }
  // The audit checkpoint: its signature under the audit key it names.
  if (const auto* a = o.if_contains("audit"); a && a->is_object()) {
    const auto& ao = a->as_object();
    auto as = [&](const char* k) {
      const auto* f = ao.if_contains(k);
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    store::CheckpointRecord cp;
    const auto* size = ao.if_contains("size");
    const auto* at_us = ao.if_contains("at_us");
    auto root = crypto::from_hex(as("root"));
    auto csig = crypto::from_hex(as("signature"));
    auto apub = crypto::from_hex(as("audit_public_key"));
    if (size && size->is_int64() && at_us && at_us->is_int64() && root && root->size() == 32 &&
        csig && csig->size() == 64 && apub && apub->size() == 32) {
      cp.size = size->as_int64();
      cp.at_us = at_us->as_int64();
      cp.root = *root;
      cp.key_id = as("key_id");
      cp.signature = *csig;
      c.checkpoint_verified =
          audit::key_id_of(*apub) == cp.key_id &&
          crypto::SigningKey::verify(*apub, audit::checkpoint_body(as("origin"), cp), cp.signature);
    }
  }
  if (!c.checkpoint_verified) {
    return fail(ErrorCode::kDataLoss,
                origin + ": the audit checkpoint in the certificate does not verify");
  }
  return c;
}

}  // namespace minato::app
