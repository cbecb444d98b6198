// `minato backup`, `minato restore` and `minato vault` (G2.7.2): backup sets, their restore and
// drills, and the vault that pulls them to another host.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app/continuity.h"
#include "app/restore.h"
#include "app/runtime.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"
#include "identity/password_policy.h"
#include "resilience/vault.h"

namespace minato::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// The backup passphrase rule, from the policy itself (G2.2.2-b).
const std::string kPassphraseRule =
    identity::describe(identity::PasswordPolicy::for_use(identity::PasswordUse::kBackupPassphrase));

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n >= (uint64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(n) / (1 << 30));
  } else if (n >= (uint64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  }
  return buf;
}

// A progress bar on stderr when it is a terminal (nothing in logs and pipes).
std::function<void(const std::string&, uint64_t, uint64_t)> progress_bar(bool quiet) {
  if (quiet || !::isatty(2)) return {};
  return [](const std::string& stage, uint64_t done, uint64_t total) {
    const int width = 30;
    double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    int filled = static_cast<int>(f * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '-');
    std::fprintf(stderr, "\r  [%s] %3d%%  %-48.48s", bar.c_str(), static_cast<int>(f * 100),
                 stage.c_str());
    if (stage == "done") std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

void print_report(const app::RestoreReport& r) {
  std::printf("restored:\n");
  std::printf("  database   %s (snapshot %s, schema %d%s)\n", r.database_set.c_str(),
              format_utc(r.snapshot_us).c_str(), r.schema_version,
              r.schema_after != r.schema_version
                  ? (" -> " + std::to_string(r.schema_after) + " after migrations").c_str()
                  : "");
  std::printf("  config     %s (configuration, keys, TLS)\n", r.config_set.c_str());
  std::printf("  logs       %s\n", r.logs_set.empty() ? "(none found)" : r.logs_set.c_str());
  std::printf("snapshot up to audit event %lld (%s), root %s\n",
              static_cast<long long>(r.audit_size),
              r.audit_last_at_us ? format_utc(r.audit_last_at_us).c_str() : "-",
              r.audit_root.substr(0, 16).c_str());
  if (r.rolled_forward) {
    const auto& f = r.forward;
    if (f.events > 0) {
      auto count = [](int64_t n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
      };
      std::printf(
          "rolled forward from the logs set: %s (%s) to audit event %lld (%s);\n"
          "  %s on the way matched\n",
          count(f.events, "event", "events").c_str(), count(f.row_images, "row", "rows").c_str(),
          static_cast<long long>(f.to_seq), format_utc(f.to_at_us).c_str(),
          count(f.checkpoints, "signed checkpoint", "signed checkpoints").c_str());
    } else if (f.stopped_reason.empty()) {
      std::printf("rolled forward: no events after the snapshot to apply\n");
    }
    if (f.stopped_seq != 0) {
      std::printf(
          "STOPPED before audit event %lld (%s %s, %s):\n  %s\n"
          "  events %lld..%lld are in the logs set but not applied: enter them again by hand,\n"
          "  or restore to an earlier point with --at\n",
          static_cast<long long>(f.stopped_seq), f.stopped_action.c_str(), f.stopped_target.c_str(),
          format_utc(f.stopped_at_us).c_str(), f.stopped_reason.c_str(),
          static_cast<long long>(f.stopped_seq), static_cast<long long>(f.available));
    } else if (!f.stopped_reason.empty()) {
      std::printf("not rolled forward: %s\n", f.stopped_reason.c_str());
    } else if (f.available > f.to_seq) {
      std::printf("events %lld..%lld (after --at) are in the logs set and were not applied\n",
                  static_cast<long long>(f.to_seq + 1), static_cast<long long>(f.available));
    }
  } else if (!r.logs_set.empty()) {
    std::printf("not rolled forward (--snapshot-only)\n");
  }
  std::printf(
      "checks: signatures and chunk hashes of every set, SHA-256 of every file, the audit\n"
      "  log recomputed and matching the manifest; %lld checkpoints in the database and\n"
      "  %lld shipped copies verified\n",
      static_cast<long long>(r.checkpoints_checked), static_cast<long long>(r.external_checked));
  std::printf("terminal: %s in the yard, %s\n", counted(r.units_in_yard, "unit", "units").c_str(),
              counted(r.visits, "vessel visit", "vessel visits").c_str());
  if (!r.checkpoint_dir_was.empty()) {
    std::printf(
        "audit.checkpoint_dir: cleared in the restored configuration (it was %s, the\n"
        "  checkpoint directory of the installation backed up, which this directory must not\n"
        "  write into). Its checkpoints kept outside start afresh once you set a directory of\n"
        "  its own; the old installation's copies still verify the events up to the snapshot\n"
        "  (minato audit verify --external OLD_DIR)\n",
        r.checkpoint_dir_was.c_str());
  }
  std::printf("%s stored, %s restored in %.1f s\n", human_bytes(r.stored_bytes).c_str(),
              human_bytes(r.restored_bytes).c_str(), r.seconds);
}

struct RestoreFlags {
  std::string from, to, recovery, pass_file, keys_pass_file, set, at, checkpoints;
  bool json = false, quiet = false, snapshot_only = false;
  config::Listeners listen;
};

void add_restore_flags(CLI::App* cmd, RestoreFlags& f, bool need_to) {
  cmd->add_option("--from", f.from, "A vault directory or a backup outbox")->required();
  if (need_to) cmd->add_option("--to", f.to, "The new data directory (must not exist)")->required();
  cmd->add_option("--recovery", f.recovery,
                  "Directory with backup-data.recovery and backup-keys.recovery "
                  "(default: FROM/recovery)");
  cmd->add_option("--passphrase-file", f.pass_file, "File with the data recovery passphrase")
      ->required();
  cmd->add_option("--keys-passphrase-file", f.keys_pass_file,
                  "File with the keys recovery passphrase")
      ->required();
  cmd->add_option("--set", f.set, "A database set id (default: the newest)");
  cmd->add_option("--at", f.at,
                  "Restore to this time (ISO 8601 UTC): the newest database set at or before it, "
                  "rolled forward to it from the logs set's audit events");
  cmd->add_flag("--snapshot-only", f.snapshot_only,
                "Restore the database set as it is, without rolling forward");
  cmd->add_option("--checkpoints", f.checkpoints,
                  "More shipped checkpoint copies to check the audit log against");
  cmd->add_flag("--json", f.json, "Print the summary as JSON");
  cmd->add_flag("--quiet", f.quiet, "No progress bar");
}

app::RestoreOptions restore_options(const RestoreFlags& f) {
  app::RestoreOptions o;
  o.from = f.from;
  o.to = f.to;
  o.recovery_dir = f.recovery;
  o.data_passphrase = secret_or_die(f.pass_file, "--passphrase-file");
  o.keys_passphrase = secret_or_die(f.keys_pass_file, "--keys-passphrase-file");
  o.set = f.set;
  o.checkpoints = f.checkpoints;
  o.listen = f.listen;
  o.roll_forward = !f.snapshot_only;
  if (!f.at.empty() && !parse_utc(f.at, &o.at_us)) {
    die(Error(ErrorCode::kInvalidArgument, "--at must look like 2026-11-26T14:00:00Z", "at"));
  }
  o.progress = progress_bar(f.quiet || f.json);
  return o;
}

void add_backup(CLI::App& app) {
  auto* backup =
      app.add_subcommand("backup", "Backup sets, their status and restore drills (G2.7.2)");
  backup->require_subcommand(1);

  struct Opts {
    std::string data, target = "all", pass_file, keys_pass_file;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();

  auto* init = backup->add_subcommand(
      "init",
      "Make the backup signing key and the two recovery files (data; keys), each sealed under "
      "its own passphrase");
  init->add_option("--data", o->data, "Data directory")->required();
  init->add_option("--passphrase-file", o->pass_file,
                   "File with the data recovery passphrase (" + kPassphraseRule + ")")
      ->required();
  init->add_option("--keys-passphrase-file", o->keys_pass_file,
                   "File with the keys recovery passphrase (the same rule; it must differ "
                   "from the data passphrase)")
      ->required();
  init->add_flag("--json", o->json, "Print the result as JSON");
  init->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) die(rt.error());
    auto st = app::BackupService::init_keys(
        (*rt)->paths().keys(), secret_or_die(o->pass_file, "--passphrase-file"),
        secret_or_die(o->keys_pass_file, "--keys-passphrase-file"), {});
    if (!st) die(st.error());
    auto signer = crypto::SigningKey::load((*rt)->paths().keys() + "/backup.key");
    if (!signer) die(signer.error());
    const std::string pub = crypto::to_hex(signer->public_key());
    const std::string data_file = app::BackupService::recovery_path((*rt)->paths().keys(), "data");
    const std::string keys_file = app::BackupService::recovery_path((*rt)->paths().keys(), "keys");
    print_result(o->json,
                 json::object{{"signing_key", pub},
                              {"data_recovery_file", data_file},
                              {"keys_recovery_file", keys_file}},
                 "backups are set up.\n"
                 "  signing key (give it to `minato vault init --signer`): " +
                     pub + "\n  recovery files: " + data_file + ", " + keys_file +
                     "\nKeep both passphrases apart from this system: without them no backup "
                     "can be read.\n");
  });

  auto* key =
      backup->add_subcommand("key", "Print the public key that signs this installation's sets");
  key->add_option("--data", o->data, "Data directory")->required();
  key->add_flag("--json", o->json, "Print the result as JSON");
  key->callback([o] {
    auto signer = crypto::SigningKey::load(o->data + "/keys/backup.key");
    if (!signer) die(signer.error());
    const std::string pub = crypto::to_hex(signer->public_key());
    print_result(o->json, json::object{{"signing_key", pub}}, pub + "\n");
  });

  auto* create = backup->add_subcommand("create", "Write backup sets now");
  create->add_option("--data", o->data, "Data directory")->required();
  create->add_option("--target", o->target, "database, config, logs, release or all")
      ->check(CLI::IsMember({"all", "database", "config", "logs", "release"}));
  create->add_flag("--json", o->json, "Print the sets as JSON");
  create->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) die(rt.error());
    json::array out;
    for (auto t : app::kBackupTargets) {
      if (o->target != "all" && o->target != t) continue;
      auto m = (*rt)->backup().create(access::Actor::local_operator(), std::string(t));
      if (!m) die(m.error());
      if (o->json) {
        out.push_back(json::object{{"set", m->set_id},
                                   {"target", m->target},
                                   {"files", m->files.size()},
                                   {"plain_bytes", m->plain_bytes()},
                                   {"stored_bytes", m->stored_bytes()},
                                   {"audit_size", m->audit.size}});
      } else {
        std::printf("%s  %s, %s -> %s stored, audit %s\n", m->set_id.c_str(),
                    counted(static_cast<int64_t>(m->files.size()), "file", "files").c_str(),
                    human_bytes(m->plain_bytes()).c_str(), human_bytes(m->stored_bytes()).c_str(),
                    counted(m->audit.size, "event", "events").c_str());
      }
    }
    if (o->json) std::printf("%s\n", json::serialize(out).c_str());
  });

  auto* status = backup->add_subcommand("status", "Each target's newest set, age and schedule");
  status->add_option("--data", o->data, "Data directory")->required();
  status->add_flag("--json", o->json, "Print JSON");
  status->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) die(rt.error());
    auto& b = (*rt)->backup();
    bool configured = b.configured();
    // This process has just started, so a target with no set at all counts as overdue here
    // (the server counts from its own start).
    int64_t now = (*rt)->clock().now_us();
    json::array arr;
    bool any_overdue = !configured;
    for (const auto& s : b.status(now)) {
      bool overdue = s.overdue || s.newest.empty();
      any_overdue = any_overdue || overdue;
      if (o->json) {
        arr.push_back(json::object{{"target", s.target},
                                   {"every_minutes", s.every_minutes},
                                   {"newest", s.newest},
                                   {"age_s", s.age_s},
                                   {"overdue", overdue},
                                   {"sets", s.sets},
                                   {"stored_bytes", s.stored_bytes}});
      } else {
        std::printf("%-9s every %5d min  %s  %s%s\n", s.target.c_str(), s.every_minutes,
                    s.newest.empty() ? "no set yet" : s.newest.c_str(),
                    s.age_s < 0 ? "" : (std::to_string(s.age_s / 60) + " min old").c_str(),
                    overdue ? "  OVERDUE" : "");
      }
    }
    if (o->json) {
      std::printf("%s\n", json::serialize(json::object{{"configured", configured},
                                                       {"outbox", b.outbox()},
                                                       {"targets", std::move(arr)}})
                              .c_str());
    } else if (!configured) {
      std::printf("backups are not set up: run `minato backup init`\n");
    }
    if (any_overdue) throw CLI::RuntimeError(3);
  });

  // G2.7.2-f: the restore test, any day.
  struct DrillOpts {
    RestoreFlags f;
    std::string data, scratch;
  };
  auto d = std::make_shared<DrillOpts>();
  auto* drill = backup->add_subcommand(
      "drill",
      "Restore the newest sets into a scratch directory, verify and time it, record the result");
  add_restore_flags(drill, d->f, false);
  drill->add_option(
      "--data", d->data,
      "Record the drill in this data directory's audit log (else in FROM/drills.jsonl)");
  drill->add_option("--scratch", d->scratch, "Where the scratch directory goes (default: TMPDIR)");
  drill->callback([d] {
    std::string parent = d->scratch;
    if (parent.empty()) parent = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
    std::string tmpl = parent + "/minato-drill-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      die(Error(ErrorCode::kUnavailable, "cannot make a scratch directory under " + parent));
    }
    RestoreFlags f = d->f;
    f.to = tmpl + "/data";
    auto opts = restore_options(f);
    const int64_t started = SystemClock::instance().now_us();
    auto r = app::restore(opts);
    std::error_code ec;
    fs::remove_all(tmpl, ec);
    json::object record{
        {"date", format_utc(started)}, {"from", f.from}, {"outcome", r ? "passed" : "failed"}};
    if (r) {
      record["seconds"] = r->seconds;
      record["stored_bytes"] = r->stored_bytes;
      record["restored_bytes"] = r->restored_bytes;
      record["database_set"] = r->database_set;
      record["audit_size"] = r->audit_size;
      record["units_in_yard"] = r->units_in_yard;
    } else {
      record["error"] = r.error().message();
    }
    std::string line = json::serialize(record);
    if (!d->data.empty()) {
      auto rt = app::Runtime::open(d->data);
      if (!rt) die(rt.error());
      auto st = (*rt)->backup().record_drill(access::Actor::local_operator(), line, r.has_value(),
                                             r ? std::string() : r.error().message());
      if (!st && r) die(st.error());
    } else {
      auto old = read_file(f.from + "/drills.jsonl", 64u << 20);
      if (auto st = write_file_atomic(f.from + "/drills.jsonl",
                                      (old ? *old : std::string()) + line + "\n", 0600);
          !st) {
        die(st.error());
      }
    }
    if (!r) die(r.error());
    if (f.json) {
      std::printf("%s\n", line.c_str());
    } else {
      print_report(*r);
      std::printf("drill passed in %.1f s (recorded)\n", r->seconds);
    }
  });

  auto* drills = backup->add_subcommand("drills", "The recorded restore drills, newest first");
  drills->add_option("--data", o->data, "Data directory")->required();
  drills->add_flag("--json", o->json, "Print JSON");
  drills->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) die(rt.error());
    auto list = (*rt)->backup().drills(access::Actor::local_operator(), 100);
    if (!list) die(list.error());
    json::array arr;
    std::string text;
    char line[512];
    std::snprintf(line, sizeof line, "%-20s %-7s %8s %10s  %-22s %-22s %s\n", "date", "outcome",
                  "seconds", "stored", "database set", "by", "from / error");
    text += line;
    for (const auto& d : *list) {
      boost::system::error_code ec;
      json::value rec = json::parse(d.record, ec);
      if (ec || !rec.is_object()) rec = json::object{};
      const json::object& r = rec.as_object();
      auto str = [&](const char* k) {
        return r.contains(k) && r.at(k).is_string() ? std::string(r.at(k).as_string())
                                                    : std::string();
      };
      auto num = [&](const char* k) {
        return r.contains(k) && r.at(k).is_number() ? r.at(k).to_number<double>() : 0.0;
      };
      arr.push_back(json::object{{"seq", d.seq},
                                 {"at", format_utc(d.at_us)},
                                 {"by", d.subject},
                                 {"outcome", d.passed ? "passed" : "failed"},
                                 {"record", rec}});
      std::snprintf(line, sizeof line, "%-20s %-7s %8.1f %10s  %-22s %-22s %s\n",
                    format_utc(d.at_us).c_str(), d.passed ? "passed" : "FAILED", num("seconds"),
                    human_bytes(static_cast<uint64_t>(num("stored_bytes"))).c_str(),
                    str("database_set").substr(0, 22).c_str(), d.subject.c_str(),
                    (d.passed ? str("from") : str("error")).c_str());
      text += line;
    }
    text += counted(static_cast<int64_t>(list->size()), "drill", "drills") + " recorded\n";
    print_result(o->json, json::object{{"drills", arr}}, text);
  });
}

