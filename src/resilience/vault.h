// The vault (G2.7.2-c/d/e): a separate process, meant for another host, that pulls backup sets
// from the live server and keeps them under its own retention policy.
//
// Why a pull: backup tools that push from the machine they protect leave that machine holding
// a credential for the repository, and ransomware on it can delete the backups too. Here the
// live server only answers reads from the vault's client certificate (mutual TLS, pinned); the
// vault listens on nothing, holds no credential the server could use, and never deletes or
// replaces a set it holds except by its own retention.
//
// On arrival each set is checked before it is kept: the manifest's signature against the
// signing key the operator gave at `vault init` (not one the server offers), every chunk's
// hash, the set's time (not in the future, newer than what the vault holds for the target).
// The recovery files are kept as first seen; a different one offered later is refused.
//
// Layout of a vault directory (0700):
//   vault.json                  configuration (server, trust, retention)
//   tls/client.pem, client.key  the vault's own client certificate
//   sets/<target>/<set id>/     manifest.json, manifest.sig, payload.bin (files 0400, dir 0500)
//   recovery/backup-<name>.recovery
//   vault.log                   what happened: one JSON object per line
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "resilience/backup_set.h"
#include "resilience/retention.h"

namespace minato::resilience {

// Where sets come from: paths under the live server's vault listener ("/vault/v1/...").
class SetSource {
 public:
  virtual ~SetSource() = default;
  // The body of a GET; refuses bodies larger than `max_bytes`.
  virtual Result<std::string> get(const std::string& path, size_t max_bytes) = 0;
};

struct HttpsSourceOptions {
  std::string base_url;  // https://host:port
  std::string ca_file;   // verifies the server's certificate
  std::string cert_file, key_file;
  int timeout_s = 120;
};
std::unique_ptr<SetSource> make_https_source(const HttpsSourceOptions& options);

struct VaultConfig {
  std::string server;     // https://host:port of the live server's vault listener
  std::string server_ca;  // PEM that verifies it (absolute, or relative to the vault)
  std::string signer;     // hex Ed25519 public key that signs the installation's manifests
  RetentionPolicy policy;
  int pull_minutes = 15;
  // A set larger than this is refused (a compromised server holding the signing key could
  // otherwise fill the vault's disk with valid but huge sets); 0 = no limit.
  int max_set_mib = 64 * 1024;
};

struct HeldSet {
  std::string target, id, dir;
  int64_t created_us = 0;
  uint64_t stored_bytes = 0;
};

struct PullReport {
  int offered = 0;
  int pulled = 0;
  int already = 0;
  int refused = 0;
  int pruned = 0;
  uint64_t bytes = 0;
  std::vector<std::string> messages;  // one per refusal or failure
};

class Vault {
 public:
  // Creates a vault directory with its client key and certificate. Returns the certificate's
  // SHA-256 fingerprint, which goes into the live server's backup.vault_clients.
  static Result<std::string> init(const std::string& dir, const VaultConfig& config);
  static Result<std::unique_ptr<Vault>> open(const std::string& dir, const Clock& clock);

  const VaultConfig& config() const { return config_; }
  const std::string& dir() const { return dir_; }
  // The TLS options for the live server from the configuration.
  HttpsSourceOptions source_options() const;

  // One pass: new sets and recovery files from `source`, then retention.
  Result<PullReport> pull(SetSource& source);
  // Applies the retention policy to every target; returns how many sets it removed.
  Result<int> retain();
  // What the vault holds, oldest first.
  std::vector<HeldSet> held() const;
  // Checks every held set again (signatures and chunk hashes); returns the problems.
  std::vector<std::string> check_all() const;

 private:
  Vault(std::string dir, VaultConfig config, const Clock& clock)
      : dir_(std::move(dir)), config_(std::move(config)), clock_(clock) {}
  Status fetch_set(SetSource& source, const std::string& id, const std::string& target,
                   PullReport& report);
  void fetch_recovery(SetSource& source, const std::string& name, PullReport& report);
  void log(const std::string& event, const std::string& subject, const std::string& detail);

  std::string dir_;
  VaultConfig config_;
  std::string signer_;  // raw 32 bytes
  const Clock& clock_;
};

Result<VaultConfig> parse_vault_config(std::string_view json, const std::string& origin);
std::string vault_config_json(const VaultConfig& c);

}  // namespace minato::resilience
