// UpgradeService: the checks before Minato is upgraded (G2.7.4, A1.3.4) — only a release the
// builders signed, unaltered, newer than the one running, and never without a way back.
//
// check(artefact) reads RELEASE.json and RELEASE.json.sig beside the artefact (secops/release.h),
// verifies the signature with a key of upgrade.release_keys, the artefact's size and SHA-256,
// and that its version is newer than the running one (an older one is a rollback, done from
// the recorded rollback path, not by "upgrading" to it). Then, before anything is replaced, it
// writes pre-upgrade backup sets of the database, the configuration and the running program
// (BackupService; backups must be set up), and the rollback path: a file in
// <data>/rollback/ naming the sets and the commands that restore them. The check is an audited
// command whatever its outcome; a refused release is recorded with the reason.
//
// Installing the new program is the package manager's (or the operator's) step after a
// successful check; the check refuses with a clear reason otherwise, and changes nothing.
#pragma once

#include <string>
#include <vector>

#include "access/roles.h"
#include "common/result.h"
#include "secops/release.h"

namespace minato::app {

class Runtime;

struct UpgradeCheck {
  secops::ReleaseManifest release;
  secops::ReleaseArtefact artefact;
  std::string from_version;
  std::vector<std::string> backup_sets;  // "database:<set id>", "config:...", "release:..."
  std::string rollback_file;             // the written rollback path
  std::string rollback_text;
};

class UpgradeService {
 public:
  explicit UpgradeService(Runtime& rt) : rt_(rt) {}

  // REQUIRES config.write and backup.run (the host's operator). `manifest_dir` defaults to
  // the artefact's directory.
  Result<UpgradeCheck> check(const access::Actor& actor, const std::string& artefact_path,
                             const std::string& manifest_dir = "");

 private:
  Result<UpgradeCheck> verify(const std::string& artefact_path, const std::string& manifest_dir);
  Runtime& rt_;
};

}  // namespace minato::app