void add_restore(CLI::App& app) {
  auto f = std::make_shared<RestoreFlags>();
  auto* cmd = app.add_subcommand(
      "restore",
      "Rebuild a data directory from backup sets: verify signatures, decrypt, rebuild, check "
      "the audit log (G2.7.2-f)");
  add_restore_flags(cmd, *f, true);
  add_listen_options(cmd, &f->listen, "in the restored minato.toml");
  cmd->callback([f] {
    auto r = app::restore(restore_options(*f));
    if (!r) die(r.error());
    if (f->json) {
      std::printf("%s\n", app::to_json(*r).c_str());
      return;
    }
    print_report(*r);
    std::printf(
        "listeners: API and console %s, management %s, backup vault %s; console origin %s\n",
        r->listen.c_str(), r->management_listen.c_str(), r->vault_listen.c_str(),
        r->webauthn_origin.c_str());
    if (r->listeners_changed) {
      std::printf("start it with: minato serve --data %s\n", f->to.c_str());
    } else {
      std::printf(
          "these are the backed-up installation's listeners: on a host where it still runs,\n"
          "  stop it first or start this one on other ports:\n"
          "  minato serve --data %s --listen 127.0.0.1:0 --management-listen 127.0.0.1:0 "
          "--vault-listen 127.0.0.1:0\n"
          "  (or restore again with --listen, --management-listen and --vault-listen to keep\n"
          "  other ports in its minato.toml)\n",
          f->to.c_str());
    }
  });
}

