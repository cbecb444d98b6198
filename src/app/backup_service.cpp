#include "app/backup_service.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/runtime.h"
#include "audit/event.h"
#include "audit/merkle.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"
#include "identity/password_policy.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::app {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kVersion = "0.1.0";

// Regular files directly in `dir`, sorted (no subdirectories, no links).
std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec) && !e.is_symlink(ec)) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BackupService::BackupService(Runtime& rt) : rt_(rt) {}

std::string BackupService::recovery_path(const std::string& keys_dir, std::string_view recipient) {
  return keys_dir + "/backup-" + std::string(recipient) + ".recovery";
}

namespace {

// The passphrase rule of both recovery files (G2.2.2-b), and that they differ (G2.3-c).
Status check_passphrases(const std::string& data_passphrase, const std::string& keys_passphrase) {
  const auto policy = identity::PasswordPolicy::for_use(identity::PasswordUse::kBackupPassphrase);
  for (const auto* p : {&data_passphrase, &keys_passphrase}) {
    if (auto st = identity::check_password(policy, "", *p); !st) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string(p == &data_passphrase ? "data" : "keys") +
                      " passphrase: " + st.error().message(),
                  p == &data_passphrase ? "passphrase" : "keys_passphrase");
    }
  }
  if (data_passphrase == keys_passphrase) {
    return fail(ErrorCode::kInvalidArgument,
                "the keys passphrase must differ from the data passphrase (G2.3-c: the key "
                "backup is sealed separately)");
  }
  return ok();
}

// A new signing key and the two recovery files naming it, written under `suffix`.
Status write_backup_keys(const std::string& keys_dir, const std::string& suffix,
                         const std::string& data_passphrase, const std::string& keys_passphrase,
                         const resilience::Argon2Cost& cost) {
  auto signer = crypto::SigningKey::generate();
  for (auto [name, pass] :
       {std::pair{"data", &data_passphrase}, std::pair{"keys", &keys_passphrase}}) {
    auto text = resilience::make_recovery_file(name, *pass, signer.public_key(), cost, nullptr);
    if (!text) return fail(text.error());
    MINATO_TRY(
        write_file_atomic(BackupService::recovery_path(keys_dir, name) + suffix, *text, 0600));
  }
  return signer.save(keys_dir + "/backup.key" + suffix);
}

}  // namespace

Status BackupService::init_keys(const std::string& keys_dir, const std::string& data_passphrase,
                                const std::string& keys_passphrase,
                                const resilience::Argon2Cost& cost) {
  MINATO_TRY(check_passphrases(data_passphrase, keys_passphrase));
  const std::string sign_path = keys_dir + "/backup.key";
  for (const auto& p :
       {sign_path, recovery_path(keys_dir, "data"), recovery_path(keys_dir, "keys")}) {
    if (::access(p.c_str(), F_OK) == 0) {
      return fail(ErrorCode::kAlreadyExists, p + " exists: backups are already set up");
    }
  }
  return write_backup_keys(keys_dir, "", data_passphrase, keys_passphrase, cost);
}

Status BackupService::rotate_keys(const std::string& keys_dir, const std::string& data_passphrase,
                                  const std::string& keys_passphrase,
                                  const resilience::Argon2Cost& cost, int64_t now_us) {
  MINATO_TRY(check_passphrases(data_passphrase, keys_passphrase));
  const std::string sign_path = keys_dir + "/backup.key";
  auto old = crypto::SigningKey::load(sign_path);
  if (!old) {
    return fail(ErrorCode::kFailedPrecondition,
                "backups are not set up: run `minato backup init` (" + old.error().message() + ")");
  }
  // 1. The new key and files beside the old ones.
  MINATO_TRY(write_backup_keys(keys_dir, ".new", data_passphrase, keys_passphrase, cost));
  // 2. The old recovery files kept: the sets already in vaults are read with them.
  const std::string retired = keys_dir + "/retired";
  MINATO_TRY(make_dir(retired, 0700, false));
  const std::string stamp = format_utc(now_us, "%Y%m%dT%H%M%SZ");
  for (const char* name : {"data", "keys"}) {
    auto text = read_file(recovery_path(keys_dir, name), 1 << 16);
    if (!text) return fail(text.error());
    MINATO_TRY(
        write_file_atomic(retired + "/" + stamp + "-backup-" + name + ".recovery", *text, 0400));
  }
  // 3. The old private key overwritten in place, then every new file renamed over the old.
  //    A crash in between leaves files that do not belong together: loading refuses them by
  //    name, and running the rotation again finishes it.
  MINATO_TRY(overwrite_with_random(sign_path));
  for (const auto& p :
       {recovery_path(keys_dir, "data"), recovery_path(keys_dir, "keys"), sign_path}) {
    if (::rename((p + ".new").c_str(), p.c_str()) != 0) {
      return fail(ErrorCode::kUnavailable, "cannot move " + p + ".new into place");
    }
  }
  return ok();
}

