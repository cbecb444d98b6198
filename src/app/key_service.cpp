#include "app/key_service.h"

#include <boost/json.hpp>

#include <cstdio>

#include "app/alerts.h"
#include "app/backup_service.h"
#include "app/config_service.h"
#include "app/runtime.h"
#include "common/clock.h"
#include "common/dir_lock.h"
#include "common/files.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/tls_cert.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;
constexpr const char* kOutside = "outside Minato (the file was replaced)";

std::string sha256_hex(std::string_view data) { return crypto::to_hex(crypto::sha256(data)); }

json::object record_json(const KeyView& k) {
  return json::object{
      {"key", k.info.name},
      {"fingerprint", k.record.fingerprint},
      {"expires", k.record.expires_us == 0 ? std::string() : format_utc(k.record.expires_us)}};
}

}  // namespace

const std::vector<KeyInfo>& KeyService::catalogue() {
  static const std::vector<KeyInfo> keys = {
      {"tls", "TLS certificate and key of the API, console, management and vault listeners",
       "X.509 certificate (ECDSA P-256 when made by Minato)", "minato key rotate tls"},
      {"audit", "signs the audit log's checkpoints and evidence manifests (G2.7.3-d, G3.1-b)",
       "Ed25519", "minato key rotate audit"},
      {"signing", "signs webhook calls and exports", "Ed25519", "minato key rotate signing"},
      {"sealing",
       "encrypts secrets at rest (TOTP seeds) and keys the hashes of recovery codes, "
       "release PINs and WebAuthn user handles",
       "XChaCha20-Poly1305 / BLAKE2b (256-bit secret)",
       "minato key rotate sealing [--forget-earlier], the server stopped"},
      {"backup", "signs backup manifests (G2.7.2); the vault pins its public key", "Ed25519",
       "minato key rotate backup (new recovery files; the vault pins the new key)"},
      {"webauthn-rp", "the WebAuthn relying party every security key is registered to",
       "RP ID (fingerprint: SHA-256, the rpIdHash authenticators sign)",
       "not rotated: changing webauthn.rp_id invalidates every registered security key"},
  };
  return keys;
}

Result<KeyView> KeyService::read_key(const KeyInfo& info) const {
  KeyView v;
  v.info = info;
  v.record.name = std::string(info.name);
  const auto& paths = rt_.paths();
  const auto& cfg = rt_.config();
  auto signing_key = [&](const std::string& path) -> Status {
    v.location = path;
    auto k = crypto::SigningKey::load(path);
    if (!k) {
      if (k.error().code() == ErrorCode::kNotFound) return ok();
      return fail(k.error());
    }
    v.present = true;
    v.record.fingerprint = sha256_hex(k->public_key());
    return ok();
  };
  if (info.name == "tls") {
    v.location = paths.resolve(cfg.tls_cert);
    auto pem = read_file(v.location, 1 << 20);
    if (!pem) return fail(pem.error());
    auto fp = crypto::cert_fingerprint_sha256(*pem);
    if (!fp) return fail(ErrorCode::kDataLoss, v.location + ": " + fp.error().message());
    auto validity = crypto::cert_validity(*pem);
    if (!validity)
      return fail(ErrorCode::kDataLoss, v.location + ": " + validity.error().message());
    v.present = true;
    v.record.fingerprint = *fp;
    v.record.expires_us = validity->not_after_us;
    v.not_before_us = validity->not_before_us;
    v.subject = validity->subject;
  } else if (info.name == "audit") {
    MINATO_TRY(signing_key(paths.audit_key()));
  } else if (info.name == "signing") {
    MINATO_TRY(signing_key(paths.signing_key()));
  } else if (info.name == "backup") {
    MINATO_TRY(signing_key(paths.keys() + "/backup.key"));
  } else if (info.name == "sealing") {
    v.location = paths.sealing_key();
    auto k = crypto::SealingKey::load(v.location);
    if (!k) return fail(k.error());
    v.present = true;
    v.record.fingerprint = crypto::to_hex(k->mac("minato key inventory", "key-fingerprint"));
  } else if (info.name == "webauthn-rp") {
    v.location = "webauthn.rp_id = \"" + cfg.webauthn_rp_id + "\"";
    v.present = true;
    v.record.fingerprint = sha256_hex(cfg.webauthn_rp_id);
  }
  return v;
}

Result<std::map<std::string, store::KeyRecord>> KeyService::recorded() const {
  std::map<std::string, store::KeyRecord> known;
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto inv = (*rx)->key_inventory();
  if (!inv) return fail(inv.error());
  for (auto& r : *inv) known[r.name] = std::move(r);
  return known;
}