void add_vault(CLI::App& app) {
  auto* vault = app.add_subcommand(
      "vault",
      "The backup vault: pulls sets from the live server over mutual TLS and keeps them under "
      "its own retention (G2.7.2-c/d/e)");
  vault->require_subcommand(1);
  struct Opts {
    std::string dir;
    resilience::VaultConfig config;
    bool json = false;
    int every_s = 0;
    int passes = 0;
  };
  auto o = std::make_shared<Opts>();

  auto* init = vault->add_subcommand("init", "Create a vault directory and its client certificate");
  init->add_option("--dir", o->dir, "The vault directory (new)")->required();
  init->add_option("--server", o->config.server, "https://HOST:PORT of the server's vault listener")
      ->required();
  init->add_option("--server-ca", o->config.server_ca,
                   "PEM certificate or CA that verifies the server")
      ->required();
  init->add_option("--signer", o->config.signer,
                   "The installation's backup signing key (`minato backup key` prints it)")
      ->required();
  init->add_option("--keep-last", o->config.policy.last, "Newest sets kept whatever their age");
  init->add_option("--keep-hourly", o->config.policy.hourly, "Hours kept (newest set of each)");
  init->add_option("--keep-daily", o->config.policy.daily, "Days kept");
  init->add_option("--keep-weekly", o->config.policy.weekly, "ISO weeks kept");
  init->add_option("--keep-monthly", o->config.policy.monthly, "Months kept");
  init->add_option("--pull-minutes", o->config.pull_minutes, "How often `vault run` pulls");
  init->add_option("--max-set-mib", o->config.max_set_mib,
                   "Refuse sets larger than this (MiB; 0 = no limit)");
  init->add_flag("--json", o->json, "Print the result as JSON");
  init->callback([o] {
    if (!o->config.server_ca.empty()) {
      std::error_code ec;
      o->config.server_ca = fs::absolute(o->config.server_ca, ec).string();
    }
    auto fp = resilience::Vault::init(o->dir, o->config);
    if (!fp) die(fp.error());
    print_result(o->json, json::object{{"dir", o->dir}, {"client_cert_sha256", *fp}},
                 "vault created in " + o->dir +
                     ".\nOn the live server, allow this vault in minato.toml:\n  [backup]\n  "
                     "vault_clients = \"" +
                     *fp + "\"\n");
  });

  auto report_pull = [o](const resilience::PullReport& r) {
    if (o->json) {
      json::array msgs;
      for (const auto& m : r.messages) msgs.emplace_back(m);
      std::printf("%s\n", json::serialize(json::object{{"offered", r.offered},
                                                       {"pulled", r.pulled},
                                                       {"already", r.already},
                                                       {"refused", r.refused},
                                                       {"pruned", r.pruned},
                                                       {"bytes", r.bytes},
                                                       {"messages", std::move(msgs)}})
                              .c_str());
    } else {
      std::printf("offered %d, pulled %d (%s), already held %d, refused %d, pruned %d\n", r.offered,
                  r.pulled, human_bytes(r.bytes).c_str(), r.already, r.refused, r.pruned);
      for (const auto& m : r.messages) std::printf("  refused: %s\n", m.c_str());
    }
    std::fflush(stdout);
  };

  auto* pull = vault->add_subcommand("pull", "Pull new sets once, then apply retention");
  pull->add_option("--dir", o->dir, "The vault directory")->required();
  pull->add_flag("--json", o->json, "Print JSON");
  pull->callback([o, report_pull] {
    auto v = resilience::Vault::open(o->dir, SystemClock::instance());
    if (!v) die(v.error());
    auto source = resilience::make_https_source((*v)->source_options());
    auto r = (*v)->pull(*source);
    if (!r) die(r.error());
    report_pull(*r);
    if (r->refused > 0) throw CLI::RuntimeError(3);
  });

  auto* run = vault->add_subcommand("run", "Pull on the vault's schedule until stopped");
  run->add_option("--dir", o->dir, "The vault directory")->required();
  run->add_option("--every-seconds", o->every_s, "Override the schedule (seconds)");
  run->add_option("--passes", o->passes, "Stop after this many passes (0: never)");
  run->add_flag("--json", o->json, "Print JSON per pass");
  run->callback([o, report_pull] {
    auto v = resilience::Vault::open(o->dir, SystemClock::instance());
    if (!v) die(v.error());
    auto source = resilience::make_https_source((*v)->source_options());
    const int every = o->every_s > 0 ? o->every_s : (*v)->config().pull_minutes * 60;
    for (int pass = 1;; ++pass) {
      auto r = (*v)->pull(*source);
      if (r) {
        report_pull(*r);
      } else {
        std::fprintf(stderr, "minato: vault pull failed: %s\n", r.error().message().c_str());
      }
      if (o->passes > 0 && pass >= o->passes) break;
      std::this_thread::sleep_for(std::chrono::seconds(every));
    }
  });

  auto* list = vault->add_subcommand("list", "The sets the vault holds");
  list->add_option("--dir", o->dir, "The vault directory")->required();
  list->add_flag("--json", o->json, "Print JSON");
  list->callback([o] {
    auto v = resilience::Vault::open(o->dir, SystemClock::instance());
    if (!v) die(v.error());
    json::array arr;
    for (const auto& h : (*v)->held()) {
      if (o->json) {
        arr.push_back(json::object{{"set", h.id},
                                   {"target", h.target},
                                   {"created", format_utc(h.created_us)},
                                   {"stored_bytes", h.stored_bytes}});
      } else {
        std::printf("%s  %-8s %s\n", h.id.c_str(), h.target.c_str(),
                    human_bytes(h.stored_bytes).c_str());
      }
    }
    if (o->json) std::printf("%s\n", json::serialize(arr).c_str());
  });

  auto* check = vault->add_subcommand("check", "Check every held set's signature and chunks again");
  check->add_option("--dir", o->dir, "The vault directory")->required();
  check->add_flag("--json", o->json, "Print the result as JSON");
  check->callback([o] {
    auto v = resilience::Vault::open(o->dir, SystemClock::instance());
    if (!v) die(v.error());
    auto problems = (*v)->check_all();
    json::array damaged;
    std::string text;
    for (const auto& p : problems) {
      damaged.emplace_back(p);
      text += "damaged: " + p + "\n";
    }
    const auto held = static_cast<int64_t>((*v)->held().size());
    text += counted(held, "set", "sets") + ", " + std::to_string(problems.size()) + " damaged\n";
    print_result(o->json, json::object{{"sets", held}, {"damaged", damaged}}, text);
    if (!problems.empty()) throw CLI::RuntimeError(exit_code(ErrorCode::kDataLoss));
  });
}