Status BackupService::load_keys() {
  if (loaded_) return ok();
  const std::string dir = rt_.paths().keys();
  auto signer = crypto::SigningKey::load(dir + "/backup.key");
  if (!signer) {
    return fail(
        ErrorCode::kFailedPrecondition,
        "backups are not set up: run `minato backup init` (" + signer.error().message() + ")");
  }
  for (auto* r : {&data_, &keys_}) {
    std::string name = r == &data_ ? "data" : "keys";
    auto text = read_file(recovery_path(dir, name), 1 << 16);
    if (!text) return fail(ErrorCode::kFailedPrecondition, text.error().message());
    auto pub = resilience::read_recovery_public(*text, recovery_path(dir, name));
    if (!pub) return fail(pub.error());
    if (pub->signer_public != signer->public_key() || pub->name != name) {
      return fail(ErrorCode::kDataLoss,
                  recovery_path(dir, name) + " does not belong to keys/backup.key");
    }
    *r = std::move(*pub);
  }
  signer_.emplace(std::move(*signer));
  loaded_ = true;
  return ok();
}

bool BackupService::configured() {
  std::lock_guard lock(mu_);
  return static_cast<bool>(load_keys());
}

std::string BackupService::outbox() const { return rt_.paths().resolve(rt_.config().backup_dir); }

int BackupService::every_minutes(std::string_view target) const {
  const auto& c = rt_.config();
  if (target == "database") return c.backup_database_minutes;
  if (target == "config") return c.backup_config_minutes;
  if (target == "logs") return c.backup_logs_minutes;
  return c.backup_release_minutes;
}

