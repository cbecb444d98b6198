#include "app/upgrade_service.h"

#include <boost/json.hpp>

#include <filesystem>

#include "app/runtime.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/version.h"

namespace minato::app {

namespace json = boost::json;
namespace fs = std::filesystem;
using access::Permission;

Result<UpgradeCheck> UpgradeService::verify(const std::string& artefact_path,
                                            const std::string& manifest_dir) {
  const fs::path artefact(artefact_path);
  const std::string dir = manifest_dir.empty() ? artefact.parent_path().string() : manifest_dir;
  const std::string base = dir.empty() ? "" : dir + "/";
  auto manifest = read_file(base + std::string(secops::kManifestName), 1 << 20);
  if (!manifest) {
    return fail(ErrorCode::kNotFound, "no " + std::string(secops::kManifestName) + " in " +
                                          (dir.empty() ? "." : dir) + ": " +
                                          manifest.error().message());
  }
  auto signature = read_file(base + std::string(secops::kSignatureName), 4096);
  if (!signature) {
    return fail(ErrorCode::kPermissionDenied, "the release is not signed: no " +
                                                  std::string(secops::kSignatureName) + " in " +
                                                  (dir.empty() ? "." : dir));
  }
  auto trusted = config::split_hex32(rt_.config().upgrade_release_keys, "an Ed25519 public key");
  if (!trusted) return fail(trusted.error());
  auto release = secops::verify_manifest(*manifest, *signature, *trusted);
  if (!release) return fail(release.error());
  auto bytes = MappedFile::open(artefact_path);
  if (!bytes) return fail(bytes.error());
  auto checked = secops::check_artefact(*release, artefact.filename().string(), bytes->bytes());
  if (!checked) return fail(checked.error());
  UpgradeCheck out;
  out.release = std::move(*release);
  out.artefact = std::move(*checked);
  out.from_version = std::string(kMinatoVersion);
  const int order = secops::compare_release_versions(out.release.version, out.from_version);
  if (order == 0) {
    return fail(ErrorCode::kFailedPrecondition,
                "release " + out.release.version + " is the version running now");
  }
  if (order < 0) {
    return fail(ErrorCode::kFailedPrecondition,
                "release " + out.release.version + " is older than the running " +
                    out.from_version +
                    ": going back is a rollback, done from the rollback path an upgrade "
                    "check recorded (docs/operations.md, \"Upgrades\"), never by upgrading "
                    "to an older release");
  }
  return out;
}

Result<UpgradeCheck> UpgradeService::check(const access::Actor& actor,
                                           const std::string& artefact_path,
                                           const std::string& manifest_dir) {
  const CommandSpec spec{"upgrade.check", "release:" + fs::path(artefact_path).filename().string(),
                         Permission::kConfigWrite};
  MINATO_TRY(rt_.writes().authorize(actor, spec));
  // An upgrade check makes the pre-upgrade backup: it needs backup.run too, and a refusal for
  // want of it is audited like any other.
  MINATO_TRY(rt_.writes().authorize(actor, {spec.action, spec.target, Permission::kBackupRun}));
  auto checked = verify(artefact_path, manifest_dir);
  if (!checked) {
    // A refused release is recorded (a tampered or foreign file is a security event).
    const Error why = checked.error();
    MINATO_TRY(rt_.writes().execute_status(actor, spec, [&](store::WriteTxn&, Effects& fx) {
      fx.result = "failure";
      fx.reason = why.message();
      fx.change =
          json::serialize(json::object{{"artefact", artefact_path}, {"refused", why.message()}});
      return ok();
    }));
    return fail(why);
  }
  if (!rt_.backup().configured()) {
    return fail(ErrorCode::kFailedPrecondition,
                "no pre-upgrade backup can be made: backups are not set up (minato backup init)");
  }
  UpgradeCheck& c = *checked;
  for (const char* target : {"database", "config", "release"}) {
    auto set = rt_.backup().create(actor, target);
    if (!set) {
      return fail(set.error().code(),
                  std::string("the pre-upgrade backup of the ") + target +
                      " failed, so the upgrade must not go ahead: " + set.error().message());
    }
    c.backup_sets.push_back(std::string(target) + ":" + set->set_id);
  }
  const int64_t now = rt_.clock().now_us();
  const std::string outbox = fs::absolute(rt_.backup().outbox()).lexically_normal().string();
  auto set_of = [&](std::string_view target) {
    for (const auto& s : c.backup_sets) {
      if (s.starts_with(std::string(target) + ":")) return s.substr(target.size() + 1);
    }
    return std::string();
  };
  c.rollback_text =
      "Minato upgrade check " + format_utc(now) + ": " + c.from_version + " -> " +
      c.release.version + "\n" + "Artefact: " + c.artefact.name + " (" +
      std::to_string(c.artefact.size) + " bytes, SHA-256 " + c.artefact.sha256 +
      "), signed by release key " + c.release.signer + "\n" + "Pre-upgrade backup sets in " +
      outbox + " (pulled by the vault like every set):\n" + "  database " + set_of("database") +
      "\n  config   " + set_of("config") + "\n  release  " + set_of("release") + " (the program " +
      c.from_version + " that ran before)\n\n" + "To roll back to " + c.from_version + ":\n" +
      "  1. stop minato serve;\n" + "  2. minato restore --from " + outbox +
      " --to NEW_DATA_DIR --set " + set_of("database") +
      " --snapshot-only --passphrase-file ... --keys-passphrase-file ...\n" +
      "     (or without --snapshot-only and --set, to keep what was done after the upgrade);\n" +
      "  3. put back the program of release set " + set_of("release") +
      " (release/minato; release.json holds its SHA-256) and start it on NEW_DATA_DIR.\n";
  const std::string dir = rt_.paths().dir + "/rollback";
  MINATO_TRY(make_dir(dir, 0700, false));
  c.rollback_file = dir + "/" + format_utc(now, "%Y%m%dT%H%M%SZ") + "-" + c.from_version + "-to-" +
                    c.release.version + ".txt";
  MINATO_TRY(write_file_atomic(c.rollback_file, c.rollback_text, 0600));
  json::array sets;
  for (const auto& s : c.backup_sets) sets.push_back(json::string(s));
  MINATO_TRY(rt_.writes().execute_status(actor, spec, [&](store::WriteTxn&, Effects& fx) {
    fx.change = json::serialize(json::object{{"from", c.from_version},
                                             {"to", c.release.version},
                                             {"artefact", c.artefact.name},
                                             {"sha256", c.artefact.sha256},
                                             {"signer", c.release.signer},
                                             {"backup_sets", sets},
                                             {"rollback_file", c.rollback_file}});
    return ok();
  }));
  return checked;
}

}  // namespace minato::app
