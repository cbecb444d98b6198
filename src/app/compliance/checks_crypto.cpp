// Checks of cryptography (G2.3): the server certificate and its key in force, the key
// inventory of KeyService (expiry, replaced keys), and the links that leave the host.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "app/compliance/check.h"
#include "app/runtime.h"
#include "common/files.h"
#include "crypto/tls_cert.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;

struct CertFacts {
  bool present = false;
  int64_t days_left = 0;
  std::string algorithm;
  int bits = 0;
  std::string error;
};

CertFacts server_cert(Facts& f) {
  CertFacts out;
  auto pem = read_file(f.rt().paths().resolve(f.rt().config().tls_cert));
  if (!pem) {
    out.error = pem.error().message();
    return out;
  }
  auto validity = crypto::cert_validity(*pem);
  if (!validity) {
    out.error = validity.error().message();
    return out;
  }
  out.present = true;
  out.days_left = (validity->not_after_us - f.now_us()) / kDayUs;
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  X509* cert = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  if (cert != nullptr) {
    if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
      const int id = EVP_PKEY_get_base_id(key);
      out.bits = EVP_PKEY_get_bits(key);
      out.algorithm = id == EVP_PKEY_EC        ? "EC"
                      : id == EVP_PKEY_RSA     ? "RSA"
                      : id == EVP_PKEY_ED25519 ? "Ed25519"
                                               : OBJ_nid2sn(id);
    }
    X509_free(cert);
  }
  if (bio) BIO_free(bio);
  return out;
}

Outcome G2_3_a(Facts& f) {
  auto cert = server_cert(f);
  const bool backups = f.rt().backup().configured();
  std::vector<Value> v{value_bool("tls_certificate_present", cert.present),
                       value("tls_certificate_days_left", cert.days_left),
                       value_bool("backups_encrypted", backups)};
  if (!cert.present) {
    return failed({"the server certificate cannot be read: " + cert.error,
                   "サーバ証明書を読めません: " + cert.error},
                  std::move(v));
  }
  if (cert.days_left < 0) {
    return failed({"the server certificate has expired", "サーバ証明書の有効期限が切れています"},
                  std::move(v));
  }
  if (!backups) {
    return partial({"all traffic is TLS and the audit log is signed, but backups are not set up "
                    "(`minato backup init`), so nothing is encrypted for them yet",
                    "全通信はTLSで監査ログは署名されていますが、バックアップが未設定（`minato "
                    "backup init`）のため暗号化されたバックアップがありません"},
                   std::move(v));
  }
  return pass({"all traffic is TLS; backups and exports are encrypted; checkpoints, exports and "
               "reports are signed (Ed25519)",
               "全通信はTLSで、バックアップとエクスポートは暗号化され、チェックポイント・エクスポー"
               "ト・報告書はEd25519で署名されます"},
              std::move(v));
}

Outcome G2_3_b(Facts& f) {
  auto cert = server_cert(f);
  std::vector<Value> v{value("tls_versions", "TLS 1.2, TLS 1.3 (AEAD suites only)"),
                       value("tls_key", cert.algorithm + " " + std::to_string(cert.bits)),
                       value("password_hash", "Argon2id"), value("signatures", "Ed25519"),
                       value("sealing", "XChaCha20-Poly1305")};
  if (!cert.present) {
    return failed({"the server certificate cannot be read: " + cert.error,
                   "サーバ証明書を読めません: " + cert.error},
                  std::move(v));
  }
  const bool strong = (cert.algorithm == "EC" && cert.bits >= 256) ||
                      (cert.algorithm == "RSA" && cert.bits >= 2048) || cert.algorithm == "Ed25519";
  if (!strong) {
    return failed({"the server certificate's key is weak (" + cert.algorithm + " " +
                       std::to_string(cert.bits) + " bits)",
                   "サーバ証明書の鍵が弱いです（" + cert.algorithm + " " +
                       std::to_string(cert.bits) + "ビット）"},
                  std::move(v));
  }
  return pass({"TLS 1.2/1.3 with AEAD suites only, the server key " + cert.algorithm + " " +
                   std::to_string(cert.bits) + " bits, Argon2id, Ed25519 and XChaCha20-Poly1305",
               "TLS 1.2/1.3（AEADのみ）、" + cert.algorithm + " " + std::to_string(cert.bits) +
                   "ビットのサーバ鍵、Argon2id、Ed25519、XChaCha20-Poly1305を使っています"},
              std::move(v));
}