Result<std::vector<resilience::SourceFile>> BackupService::stage(const std::string& target,
                                                                 const std::string& stage_dir,
                                                                 resilience::WriteOptions& o) {
  const auto& paths = rt_.paths();
  std::vector<resilience::SourceFile> files;
  if (target == "database") {
    const std::string copy = stage_dir + "/minato.db";
    // The audit head is read in the snapshot's own transaction: what the manifest says of the
    // audit log is what the copy holds, and restore checks it.
    audit::CompactRange range;
    int64_t bad_leaf = 0;
    auto info = store::snapshot_database(paths.database(), copy,
                                         [&](int64_t seq, std::string_view leaf, int64_t at_us) {
                                           if (leaf.size() != 32) {
                                             if (bad_leaf == 0) bad_leaf = seq;
                                             return;
                                           }
                                           range.append(audit::hash_from_bytes(leaf));
                                           o.audit.last_at_us = at_us;
                                         });
    if (!info) return fail(info.error());
    if (bad_leaf != 0) {
      return fail(ErrorCode::kDataLoss, "audit event " + std::to_string(bad_leaf) +
                                            " has a damaged leaf hash: run `minato audit verify`");
    }
    o.audit.size = static_cast<int64_t>(range.size());
    o.audit.root = audit::to_hex(range.root());
    o.schema_version = info->schema_version;
    files.push_back({"minato.db", copy, 0600});
  } else if (target == "config") {
    files.push_back({"minato.toml", paths.config(), 0600});
    for (const auto& sub : {std::string("keys"), std::string("tls")}) {
      for (const auto& name : files_in(paths.dir + "/" + sub)) {
        files.push_back({sub + "/" + name, paths.dir + "/" + sub + "/" + name, 0600});
      }
    }
    o.schema_version = rt_.store().schema_version();
  } else if (target == "logs") {
    // The audit log as JSON lines (the form `audit export` writes and `audit verify` reads).
    const std::string events = stage_dir + "/audit-events.jsonl";
    const std::string checkpoints = stage_dir + "/audit-checkpoints.jsonl";
    {
      std::ofstream ev(events, std::ios::binary | std::ios::trunc);
      std::ofstream cp(checkpoints, std::ios::binary | std::ios::trunc);
      auto rx = rt_.store().read();
      if (!rx) return fail(rx.error());
      auto head = (*rx)->audit_head();
      if (!head) return fail(head.error());
      audit::CompactRange range;
      MINATO_TRY((*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
        if (r.seq > *head) return false;
        ev << audit::event_json(r) << "\n";
        range.append(audit::hash_from_bytes(r.leaf));
        o.audit.last_at_us = r.at_us;
        return true;
      }));
      o.audit.size = static_cast<int64_t>(range.size());
      o.audit.root = audit::to_hex(range.root());
      auto cps = (*rx)->checkpoints();
      if (!cps) return fail(cps.error());
      for (const auto& c : *cps) cp << audit::checkpoint_json(rt_.config().audit_origin, c) << "\n";
      ev.flush();
      cp.flush();
      if (!ev || !cp) {
        return fail(ErrorCode::kResourceExhausted, "cannot write the audit export in " + stage_dir);
      }
    }
    files.push_back({"logs/audit-events.jsonl", events, 0600});
    files.push_back({"logs/audit-checkpoints.jsonl", checkpoints, 0600});
    for (const auto& name : files_in(paths.dir + "/logs")) {
      files.push_back({"logs/system/" + name, paths.dir + "/logs/" + name, 0600});
    }
    o.schema_version = rt_.store().schema_version();
  } else if (target == "release") {
    // The program that is running, as the kernel has it open (not what is on the path now).
    const std::string bin = stage_dir + "/minato";
    std::error_code ec;
    fs::copy_file("/proc/self/exe", bin, fs::copy_options::overwrite_existing, ec);
    if (ec)
      return fail(ErrorCode::kUnavailable, "cannot copy the running program: " + ec.message());
    auto bytes = read_file(bin, size_t{1} << 30);
    if (!bytes) return fail(bytes.error());
    json::object rel{{"program", "minato"},
                     {"version", kVersion},
                     {"sha256", crypto::to_hex(crypto::sha256(*bytes))},
                     {"size", bytes->size()},
                     {"schema_version", rt_.store().schema_version()}};
    MINATO_TRY(write_file_atomic(stage_dir + "/release.json", json::serialize(rel) + "\n", 0600));
    files.push_back({"release/minato", bin, 0700});
    files.push_back({"release/release.json", stage_dir + "/release.json", 0600});
    o.schema_version = rt_.store().schema_version();
  } else {
    return fail(ErrorCode::kInvalidArgument,
                "unknown backup target '" + target + "' (database, config, logs, release)",
                "target");
  }
  return files;
}

Status BackupService::record_vault_report(const access::Actor& vault, const std::string& change) {
  {
    std::lock_guard lock(vault_report_mu_);
    const int64_t now = rt_.clock().now_us();
    if (change == last_vault_report_ && now - last_vault_report_us_ < 3600LL * 1'000'000) {
      return ok();
    }
    last_vault_report_ = change;
    last_vault_report_us_ = now;
  }
  return rt_.writes().execute_status(
      vault, {"backup.vault.report", "backup:vault", access::Permission::kNone},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = change;
        return ok();
      });
}

Status BackupService::record_drill(const access::Actor& actor, const std::string& record,
                                   bool passed, const std::string& error) {
  return rt_.writes().execute_status(
      actor, {"backup.drill", "backup:drill", access::Permission::kBackupRun},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = record;
        if (!passed) return fail(ErrorCode::kDataLoss, "restore drill failed: " + error);
        return ok();
      });
}

Result<std::vector<DrillRecord>> BackupService::drills(const access::Actor& actor, int limit) {
  if (!actor.has(access::Permission::kBackupRun) && !actor.has(access::Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied, "the drill record needs backup.run or audit.read");
  }
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto list = (*rx)->audit_by_target("backup.drill", "backup:drill", limit);
  if (!list) return fail(list.error());
  MINATO_TRY(rt_.audit().record_access(actor, "restore drills", "backup:drill"));
  std::vector<DrillRecord> out;
  for (const auto& e : *list) {
    out.push_back(DrillRecord{e.seq, e.at_us, e.subject, e.result == "success", e.change});
  }
  return out;
}