void add_continuity(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "continuity",
      "The signed snapshot for working by hand: yard, holds, vessel lists, appointments "
      "(G2.4-b, G3.1-c)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, dir, key;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* snap = cmd->add_subcommand("snapshot", "Write a snapshot now");
  snap->add_option("--data", o->data, "Data directory")->required();
  snap->add_flag("--json", o->json, "Print the result as JSON");
  snap->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) die(rt.error());
    auto s = (*rt)->continuity().write(access::Actor::local_operator());
    if (!s) die(s.error());
    if (o->json) {
      std::printf("%s\n", json::serialize(json::object{{"dir", s->dir},
                                                       {"at", format_utc(s->at_us)},
                                                       {"units_in_yard", s->units_in_yard},
                                                       {"holds", s->holds},
                                                       {"visits", s->visits},
                                                       {"list_entries", s->list_entries},
                                                       {"appointments", s->appointments}})
                              .c_str());
      return;
    }
    std::printf("%s: %s in the yard, %s, %s (%s), %s\n", s->dir.c_str(),
                counted(s->units_in_yard, "unit", "units").c_str(),
                counted(s->holds, "hold", "holds").c_str(),
                counted(s->visits, "visit", "visits").c_str(),
                counted(s->list_entries, "list entry", "list entries").c_str(),
                counted(s->appointments, "appointment", "appointments").c_str());
  });
  auto* key = cmd->add_subcommand(
      "key",
      "Print the installation's continuity key: the Ed25519 public key its snapshots are "
      "signed with (keep it with the people who would work by hand)");
  key->add_option("--data", o->data, "Data directory")->required();
  key->add_flag("--json", o->json, "Print the result as JSON");
  key->callback([o] {
    auto k = app::continuity_public_key(o->data);
    if (!k) die(k.error());
    print_result(o->json, json::object{{"public_key", *k}}, *k + "\n");
  });
  auto* verify = cmd->add_subcommand(
      "verify",
      "Check a snapshot's files against SHA256SUMS and its Ed25519 signature against the "
      "installation's continuity key (--data, or --key as `continuity key` printed it); exit "
      "65 when it fails, 66 when there is no such directory");
  verify->add_option("dir", o->dir, "The snapshot directory")->required();
  auto* data = verify->add_option("--data", o->data,
                                  "The installation's data directory: verify against its key");
  verify
      ->add_option("--key", o->key,
                   "The installation's continuity key (hex, from `minato continuity key`)")
      ->excludes(data);
  verify->add_flag("--json", o->json, "Print the result as JSON");
  verify->callback([o] {
    std::string key = o->key;
    if (!o->data.empty()) {
      auto k = app::continuity_public_key(o->data);
      if (!k) die(k.error());
      key = *k;
    }
    auto r = app::verify_continuity(o->dir, key);
    if (!r) die(r.error());
    if (o->json) {
      std::printf("%s\n", json::serialize(json::object{{"dir", o->dir},
                                                       {"intact", true},
                                                       {"files", r->files},
                                                       {"public_key", r->public_key},
                                                       {"key_beside", r->key_beside}})
                              .c_str());
      return;
    }
    std::printf(
        "%s: %s intact, signed by %s\n", o->dir.c_str(), counted(r->files, "file", "files").c_str(),
        r->key_beside ? "the key written beside it (this proves no origin: give --data or --key)"
                      : ("continuity key " + r->public_key.substr(0, 16) + "...").c_str());
  });
}

}  // namespace

void add_backup_commands(CLI::App& app) {
  add_backup(app);
  add_restore(app);
  add_vault(app);
  add_continuity(app);
}

}  // namespace minato::cli