Result<int> KeyService::reconcile(const std::string& rotated_by) {
  std::lock_guard lock(mu_);
  std::vector<KeyView> now;
  for (const auto& info : catalogue()) {
    auto k = read_key(info);
    if (!k) return fail(k.error());
    if (k->present) now.push_back(std::move(*k));
  }
  auto recorded_keys = recorded();
  if (!recorded_keys) return fail(recorded_keys.error());
  auto& known = *recorded_keys;
  int changed = 0;
  for (auto& k : now) {
    auto it = known.find(k.record.name);
    const bool fresh = it == known.end();
    if (!fresh && it->second.fingerprint == k.record.fingerprint) continue;
    const std::string by = rotated_by.empty() ? kOutside : rotated_by;
    access::Actor me{rotated_by.empty() ? "system:key-inventory" : rotated_by, "local", 0};
    const bool rotated = !fresh;  // past the check above: another fingerprint
    MINATO_TRY(rt_.writes().execute_status(
        me, {rotated ? "key.rotated" : "key.recorded", "key:" + k.record.name, Permission::kNone},
        [&](store::WriteTxn& tx, Effects& fx) -> Status {
          store::KeyRecord r = k.record;
          r.recorded_us = fx.now_us;
          if (fresh) {
            // A certificate says when it was made; another key
            // is as old as its first record.
            r.created_us = k.not_before_us != 0 ? k.not_before_us : fx.now_us;
          } else {
            r.created_us = it->second.created_us;
            r.rotated_us = it->second.rotated_us;
            r.rotated_by = it->second.rotated_by;
          }
          if (rotated) {
            r.rotated_us = fx.now_us;
            r.rotated_by = by;
            if (k.not_before_us != 0) r.created_us = k.not_before_us;
          }
          MINATO_TRY(tx.put_key(r));
          json::object change = record_json(k);
          change["table"] = "key_inventory";
          if (rotated) change["previous_fingerprint"] = it->second.fingerprint;
          fx.change = json::serialize(change);
          if (rotated) fx.reason = "rotated by " + by;
          return ok();
        }));
    ++changed;
  }
  return changed;
}

Result<std::vector<KeyView>> KeyService::list(const access::Actor& actor) {
  MINATO_TRY(rt_.writes().authorize(actor, {"key.list", "keys", config_reader_permission(actor)}));
  auto recorded_keys = recorded();
  if (!recorded_keys) return fail(recorded_keys.error());
  auto& known = *recorded_keys;
  const int64_t now = rt_.clock().now_us();
  std::vector<KeyView> out;
  for (const auto& info : catalogue()) {
    auto k = read_key(info);
    if (!k) return fail(k.error());
    if (auto it = known.find(k->record.name); it != known.end()) {
      std::string on_disk = k->record.fingerprint;
      k->record = it->second;
      if (k->present && on_disk != it->second.fingerprint) {
        k->warning = "the key on disk is not the one recorded (fingerprint " +
                     on_disk.substr(0, 16) + "...): replaced since the last check";
      }
    }
    if (k->warning.empty() && k->record.expires_us != 0) {
      int64_t left = (k->record.expires_us - now) / kDayUs;
      if (k->record.expires_us <= now) {
        k->warning = "expired on " + format_utc(k->record.expires_us);
      } else if (left < kExpiryWarnDays) {
        k->warning = "expires in " + std::to_string(left) + " days";
      }
    }
    out.push_back(std::move(*k));
  }
  return out;
}