Result<resilience::Manifest> BackupService::write_to(const std::string& root,
                                                     const std::string& target,
                                                     const resilience::Recipient& recipient,
                                                     const crypto::SigningKey& signer) {
  if (std::find(kBackupTargets.begin(), kBackupTargets.end(), target) == kBackupTargets.end()) {
    return fail(ErrorCode::kInvalidArgument,
                "unknown backup target '" + target + "' (database, config, logs, release)",
                "target");
  }
  // What a crash may have left: sets half written an hour ago or more.
  resilience::remove_stale_partials(root, ".partial-", 3600);
  resilience::remove_stale_partials(root, ".stage-", 3600);
  // Per process: the CLI may back up beside the running server's scheduler.
  const std::string stage_dir =
      root + "/.stage-" + target + "-" + std::to_string(static_cast<long>(::getpid()));
  resilience::remove_read_only_tree(stage_dir);
  MINATO_TRY(make_dir(stage_dir, 0700, true));
  resilience::WriteOptions o;
  o.target = target;
  o.created_us = rt_.clock().now_us();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  o.host = host;
  o.minato_version = kVersion;
  o.zstd_level = rt_.config().backup_zstd_level;
  auto files = stage(target, stage_dir, o);
  if (!files) {
    resilience::remove_read_only_tree(stage_dir);
    return fail(files.error());
  }
  auto m = resilience::write_set(root, *files, recipient, signer, o);
  if (!m && m.error().code() == ErrorCode::kAlreadyExists) {
    // Another process (the scheduler, or the CLI beside it) wrote this target within the
    // same second: the set id is by the second, so take the next one.
    std::this_thread::sleep_for(std::chrono::microseconds(1'000'000 - o.created_us % 1'000'000));
    o.created_us = std::max(rt_.clock().now_us(), o.created_us + 1'000'000);
    m = resilience::write_set(root, *files, recipient, signer, o);
  }
  resilience::remove_read_only_tree(stage_dir);
  return m;
}

Result<resilience::Manifest> BackupService::create(const access::Actor& actor,
                                                   const std::string& target) {
  const CommandSpec spec{"backup.create", "backup:" + target, access::Permission::kBackupRun};
  MINATO_TRY(rt_.writes().authorize(actor, spec));
  std::lock_guard lock(mu_);
  auto made = [&]() -> Result<resilience::Manifest> {
    MINATO_TRY(load_keys());
    const std::string root = outbox();
    MINATO_TRY(make_dir(root, 0700, false));
    return write_to(root, target, target == "config" ? keys_ : data_, *signer_);
  }();
  // The outcome goes into the audit log either way.
  auto st = rt_.writes().execute_status(actor, spec, [&](store::WriteTxn&, Effects& fx) -> Status {
    if (!made) return fail(made.error());
    fx.change = json::serialize(json::object{{"set", made->set_id},
                                             {"files", made->files.size()},
                                             {"plain_bytes", made->plain_bytes()},
                                             {"stored_bytes", made->stored_bytes()},
                                             {"audit_size", made->audit.size},
                                             {"audit_root", made->audit.root}});
    return ok();
  });
  if (!made) return made;
  if (!st) return fail(st.error());
  prune_outbox(target);
  return made;
}

