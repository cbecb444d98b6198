#include "app/restore.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "app/backup_service.h"
#include "app/runtime.h"
#include "audit/event.h"
#include "audit/log.h"
#include "common/files.h"
#include "config/config.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::app {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

void find_in(const fs::path& dir, int depth, std::vector<FoundSet>& out) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || !e.is_directory(ec) || e.is_symlink(ec)) continue;
    if (resilience::valid_set_id(name) &&
        fs::exists(e.path() / std::string(resilience::kManifestFile), ec)) {
      out.push_back(
          {e.path().string(), name, resilience::set_target(name), resilience::set_time_us(name)});
    } else if (depth > 0) {
      find_in(e.path(), depth - 1, out);
    }
  }
}

// Verifies the restored log's first `size` events: recomputed leaves and tree, the database's
// checkpoints, and the shipped copies in `copies` (files or directories; copies made later
// describe a longer log, so only their checkpoints up to `size` count). `what` names the log
// in errors.
Result<audit::VerifyReport> verify_restored(Runtime& rt, const std::vector<std::string>& copies,
                                            int64_t size, const std::string& what) {
  auto vo = rt.verify_options();
  if (!vo) return fail(vo.error());
  for (const auto& c : copies) MINATO_TRY(audit::read_external(c, *vo));
  std::erase_if(vo->external_checkpoints,
                [&](const store::CheckpointRecord& c) { return c.size > size; });
  std::erase_if(vo->external_leaves, [&](const auto& kv) { return kv.first > size; });
  auto verified = audit::verify(rt.store(), *vo);
  if (!verified) return fail(verified.error());
  if (!verified->intact()) {
    return fail(ErrorCode::kDataLoss, what + " does not verify at event " +
                                          std::to_string(verified->first_bad) + ": " +
                                          verified->problem);
  }
  if (verified->events != size) {
    return fail(ErrorCode::kDataLoss, what + " has " + std::to_string(verified->events) +
                                          " events where " + std::to_string(size) +
                                          " were expected");
  }
  return verified;
}

}  // namespace

std::vector<FoundSet> find_sets(const std::string& root) {
  std::vector<FoundSet> out;
  find_in(root, 2, out);
  std::sort(out.begin(), out.end(), [](const FoundSet& a, const FoundSet& b) {
    return a.created_us != b.created_us ? a.created_us < b.created_us : a.id < b.id;
  });
  return out;
}

std::string to_json(const RestoreReport& r) {
  return json::serialize(json::object{
      {"database_set", r.database_set},
      {"config_set", r.config_set},
      {"logs_set", r.logs_set},
      {"snapshot", format_utc(r.snapshot_us)},
      {"schema_version", r.schema_version},
      {"schema_after", r.schema_after},
      {"audit_size", r.audit_size},
      {"audit_root", r.audit_root},
      {"audit_last_event", r.audit_last_at_us ? format_utc(r.audit_last_at_us) : std::string()},
      {"checkpoints_checked", r.checkpoints_checked},
      {"external_checkpoints_checked", r.external_checked},
      {"checkpoint_dir_cleared", r.checkpoint_dir_was},
      {"listen", r.listen},
      {"management_listen", r.management_listen},
      {"vault_listen", r.vault_listen},
      {"webauthn_origin", r.webauthn_origin},
      {"listeners_changed", r.listeners_changed},
      {"rolled_forward", r.rolled_forward},
      {"restored_to_event", r.rolled_forward ? r.forward.to_seq : r.audit_size},
      {"restored_to_time",
       format_utc(r.rolled_forward && r.forward.events > 0 ? r.forward.to_at_us
                                                           : r.audit_last_at_us)},
      {"replayed_events", r.forward.events},
      {"replayed_rows", r.forward.row_images},
      {"replayed_checkpoints", r.forward.checkpoints},
      {"events_available", r.forward.available},
      {"stopped_at_event", r.forward.stopped_seq},
      {"stopped_action", r.forward.stopped_action},
      {"stopped_target", r.forward.stopped_target},
      {"stopped_reason", r.forward.stopped_reason},
      {"stored_bytes", r.stored_bytes},
      {"restored_bytes", r.restored_bytes},
      {"units_in_yard", r.units_in_yard},
      {"vessel_visits", r.visits},
      {"seconds", r.seconds}});
}