Result<KeyView> KeyService::rotate(const access::Actor& actor, std::string_view name,
                                   const KeyRotateInput& in) {
  const std::string& cert_pem = in.cert_pem;
  const std::string& key_pem = in.key_pem;
  const KeyInfo* info = nullptr;
  for (const auto& k : catalogue()) {
    if (k.name == name) info = &k;
  }
  if (info == nullptr) {
    return fail(ErrorCode::kInvalidArgument,
                "no key '" + std::string(name) +
                    "'; the keys are tls, audit, signing, sealing, "
                    "backup and webauthn-rp",
                "key");
  }
  if (name == "webauthn-rp") {
    return fail(ErrorCode::kFailedPrecondition,
                "the " + std::string(name) +
                    " key is not rotated by this command: " + std::string(info->rotation),
                "key");
  }
  if (name != "tls" && (!cert_pem.empty() || !key_pem.empty())) {
    return fail(ErrorCode::kInvalidArgument, "--cert and --key are for the tls key only", "cert");
  }
  if (name != "sealing" && in.forget_earlier) {
    return fail(ErrorCode::kInvalidArgument, "--forget-earlier is for the sealing key only",
                "forget_earlier");
  }
  if (name == "backup" && (in.data_passphrase.empty() || in.keys_passphrase.empty())) {
    return fail(ErrorCode::kInvalidArgument,
                "the backup key's new recovery files need both passphrases "
                "(--passphrase-file and --keys-passphrase-file)",
                "passphrase");
  }
  MINATO_TRY(rt_.writes().authorize(
      actor, {"key.rotate", "key:" + std::string(name), Permission::kConfigWrite, false, true}));
  const auto& paths = rt_.paths();
  const auto& cfg = rt_.config();
  if (name == "tls") {
    std::string cert = cert_pem, key = key_pem;
    if (cert.empty() != key.empty()) {
      return fail(ErrorCode::kInvalidArgument, "give both the certificate and its key", "cert");
    }
    if (cert.empty()) {
      const std::string host = cfg.webauthn_rp_id;
      std::vector<std::string> names{host};
      if (host != "localhost") names.push_back("localhost");
      auto made = crypto::make_self_signed_cert(host, names, {"127.0.0.1", "::1"});
      if (!made) return fail(made.error());
      cert = std::move(made->cert_pem);
      key = std::move(made->key_pem);
    }
    MINATO_TRY(crypto::check_cert_and_key(cert, key));
    // The key first: a crash in between leaves the old certificate with a key that does not
    // match it, which the next start refuses by name rather than serving something else.
    MINATO_TRY(write_file_atomic(paths.resolve(cfg.tls_key), key, 0600));
    MINATO_TRY(write_file_atomic(paths.resolve(cfg.tls_cert), cert, 0600));
  } else if (name == "signing") {
    MINATO_TRY(crypto::SigningKey::generate().save(paths.signing_key()));
  } else if (name == "sealing") {
    // Every TOTP secret is re-sealed: a server running beside would hold the old key alone.
    auto lock = DirLock::acquire(paths.dir, "rotate the sealing key");
    if (!lock) return fail(lock.error());
    MINATO_TRY(rt_.rotate_sealing_key(in.forget_earlier));
  } else if (name == "backup") {
    MINATO_TRY(BackupService::rotate_keys(paths.keys(), in.data_passphrase, in.keys_passphrase, {},
                                          rt_.clock().now_us()));
  } else {
    auto id = rt_.rotate_audit_key();
    if (!id) return fail(id.error());
  }
  MINATO_TRY(reconcile(actor.subject));
  auto all = list(actor);
  if (!all) return fail(all.error());
  for (auto& k : *all) {
    if (k.info.name == name) return std::move(k);
  }
  return fail(ErrorCode::kInternal, "the rotated key is not in the inventory");
}

void KeyService::check_expiry(int64_t now_us) {
  auto k = read_key(catalogue().front());  // tls
  if (!k || k->record.expires_us == 0) return;
  const int64_t left = (k->record.expires_us - now_us) / kDayUs;
  if (k->record.expires_us > now_us && left >= kExpiryWarnDays) return;
  {
    std::lock_guard lock(mu_);
    auto& last = alerted_us_["tls"];
    if (last != 0 && now_us - last < kDayUs) return;
    last = now_us;
  }
  const bool expired = k->record.expires_us <= now_us;
  const std::string when = format_utc(k->record.expires_us);
  Alert a;
  a.event = "key.expiring";
  a.title_ja =
      expired ? "TLS 証明書の有効期限が切れています" : "TLS 証明書の有効期限が近づいています";
  a.title_en = expired ? "TLS certificate expired" : "TLS certificate about to expire";
  a.text_ja = "TLS 証明書（" + k->subject + "）の有効期限は " + when + " です" +
              (expired ? "（期限切れ）" : "（残り " + std::to_string(left) + " 日）") +
              "。`minato key rotate tls` で更新し、サーバーを再起動してください。";
  a.text_en = "The TLS certificate (" + k->subject + ") " + (expired ? "expired" : "expires") +
              " on " + when + (expired ? "" : " (" + std::to_string(left) + " days left)") +
              ". Renew it with `minato key rotate tls` and restart the server.";
  a.details_json = json::serialize(json::object{{"key", "tls"},
                                                {"fingerprint", k->record.fingerprint},
                                                {"expires", when},
                                                {"days_left", left}});
  access::Actor me{"system:key-inventory", "local", 0};
  auto st = rt_.writes().execute_status(me, {"key.expiring", "key:tls", Permission::kNone},
                                        [&](store::WriteTxn& tx, Effects& fx) -> Status {
                                          auto n =
                                              queue_alert(tx, fx.now_us, rt_.alert_settings(), a);
                                          if (!n) return fail(n.error());
                                          fx.change = a.details_json;
                                          return ok();
                                        });
  if (!st)
    std::fprintf(stderr, "minato: key expiry alert failed: %s\n", st.error().message().c_str());
}

}  // namespace minato::app