std::vector<std::string> BackupService::list_sets() {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(outbox(), ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory(ec) && resilience::valid_set_id(name)) ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void BackupService::prune_outbox(const std::string& target) {
  std::vector<std::string> mine;
  for (auto& id : list_sets()) {
    if (resilience::set_target(id) == target) mine.push_back(id);
  }
  const size_t keep = static_cast<size_t>(std::max(1, rt_.config().backup_keep_local));
  for (size_t i = 0; i + keep < mine.size(); ++i)
    resilience::remove_read_only_tree(outbox() + "/" + mine[i]);
}

std::vector<BackupTargetStatus> BackupService::status(int64_t now_us) {
  std::vector<BackupTargetStatus> out;
  auto ids = list_sets();
  for (auto t : kBackupTargets) {
    BackupTargetStatus s;
    s.target = std::string(t);
    s.every_minutes = every_minutes(t);
    for (const auto& id : ids) {
      if (resilience::set_target(id) != t) continue;
      ++s.sets;
      s.newest = id;
      std::error_code ec;
      s.stored_bytes +=
          fs::file_size(outbox() + "/" + id + "/" + std::string(resilience::kPayloadFile), ec);
    }
    // Overdue: older than its schedule and half again (G2.7.2-b); with no set at all, counted
    // from the server's start.
    int64_t since = rt_.started_us();
    if (!s.newest.empty()) {
      s.newest_us = resilience::set_time_us(s.newest);
      s.age_s = (now_us - s.newest_us) / 1'000'000;
      since = s.newest_us;
    }
    s.overdue = now_us - since > int64_t{s.every_minutes} * 90'000'000;
    out.push_back(std::move(s));
  }
  return out;
}

Result<BackupOverview> BackupService::overview(const access::Actor& actor) {
  if (!actor.has(access::Permission::kBackupRun) && !actor.has(access::Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied, "the backup status needs backup.run or audit.read");
  }
  BackupOverview out;
  out.configured = configured();
  out.targets = status(rt_.clock().now_us());
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  for (auto& s : out.targets) {
    if (s.newest.empty()) continue;
    auto pulls = (*rx)->audit_by_target("backup.vault.fetch", "backup:" + s.newest, 1);
    if (!pulls) return fail(pulls.error());
    for (const auto& e : *pulls) {
      if (e.result == "success") s.newest_pulled_us = e.at_us;
    }
  }
  return out;
}

void BackupService::alert_once(const std::string& key, const std::string& event,
                               const std::string& target, const std::string& en,
                               const std::string& ja) {
  Alert a;
  a.event = event;
  a.title_en = "Backup: " + en;
  a.title_ja = "バックアップ: " + ja;
  a.text_en = en + " (target " + target + "). Check `minato backup status` and the server log.";
  a.text_ja =
      ja + " (対象 " + target + ")。`minato backup status` とサーバーログを確認してください。";
  a.details_json = json::serialize(json::object{{"target", target}, {"key", key}});
  if (auto st = rt_.raise_alert("system:backup", "alert." + event, a); !st) {
    std::fprintf(stderr, "minato: backup alert failed: %s\n", st.error().message().c_str());
  }
}

void BackupService::run_due(int64_t now_us) {
  access::Actor me{"system:backup", "local", static_cast<uint32_t>(access::Permission::kBackupRun)};
  const bool ready = configured();
  for (const auto& s : status(now_us)) {
    const int64_t every_us = int64_t{s.every_minutes} * 60'000'000;
    if (ready && (s.newest.empty() || now_us - s.newest_us >= every_us)) {
      // After a failure, try again no sooner than a tenth of the schedule (at least a minute).
      auto failed = failed_at_us_.find(s.target);
      if (failed != failed_at_us_.end() &&
          now_us - failed->second < std::max<int64_t>(60'000'000, every_us / 10)) {
        continue;
      }
      auto m = create(me, s.target);
      if (m) {
        failed_at_us_.erase(s.target);
        alerted_.erase("failed:" + s.target);
        alerted_.erase("overdue:" + s.target);
        continue;
      }
      failed_at_us_[s.target] = now_us;
      std::fprintf(stderr, "minato: backup of %s failed: %s\n", s.target.c_str(),
                   m.error().message().c_str());
      if (alerted_.emplace("failed:" + s.target, m.error().message()).second) {
        alert_once("failed:" + s.target, "backup.failed", s.target,
                   "a backup failed: " + m.error().message(),
                   "バックアップに失敗しました: " + m.error().message());
      }
    }
    if (s.overdue && alerted_.emplace("overdue:" + s.target, s.newest).second) {
      if (!ready) {
        alert_once("overdue:" + s.target, "backup.not_configured", s.target,
                   "backups are not set up (run `minato backup init`)",
                   "バックアップが設定されていません (`minato backup init` を実行してください)");
      } else {
        alert_once("overdue:" + s.target, "backup.overdue", s.target,
                   "the newest backup is older than its schedule allows",
                   "最新のバックアップがスケジュールより古くなっています");
      }
    }
  }
}

}  // namespace minato::app