Outcome G2_3_c(Facts& f) {
  auto keys = f.rt().keys().list(config_reader());
  if (!keys) return read_error(keys.error());
  std::vector<Value> v;
  std::vector<std::string> expired, warned, missing;
  for (const auto& k : *keys) {
    std::string name(k.info.name);
    v.push_back(value("key." + name, !k.present ? "absent" : k.warning.empty() ? "ok" : k.warning));
    if (!k.present) {
      if (name != "backup") missing.push_back(name);
    } else if (k.warning.rfind("expired", 0) == 0 || k.warning.rfind("the key on disk", 0) == 0) {
      expired.push_back(name);
    } else if (!k.warning.empty()) {
      warned.push_back(name);
    }
  }
  if (!expired.empty() || !missing.empty()) {
    const auto what = names_of(expired.empty() ? missing : expired);
    return failed({"keys expired, missing or replaced outside Minato: " + what,
                   "期限切れ・欠落・Minato外で置き換えられた鍵: " + what},
                  std::move(v));
  }
  if (!warned.empty()) {
    return partial(
        {"keys close to expiry: " + names_of(warned), "期限が近い鍵: " + names_of(warned)},
        std::move(v));
  }
  return pass(
      {"every key is in the inventory with its fingerprint, rotation and expiry; none is "
       "expired or replaced unseen",
       "全ての鍵が指紋・更新・有効期限とともに台帳にあり、期限切れや無断の置き換えはありません"},
      std::move(v));
}

Outcome G2_3_d(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{
      value("notify.smtp_url", c.smtp_url.empty() ? "(none)" : c.smtp_url),
      value("audit.syslog_target", c.syslog_target.empty() ? "(none)" : c.syslog_target),
      value("notify.webhook_url", c.webhook_url.empty() ? "(none)" : c.webhook_url)};
  std::vector<std::string> weak;
  if (!c.smtp_url.empty() && c.smtp_url.rfind("smtp://", 0) != 0 &&
      c.smtp_url.rfind("smtps://", 0) != 0) {
    weak.push_back("notify.smtp_url");
  }
  if (!c.webhook_url.empty() && c.webhook_url.rfind("https://", 0) != 0) {
    weak.push_back("notify.webhook_url");
  }
  if (!weak.empty()) {
    return failed({"links without TLS: " + weak.front(), "TLSを使わない接続: " + weak.front()},
                  std::move(v));
  }
  return pass({"every link uses TLS with the peer's certificate verified: API and console, mail "
               "(STARTTLS required or SMTPS), syslog (RFC 5425), webhooks, the vault",
               "全ての接続が相手の証明書を検証するTLSを使います（API・コンソール、メール（STARTTLS"
               "必須またはSMTPS）、syslog（RFC 5425）、Webhook、保管庫）"},
              std::move(v));
}

Outcome G2_3_e(Facts&) {
  return not_applicable(
      {"Minato encrypts its own links; control systems that cannot are the "
       "organisation's to watch",
       "Minato自身の通信は暗号化されています。暗号化できない制御系の監視は組織の対策です"});
}

}  // namespace

void crypto_checks(std::vector<Check>& out) {
  out.push_back({"G2.3-a", G2_3_a, {"key.", "backup."}});
  out.push_back({"G2.3-b", G2_3_b, {"key."}});
  out.push_back({"G2.3-c", G2_3_c, {"key."}});
  out.push_back({"G2.3-d", G2_3_d, {"config."}});
  out.push_back({"G2.3-e", G2_3_e, {}});
}

}  // namespace minato::app::compliance