Result<RestoreReport> restore(const RestoreOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  RestoreReport report;
  if (o.to.empty() || o.from.empty()) {
    return fail(ErrorCode::kInvalidArgument, "restore needs --from and --to");
  }
  std::error_code ec;
  if (fs::exists(o.to, ec) && !fs::is_empty(o.to, ec)) {
    return fail(ErrorCode::kAlreadyExists,
                o.to + " exists and is not empty: restore only into a new directory");
  }
  if (!fs::is_directory(o.from, ec)) {
    return fail(ErrorCode::kNotFound, o.from + " is not a directory of backup sets");
  }
  {
    config::Config listeners;  // the flags are checked before any work
    MINATO_TRY(config::apply_listeners(listeners, o.listen));
  }

  // 1. Recovery files: their signer is the only key whose manifests are accepted.
  std::string rdir = o.recovery_dir.empty() ? o.from + "/recovery" : o.recovery_dir;
  auto open_recipient = [&](const char* name,
                            const std::string& pass) -> Result<resilience::Recipient> {
    std::string path = BackupService::recovery_path(rdir, name);
    auto text = read_file(path, 1 << 16);
    if (!text) {
      return fail(ErrorCode::kNotFound, "cannot read the recovery file " + path + " (" +
                                            text.error().message() +
                                            "); give the directory that holds it with --recovery");
    }
    return resilience::open_recovery_file(*text, pass, path);
  };
  auto data = open_recipient("data", o.data_passphrase);
  if (!data) return fail(data.error());
  auto keys = open_recipient("keys", o.keys_passphrase);
  if (!keys) return fail(keys.error());
  if (keys->signer_public != data->signer_public) {
    return fail(ErrorCode::kDataLoss, "the two recovery files name different signing keys");
  }

  // 2. Which sets: of those signed by that key (after a rotation of the backup key, sets of
  // both keys lie side by side; the old recovery files read the old ones).
  auto sets = find_sets(o.from);
  const FoundSet* db = nullptr;
  const FoundSet* cfg = nullptr;
  const FoundSet* logs = nullptr;
  // A set names its signer (manifest.sig's key_id); one that names this key is this key's,
  // and is verified in full below — damage is refused, never skipped over.
  const std::string ours = audit::key_id_of(data->signer_public);
  auto signed_by_other = [&](const FoundSet& s) {
    auto sig = read_file(s.dir + "/" + std::string(resilience::kSignatureFile), 1 << 16);
    if (!sig) return false;
    json::error_code ec;
    auto v = json::parse(*sig, ec);
    if (ec || !v.is_object()) return false;
    const auto* id = v.as_object().if_contains("key_id");
    return id != nullptr && id->is_string() && id->as_string() != ours;
  };
  int other_signer = 0;
  for (const auto& s : sets) {
    const bool named = !o.set.empty() && s.id == o.set;
    if (!named && signed_by_other(s)) {
      ++other_signer;  // another backup key's (before a rotation): never chosen unless named
      continue;
    }
    if (s.target == "database") {
      if (!o.set.empty() ? named : (o.at_us == 0 || s.created_us <= o.at_us)) db = &s;
    } else if (s.target == "config") {
      cfg = &s;
    } else if (s.target == "logs") {
      logs = &s;
    }
  }
  const std::string skipped = other_signer == 0
                                  ? ""
                                  : " (" + std::to_string(other_signer) +
                                        " sets there are not signed by the recovery files' key)";
  if (db == nullptr) {
    return fail(
        ErrorCode::kNotFound,
        (!o.set.empty() ? "no database set " + o.set + " under " + o.from
         : o.at_us      ? "no database set at or before " + format_utc(o.at_us) + " under " + o.from
                        : "no database backup set under " + o.from) +
            skipped);
  }
  if (cfg == nullptr) {
    return fail(ErrorCode::kNotFound, "no config set under " + o.from +
                                          ": the keys and configuration are needed" + skipped);
  }

  // 3. Manifests and stored bytes, all before any byte is decrypted.
  struct Part {
    const FoundSet* set;
    const resilience::Recipient* recipient;
    resilience::Manifest manifest;
  };
  std::vector<Part> parts{{cfg, &*keys, {}}, {db, &*data, {}}};
  if (logs != nullptr) parts.push_back({logs, &*data, {}});
  uint64_t total = 0;
  for (auto& p : parts) {
    auto m = resilience::read_verified_manifest(p.set->dir, data->signer_public);
    if (!m) return fail(m.error());
    if (m->set_id != p.set->id || m->target != p.set->target) {
      return fail(ErrorCode::kDataLoss,
                  p.set->dir + ": the manifest names set " + m->set_id + ", not " + p.set->id);
    }
    p.manifest = std::move(*m);
    total += p.manifest.stored_bytes();
  }
  // Every chunk's hash is checked against its signed manifest as it is read, before it is
  // decrypted; a damaged set stops the restore and its partial directory is removed.
  uint64_t done = 0;

  // 4. Files, into a directory that becomes <to> only when everything checks out.
  const std::string work = o.to + ".partial-" + std::to_string(::getpid());
  fs::remove_all(work, ec);
  MINATO_TRY(make_dir(work, 0700, true));
  auto result = [&]() -> Status {
    MINATO_TRY(make_dir(work + "/logs-restored", 0700, true));
    for (auto& p : parts) {
      const bool is_logs = p.set == logs;
      const std::string into = is_logs ? work + "/logs-restored" : work;
      uint64_t base = done;
      MINATO_TRY(resilience::extract_set(
          p.set->dir, p.manifest, *p.recipient, into, [&](const resilience::ExtractProgress& pr) {
            if (o.progress) o.progress("restore " + p.set->id, base + pr.done, total);
          }));
      done += p.manifest.stored_bytes();
      report.stored_bytes += p.manifest.stored_bytes();
      report.restored_bytes += p.manifest.plain_bytes();
    }
    for (const char* sub : {"keys", "tls"}) {
      if (fs::exists(work + "/" + sub, ec))
        fs::permissions(work + "/" + sub, fs::perms::owner_all, ec);
    }
    const auto& dbm = parts[1].manifest;
    report.database_set = dbm.set_id;
    report.config_set = parts[0].manifest.set_id;
    report.logs_set = logs ? logs->id : "";
    report.snapshot_us = dbm.created_us;
    report.schema_version = dbm.schema_version;
    report.audit_size = dbm.audit.size;
    report.audit_root = dbm.audit.root;
    report.audit_last_at_us = dbm.audit.last_at_us;

    // The restored configuration names the checkpoint directory of the installation the backup
    // came from. A restore or drill beside it must never write there (a drill overwrote a real
    // checkpoint file, and `audit verify --external` on the live installation then reported
    // tampering): the restored directory starts without outside copies, and the report says
    // which directory was cleared, so that the operator gives it one of its own.
    {
      const std::string cfg_path = work + "/minato.toml";
      auto cfg = config::load(cfg_path);
      if (!cfg) return fail(cfg.error());
      if (!cfg->checkpoint_dir.empty()) {
        report.checkpoint_dir_was = cfg->checkpoint_dir;
        cfg->checkpoint_dir.clear();
      }
      // Restored beside the live installation (a drill host, a second directory), it must
      // listen elsewhere: the listeners given replace the backed-up ones.
      MINATO_TRY(config::apply_listeners(*cfg, o.listen));
      report.listeners_changed = !o.listen.empty();
      report.listen = cfg->listen;
      report.management_listen = cfg->management_listen;
      report.vault_listen = cfg->backup_vault_listen;
      report.webauthn_origin = cfg->webauthn_origin;
      if (!report.checkpoint_dir_was.empty() || report.listeners_changed) {
        MINATO_TRY(write_file_atomic(cfg_path, config::to_toml(*cfg), 0600));
      }
    }

    // 5. Open it as the server would, and verify the audit log.
    if (o.progress) o.progress("verify audit log", done, total);
    RuntimeOptions ro;
    if (!report.checkpoint_dir_was.empty() || report.listeners_changed) {
      ro.config_restored =
          "restored from backup set " + report.config_set +
          (report.checkpoint_dir_was.empty()
               ? ""
               : "; audit.checkpoint_dir cleared (it was " + report.checkpoint_dir_was + ")") +
          (report.listeners_changed ? "; listeners given for the restored copy" : "");
    }
    auto rt = Runtime::open(work, ro);
    if (!rt) return fail(rt.error());
    report.schema_after = (*rt)->store().schema_version();
    const std::string shipped = work + "/logs-restored/logs/audit-checkpoints.jsonl";
    std::vector<std::string> copies;
    if (logs != nullptr) copies.push_back(shipped);
    if (!o.checkpoints.empty()) copies.push_back(o.checkpoints);
    auto verified = verify_restored(**rt, copies, dbm.audit.size, "the restored audit log");
    if (!verified) return fail(verified.error());
    if (verified->root != dbm.audit.root) {
      return fail(ErrorCode::kDataLoss, "the restored audit log (root " +
                                            verified->root.substr(0, 16) +
                                            ") is not the one the manifest names (root " +
                                            dbm.audit.root.substr(0, 16) + ")");
    }
    report.checkpoints_checked = verified->checkpoints;
    report.external_checked = verified->external;

    // 6. Roll forward past the snapshot with the logs set's events, then verify again.
    if (logs != nullptr && o.roll_forward) {
      const auto& logm = parts[2].manifest;
      RollForwardOptions rf;
      rf.events_path = work + "/logs-restored/logs/audit-events.jsonl";
      rf.until_us = o.at_us;
      rf.snapshot_schema = dbm.schema_version;
      auto trust = (*rt)->verify_options();
      if (!trust) return fail(trust.error());
      rf.trust.origin = trust->origin;
      rf.trust.keys = trust->keys;
      MINATO_TRY(audit::read_external(shipped, rf.trust));
      rf.expect_size = logm.audit.size;
      rf.expect_root = logm.audit.root;
      rf.progress = [&](uint64_t d, uint64_t t) {
        if (o.progress)
          o.progress("roll forward " + std::to_string(d * 100 / std::max<uint64_t>(t, 1)) + "%",
                     done, total);
      };
      rt->reset();
      {
        auto db = store::SqliteStore::open(work + "/minato.db");
        if (!db) return fail(db.error());
        auto fwd = roll_forward(**db, rf);
        if (!fwd) return fail(fwd.error());
        report.forward = std::move(*fwd);
        report.rolled_forward = true;
      }
      rt = Runtime::open(work, ro);
      if (!rt) return fail(rt.error());
      if (report.forward.events > 0) {
        if (o.progress) o.progress("verify audit log", done, total);
        auto whole =
            verify_restored(**rt, copies, report.forward.to_seq, "the rolled-forward audit log");
        if (!whole) return fail(whole.error());
        report.checkpoints_checked = whole->checkpoints;
        report.external_checked = whole->external;
      }
    }
    if (auto rx = (*rt)->store().read()) {
      if (auto n = (*rx)->count_units_in_yard()) report.units_in_yard = *n;
      if (auto v = (*rx)->list_visits()) report.visits = static_cast<int64_t>(v->size());
    }
    // The restored configuration as this restore left it (configuration control), then the
    // restore itself, in the restored log.
    MINATO_TRY((*rt)->config_control().record_running());
    if (auto k = (*rt)->keys().reconcile(); !k) return fail(k.error());
    MINATO_TRY((*rt)->writes().execute_status(
        access::Actor::local_operator(),
        {o.record_as, o.record_target.empty() ? "backup:" + dbm.set_id : o.record_target,
         access::Permission::kNone},
        [&](store::WriteTxn&, Effects& fx) -> Status {
          fx.change = to_json(report);
          return ok();
        }));
    rt->reset();
    fs::remove_all(work + "/logs-restored", ec);
    if (::rename(work.c_str(), o.to.c_str()) != 0) {
      // <to> may exist as an empty directory.
      fs::remove(o.to, ec);
      if (::rename(work.c_str(), o.to.c_str()) != 0) {
        return fail(ErrorCode::kUnavailable, "cannot move the restored directory to " + o.to);
      }
    }
    return ok();
  }();
  if (!result) {
    fs::remove_all(work, ec);
    return fail(result.error());
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.progress) o.progress("done", total, total);
  return report;
}

}  // namespace minato::app
