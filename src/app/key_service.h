// KeyService: the key inventory (G2.3-c) — every key this installation holds, what it is for,
// its fingerprint, when it was first recorded and last rotated (and by whom), when it expires —
// the rotation commands, and the alerts when a certificate nears its end.
//
// The keys (kKeys): the TLS certificate and key of every listener, the audit log's checkpoint
// key, the signing key of webhooks and exports, the sealing key of secrets at rest, the backup
// signing key (once `minato backup init` has run) and the WebAuthn relying party (not a key but
// the identity every authenticator is bound to: its SHA-256 is the rpIdHash they sign).
// Fingerprints are SHA-256: of the certificate's DER, of an Ed25519 public key, of the RP ID; for
// the sealing key (a secret key) a keyed hash under the key itself, which names it without
// revealing anything of it.
//
// reconcile() reads the keys from the data directory and records what changed, audited: a key
// seen for the first time (key.recorded), a key whose fingerprint changed (key.rotated: by the
// rotating command's actor, or "outside Minato" when the file was replaced by hand — which is
// itself worth knowing). `serve` at its start, the `minato key` commands and the hourly job
// run it (opening the data directory alone writes nothing).
//
// rotate() (config.write, a recent second factor): tls (a new self-signed certificate, or the
// PEM certificate and key given), signing, audit (the old public key stays trusted for old
// checkpoints), backup (BackupService::rotate_keys: new recovery files, the old ones kept for
// the old sets; the vault pins the new key), sealing (Runtime::rotate_sealing_key: no server may
// run; every TOTP secret re-sealed; the earlier key kept for recovery codes and release PINs,
// or forgotten after a compromise). The RP ID is not rotated: it is no secret, and changing it
// voids every security key. A rotated key is used by a
// running server from its next start (the audit key at once).
//
// check_expiry() (the jobs thread): a TLS certificate that expires within kExpiryWarnDays, or
// has expired, alerts security staff (key.expiring), once a day.
//
// list() REQUIRES config.read, change.approve or audit.read.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/roles.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {

class Runtime;

// One key of the catalogue.
struct KeyInfo {
  std::string_view name;
  std::string_view purpose;
  std::string_view algorithm;
  std::string_view rotation;  // the command, or where the procedure is
};

struct KeyView {
  KeyInfo info;
  std::string location;  // file, or the setting
  bool present = false;  // the key exists (backup: after `minato backup init`)
  store::KeyRecord record;
  std::string subject;  // the certificate's subject (tls)
  int64_t not_before_us = 0;
  std::string warning;  // "expires in 12 days", "expired", ...
};

// What a rotation may need: for `tls` the PEM certificate and key (both empty: a new
// self-signed certificate for the console's host name); for `backup` the two recovery
// passphrases of the new key; for `sealing` whether to keep no earlier key.
struct KeyRotateInput {
  std::string cert_pem, key_pem;
  std::string data_passphrase, keys_passphrase;
  bool forget_earlier = false;  // sealing: keep no earlier key (after a compromise)
};

class KeyService {
 public:
  static constexpr int kExpiryWarnDays = 30;
  explicit KeyService(Runtime& rt) : rt_(rt) {}

  static const std::vector<KeyInfo>& catalogue();

  // Records keys seen for the first time and keys whose fingerprint changed (by `actor`, or
  // "outside Minato" when empty). Returns how many records changed.
  Result<int> reconcile(const std::string& rotated_by = "");
  Result<std::vector<KeyView>> list(const access::Actor& actor);
  // Returns the key as recorded after the rotation.
  Result<KeyView> rotate(const access::Actor& actor, std::string_view name,
                         const KeyRotateInput& input = {});
  void check_expiry(int64_t now_us);

 private:
  // The key as it is in the data directory now (record fields: fingerprint, expires).
  Result<KeyView> read_key(const KeyInfo& info) const;
  // The inventory as recorded, by name.
  Result<std::map<std::string, store::KeyRecord>> recorded() const;

  Runtime& rt_;
  std::mutex mu_;
  std::map<std::string, int64_t> alerted_us_;
};

}  // namespace minato::app
