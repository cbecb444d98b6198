#include "app/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <thread>

#include "common/files.h"
#include "crypto/random.h"
#include "identity/time_window.h"
#include "notify/transport.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::app {

Status trust_audit_key(const DataPaths& paths, const crypto::SigningKey& key);

Result<std::unique_ptr<Runtime>> Runtime::open(const std::string& data_dir,
                                               const RuntimeOptions& options) {
  MINATO_TRY(crypto::init());
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->paths_ = DataPaths{data_dir};
  rt->clock_ = options.clock != nullptr ? options.clock : &SystemClock::instance();

  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::kNotFound,
                "data directory " + data_dir + " does not exist; create it with `minato init`");
  }
  if ((st.st_mode & 077) != 0) {
    return fail(
        ErrorCode::kFailedPrecondition,
        "data directory " + data_dir + " is accessible to other users; run chmod 700 on it");
  }
  auto cfg = config::load(rt->paths_.config());
  if (!cfg) return fail(cfg.error());
  rt->config_ = std::move(*cfg);

  auto sealing = crypto::SealingKey::load(rt->paths_.sealing_key());
  if (!sealing) return fail(sealing.error());
  rt->sealing_ = std::move(*sealing);
  auto signing = crypto::SigningKey::load(rt->paths_.signing_key());
  if (!signing) return fail(signing.error());
  rt->signing_ = std::move(*signing);

  // The checkpoint key; data directories made before the Merkle log get one now.
  auto audit_key = crypto::SigningKey::load(rt->paths_.audit_key());
  if (!audit_key && audit_key.error().code() == ErrorCode::kNotFound) {
    MINATO_TRY(crypto::SigningKey::generate().save(rt->paths_.audit_key()));
    audit_key = crypto::SigningKey::load(rt->paths_.audit_key());
  }
  if (!audit_key) return fail(audit_key.error());
  rt->audit_key_ = std::move(*audit_key);
  MINATO_TRY(trust_audit_key(rt->paths_, rt->audit_key_));

  store::SqliteOptions db_options;
  db_options.row_images = options.row_images;
  auto db = store::SqliteStore::open(rt->paths_.database(), db_options);
  if (!db) return fail(db.error());
  rt->store_ = std::move(*db);
  // Configuration control: security settings changed in the file without approval keep the
  // values in force (app/config_service.h).
  auto reading = ConfigService::read(rt->paths_.config(), *rt->store_);
  if (!reading) return fail(reading.error());
  if (!options.config_restored.empty() &&
      !(reading->in_force && reading->in_force->sha256 == reading->sha256)) {
    reading->held.clear();
    reading->effective = reading->file;
    reading->restored = options.config_restored;
  }
  rt->config_ = reading->effective;

  const auto& c = rt->config_;
  WritePathOptions wo = options.write_path;
  wo.audit_key = &rt->audit_key_;
  wo.audit_origin = c.audit_origin;
  wo.checkpoints = {c.checkpoint_events, c.checkpoint_seconds};
  rt->writes_ = std::make_unique<WritePath>(*rt->store_, *rt->clock_, wo);
  if (!c.checkpoint_dir.empty()) {
    // G2.7.3-d: a copy of each checkpoint outside the database.
    std::string dir = rt->paths_.resolve(c.checkpoint_dir);
    MINATO_TRY(make_dir(dir, 0700, false));
    rt->writes_->on_checkpoint([dir, origin = c.audit_origin](const store::CheckpointRecord& cp) {
      char name[40];
      std::snprintf(name, sizeof name, "/%020lld.json", static_cast<long long>(cp.size));
      auto st = write_file_atomic(dir + name, audit::checkpoint_json(origin, cp) + "\n", 0600);
      if (!st) {
        std::fprintf(stderr, "minato: cannot copy audit checkpoint %lld to %s: %s\n",
                     static_cast<long long>(cp.size), dir.c_str(), st.error().message().c_str());
      }
    });
  }
  rt->sessions_ = std::make_unique<identity::SessionRegistry>(
      *rt->clock_, identity::SessionLimits{c.session_idle_s, c.session_absolute_s, 10'000,
                                           static_cast<size_t>(c.max_sessions_per_user),
                                           c.session_limit == "end_oldest"});
  rt->source_guard_ = std::make_unique<identity::SourceGuard>(
      *rt->clock_, identity::SourcePolicy{c.source_failure_threshold, c.source_window_s,
                                          c.source_block_s, 100'000});
  // Argon2id runs at a lower CPU priority (nice 10) than request handling, so a login flood
  // slows logins, not the terminal's operations.
  rt->login_pool_ = std::make_unique<BoundedPool>(static_cast<size_t>(c.login_threads),
                                                  static_cast<size_t>(c.login_queue), 10);
  rt->identity_ = std::make_unique<IdentityService>(
      *rt->store_, *rt->writes_, *rt->clock_, rt->sealing_, *rt->sessions_, *rt->source_guard_,
      *rt->login_pool_,
      LockoutPolicy{c.lockout_threshold, c.lockout_seconds,
                    std::max(c.lockout_seconds, c.lockout_max_seconds)},
      options.argon);
  auto offset = identity::parse_utc_offset(c.utc_offset);
  if (!offset) return fail(offset.error());
  rt->identity_->set_utc_offset(*offset);

  // G2.1.1-f: alerts and their delivery.
  AlertSettings alerts;
  alerts.utc_offset_s = *offset;
  alerts.webhook = !c.webhook_url.empty();
  auto staff = parse_mail_list(c.security_mail, "notify.security_mail");
  if (!staff) return fail(staff.error());
  alerts.security_mail = std::move(*staff);
  // G3.1-a: checked at start, used by IncidentService.
  if (auto escalation = parse_mail_list(c.escalation_mail, "incident.escalation_mail");
      !escalation) {
    return fail(escalation.error());
  }
  rt->identity_->set_alerts(alerts, c.new_source_prefix_v4, c.new_source_prefix_v6);
  rt->alerts_ = alerts;
  rt->identity_->set_enrolment_ttl(int64_t{c.enrolment_hours} * 3600);
  rt->identity_->set_password_max_days(c.password_max_days);
  rt->identity_->set_step_up_window(c.step_up_seconds);
  rt->set_console_origin(c.webauthn_origin);
  notify::MailSettings mail{
      c.smtp_url, c.smtp_from, c.smtp_user, "", rt->paths_.resolve(c.smtp_ca_file), 30};
  if (!c.smtp_password_file.empty()) {
    auto pw = read_file(rt->paths_.resolve(c.smtp_password_file), 4096);
    if (!pw) return fail(pw.error());
    mail.password = *pw;
    while (!mail.password.empty() &&
           (mail.password.back() == '\n' || mail.password.back() == '\r')) {
      mail.password.pop_back();
    }
  }
  rt->transport_ = notify::make_curl_transport(
      std::move(mail), {c.webhook_url, rt->paths_.resolve(c.webhook_ca_file), 10});
  rt->notifier_ = std::make_unique<Notifier>(*rt->store_, *rt->writes_, *rt->clock_,
                                             *rt->transport_, rt->signing_);
  rt->access_ = std::make_unique<AccessService>(*rt->store_, *rt->writes_, *rt->clock_,
                                                *rt->sessions_, *offset);
  GateSettings gate{c.terminal_name, *offset, c.appointments == "required",
                    c.appointment_grace_minutes, c.pin_attempts};
  rt->terminal_ = std::make_unique<TerminalService>(*rt->store_, *rt->writes_, rt->sealing_, gate);
  rt->gate_ = std::make_unique<GateService>(*rt->store_, *rt->writes_, gate);
  IntakeSettings intake;
  intake.quarantine_dir =
      c.quarantine_dir.front() == '/' ? c.quarantine_dir : rt->paths_.dir + "/" + c.quarantine_dir;
  intake.clamd = c.clamd;
  intake.sigtool = c.sigtool;
  intake.max_bytes = int64_t{c.intake_max_mb} << 20;
  intake.signature_max_age_days = c.signature_max_age_days;
  intake.refuse_old_signatures = c.signature_age_action == "refuse";
  intake.scan_timeout_ms = c.scan_timeout_s * 1000;
  rt->intake_ =
      std::make_unique<MediaIntake>(*rt->store_, *rt->writes_, *rt->clock_, intake, rt->alerts_);
  rt->edi_ = std::make_unique<EdiImport>(*rt->store_, *rt->writes_, *rt->intake_);
  rt->signatures_ =
      std::make_unique<ScannerSignatures>(*rt->writes_, *rt->intake_, *rt->clock_, c.signature_dir);
  rt->edi_export_ = std::make_unique<EdiExport>(*rt->store_, *rt->clock_, c.locode);
  rt->backup_ = std::make_unique<BackupService>(*rt);
  rt->continuity_ = std::make_unique<Continuity>(*rt);
  // G3.1-c: containment. The break-glass list always admits the server's own host (127.0.0.1
  // and ::1; not all of 127/8, so that a test can stand elsewhere on loopback).
  auto break_glass = identity::SourceRules::parse(
      c.break_glass_sources + (c.break_glass_sources.empty() ? "" : ",") + "127.0.0.1,::1");
  if (!break_glass) return fail(break_glass.error());
  rt->containment_ = std::make_unique<Containment>(std::move(*break_glass));
  rt->incidents_ = std::make_unique<IncidentService>(*rt);
  rt->evidence_ = std::make_unique<EvidenceService>(*rt);
  rt->assets_ = std::make_unique<AssetService>(*rt);
  rt->software_ = std::make_unique<SoftwareService>(*rt);
  rt->upgrades_ = std::make_unique<UpgradeService>(*rt);
  rt->vulnerabilities_ = std::make_unique<VulnerabilityService>(*rt);
  rt->identity_->set_containment(rt->containment_.get());
  rt->writes_->set_gate([c = rt->containment_.get()](const CommandSpec& spec) {
    return containment_refusal(*c, spec);
  });
  rt->live_ = std::make_unique<LiveFeed>(LiveLimits{});
  MINATO_TRY(rt->terminal_->load());
  rt->register_metrics();
  rt->incidents_->sync();
  rt->audit_ =
      std::make_unique<AuditService>(*rt->store_, *rt->writes_, *rt->clock_, c.retention_days);
  rt->config_control_ = std::make_unique<ConfigService>(*rt);
  rt->config_control_->set_running(*reading);
  // Opening writes nothing (`audit verify` must not add to the log it checks): `serve` records
  // the configuration and the keys at its start, the `config` and `key` commands when run.
  rt->keys_ = std::make_unique<KeyService>(*rt);
  rt->compliance_ = std::make_unique<compliance::ComplianceService>(*rt);
  for (const auto& h : reading->held) {
    std::fprintf(stderr,
                 "minato: warning: %s is \"%s\" in minato.toml but stays \"%s\" until the change "
                 "is approved (minato config propose)\n",
                 h.name.c_str(), h.to.c_str(), h.from.c_str());
  }
  return rt;
}

Status trust_audit_key(const DataPaths& paths, const crypto::SigningKey& key) {
  std::string id = audit::key_id_of(key.public_key());
  std::string trust;
  if (auto t = read_file(paths.audit_trust(), 1 << 20); t) {
    trust = std::move(*t);
  } else if (t.error().code() != ErrorCode::kNotFound) {
    return fail(t.error());
  }
  if (trust.find(id + " ") != std::string::npos) return ok();
  trust += id + " " + crypto::to_hex(key.public_key()) + "\n";
  return write_file_atomic(paths.audit_trust(), trust, 0600);
}

Result<audit::TrustedKeys> Runtime::trusted_audit_keys() const {
  audit::TrustedKeys keys;
  auto trust = read_file(paths_.audit_trust(), 1 << 20);
  if (!trust) return fail(trust.error());
  std::istringstream in(*trust);
  std::string id, hex;
  while (in >> id >> hex) {
    auto pub = crypto::from_hex(hex);
    if (!pub || pub->size() != 32 || audit::key_id_of(*pub) != id) {
      return fail(ErrorCode::kDataLoss, paths_.audit_trust() + ": the entry for key " +
                                            id.substr(0, 16) +
                                            " is not a valid Ed25519 public key with that id");
    }
    keys[id] = *pub;
  }
  return keys;
}

Result<audit::VerifyOptions> Runtime::verify_options() const {
  audit::VerifyOptions o;
  o.origin = config_.audit_origin;
  auto keys = trusted_audit_keys();
  if (!keys) return fail(keys.error());
  o.keys = std::move(*keys);
  if (!config_.checkpoint_dir.empty()) {
    std::string dir = paths_.resolve(config_.checkpoint_dir);
    if (::access(dir.c_str(), F_OK) == 0) MINATO_TRY(audit::read_external(dir, o));
  }
  return o;
}

Result<std::string> Runtime::rotate_audit_key() {
  auto fresh = crypto::SigningKey::generate();
  // Trust first, then switch: a crash in between leaves the old key in use and both trusted.
  MINATO_TRY(trust_audit_key(paths_, fresh));
  MINATO_TRY(fresh.save(paths_.audit_key()));
  std::string old_id = audit::key_id_of(audit_key_.public_key());
  std::string new_id = audit::key_id_of(fresh.public_key());
  std::string public_hex = crypto::to_hex(fresh.public_key());
  // The swap happens on the writer thread, between checkpoints, and is itself audited.
  MINATO_TRY(writes_->execute_status(
      access::Actor::local_operator(),
      {"audit.key.rotate", "audit-key:" + new_id, access::Permission::kNone},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = "{\"old_key_id\":\"" + old_id + "\",\"new_key_id\":\"" + new_id +
                    "\",\"public_key\":\"" + public_hex + "\"}";
        audit_key_ = std::move(fresh);
        return ok();
      }));
  return new_id;
}

Status Runtime::rotate_sealing_key(bool forget) {
  // 1. The new key with the old ones kept, on disk before anything is sealed under it.
  crypto::SealingKey next = sealing_.rotated(false);
  MINATO_TRY(next.save(paths_.sealing_key()));
  // 2. Every TOTP secret re-sealed, in one command; the swap happens on the writer thread.
  MINATO_TRY(writes_->execute_status(
      access::Actor::local_operator(), {"key.rotate", "key:sealing", access::Permission::kNone},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto users = tx.list_users();
        if (!users) return fail(users.error());
        int resealed = 0;
        for (const auto& u : *users) {
          if (u.totp_sealed.empty()) continue;
          const std::string context = "user:" + u.username + "/totp";
          auto plain = next.open(u.totp_sealed, context);
          if (!plain) {
            return fail(ErrorCode::kDataLoss, "the TOTP secret of " + u.username +
                                                  " does not open: " + plain.error().message() +
                                                  "; nothing was re-sealed");
          }
          MINATO_TRY(tx.set_totp_sealed(u.id, next.seal(*plain, context)));
          ++resealed;
        }
        fx.change = "{\"resealed_totp\":" + std::to_string(resealed) +
                    ",\"earlier_keys_kept\":" + std::to_string(forget ? 0 : next.earlier_keys()) +
                    "}";
        if (forget) {
          fx.reason =
              "earlier sealing keys forgotten: recovery codes and release PINs made "
              "under them are void";
        }
        fx.on_undo([this, before = sealing_] { sealing_ = before; });
        sealing_ = next;
        return ok();
      }));
  // 3. After a compromise, the earlier keys go once nothing needs them to open.
  if (forget) {
    sealing_ = sealing_.current_only();
    MINATO_TRY(sealing_.save(paths_.sealing_key()));  // overwrites and removes the earlier keys
  }
  return ok();
}

void Runtime::register_metrics() {
  started_us_ = clock_->now_us();
  Metrics& m = metrics_;
  counters_.login_failures =
      &m.counter("minato_login_failures_total", "Failed logins (wrong credentials or refused)");
  counters_.lockouts = &m.counter("minato_account_lockouts_total", "Accounts locked (G2.1.1-e)");
  counters_.source_blocks =
      &m.counter("minato_source_blocks_total", "Source addresses blocked (G2.2.2-f)");
  counters_.denied = &m.counter("minato_denied_total", "Commands refused for lack of permission");
  Counter* ok_events = &m.counter("minato_audited_commands_total", "Committed audited commands",
                                  "result=\"success\"");
  Counter* other_events = &m.counter("minato_audited_commands_total", "Committed audited commands",
                                     "result=\"failure_or_denied\"");
  writes_->on_event([this, ok_events, other_events](const audit::AuditEvent& ev) {
    (ev.result == "success" ? ok_events : other_events)->add();
    if (ev.result == "denied") counters_.denied->add();
    // Failed logins, and wrong factors or current passwords given within a session (G2.1.2-a:
    // they count toward the same lockout).
    const bool counted_failure =
        ev.result == "failure" && ev.reason.find("consecutive failures)") != std::string::npos;
    if ((ev.action == "session.create" && ev.result != "success") ||
        (ev.action != "session.create" && counted_failure)) {
      counters_.login_failures->add();
    }
    // identity (step_up.cpp, count_failure) words a new lock this way in the failure's reason.
    if (ev.reason.find("; account locked until") != std::string::npos) counters_.lockouts->add();
    if (ev.action == "source.block") counters_.source_blocks->add();
    live_->publish(ev);
  });
  // A1.4.2, G2.7.3-a: connections and requests refused by the listener, by kind and by source.
  for (std::string_view kind : RefusalLog::kKinds) {
    m.gauge(
        "minato_http_refused_total",
        "Connections and requests refused for their form or the server's limits, by kind",
        [this, kind] { return static_cast<double>(refusal_log_.total_of(kind)); },
        "kind=\"" + std::string(kind) + "\"", true);
  }
  m.family(
      "minato_http_refused_by_source_total",
      "Refused connections and requests by source and kind (the first 64 sources by name)",
      [this] {
        Metrics::LabelledValues out;
        for (const auto& [source, counts] : refusal_log_.totals_by_source()) {
          for (size_t i = 0; i < RefusalLog::kKinds.size(); ++i) {
            if (counts[i] == 0) continue;
            out.emplace_back(
                "source=\"" + source + "\",kind=\"" + std::string(RefusalLog::kKinds[i]) + "\"",
                static_cast<double>(counts[i]));
          }
        }
        return out;
      },
      true);
  m.gauge(
      "minato_write_commands_total", "Commands through the write path since start",
      [this] { return static_cast<double>(writes_->stats().commands); }, "", true);
  m.gauge(
      "minato_write_transactions_total", "Write transactions (group commits) since start",
      [this] { return static_cast<double>(writes_->stats().transactions); }, "", true);
  m.gauge(
      "minato_write_failed_commits_total", "Write transactions that failed to commit",
      [this] { return static_cast<double>(writes_->stats().failed_commits); }, "", true);
  m.gauge("minato_write_queue_depth", "Commands waiting for the writer",
          [this] { return static_cast<double>(writes_->stats().queued); });
  m.gauge("minato_audit_events", "Events in the audit log (tree size)",
          [this] { return static_cast<double>(writes_->stats().audit_events); });
  m.gauge("minato_audit_checkpointed_events", "Events covered by the newest signed checkpoint",
          [this] { return static_cast<double>(writes_->stats().audit_checkpointed); });
  m.gauge("minato_audit_ship_pending", "Audit events not yet acknowledged by the collector",
          [this] {
            if (!shipper_) return std::nan("");
            auto s = shipper_->stats();
            return static_cast<double>(std::max<int64_t>(0, s.head_seq - s.shipped_seq));
          });
  m.gauge("minato_audit_ship_lag_seconds",
          "Seconds since shipping last made progress while events wait (0 when caught up)", [this] {
            if (!shipper_) return std::nan("");
            auto s = shipper_->stats();
            if (s.head_seq <= s.shipped_seq) return 0.0;
            return static_cast<double>(clock_->now_us() - s.last_progress_us) / 1e6;
          });
  m.gauge("minato_audit_ship_connected", "1 while connected to the syslog collector",
          [this] { return shipper_ ? (shipper_->stats().connected ? 1.0 : 0.0) : std::nan(""); });
  m.gauge("minato_sessions", "Live sessions",
          [this] { return static_cast<double>(sessions_->size()); });
  m.gauge("minato_backup_age_seconds",
          "G2.7.2-b: the age of the stalest backup target's newest set (NaN: some target has "
          "no set yet)",
          [this] {
            double worst = 0;
            for (const auto& t : backup_->status(clock_->now_us())) {
              if (t.age_s < 0) return std::nan("");
              worst = std::max(worst, static_cast<double>(t.age_s));
            }
            return worst;
          });
  m.gauge("minato_start_time_seconds", "When this server started (Unix time)",
          [this] { return static_cast<double>(started_us_) / 1e6; });
}

Status Runtime::raise_alert(const std::string& subject, const std::string& action,
                            const Alert& alert) {
  return writes_->execute_status(access::Actor{subject, "local", 0},
                                 {action, "audit", access::Permission::kNone},
                                 [&](store::WriteTxn& tx, Effects& fx) -> Status {
                                   fx.reason = alert.text_en;
                                   fx.change = alert.details_json;
                                   auto queued = queue_alert(tx, fx.now_us, alerts_, alert);
                                   if (!queued) return fail(queued.error());
                                   return ok();
                                 });
}

Status Runtime::start_shipping() {
  const auto& c = config_;
  if (c.syslog_target.empty() || shipper_) return ok();
  audit::ShipperOptions o;
  uint16_t port = 0;
  MINATO_TRY(config::split_listen(c.syslog_target, &o.host, &port));
  o.port = port;
  o.ca_file = paths_.resolve(c.syslog_ca_file);
  o.server_name = c.syslog_server_name;
  o.cert_file = paths_.resolve(c.syslog_cert_file);
  o.key_file = paths_.resolve(c.syslog_key_file);
  o.cursor_path = paths_.dir + "/audit-ship.cursor";
  o.origin = c.audit_origin;
  o.queue_alert = c.ship_queue_alert;
  o.stall_seconds = c.ship_stall_seconds;
  o.redact = redactor();
  shipper_ = std::make_unique<audit::Shipper>(
      *store_, *clock_, std::move(o), [this](const audit::ShipAlert& a) {
        Alert alert;
        alert.event = "audit.shipping." + a.kind;
        alert.title_en = a.kind == "recovered" ? "Audit log shipping recovered"
                         : a.kind == "gap"     ? "Audit log: events missing"
                                               : "Audit log shipping stopped";
        alert.title_ja = a.kind == "recovered" ? "監査ログの転送が回復しました"
                         : a.kind == "gap"     ? "監査ログ: イベントの欠落"
                                               : "監査ログの転送が停止しています";
        alert.text_en = a.text;
        alert.text_ja = a.kind == "recovered"
                            ? "監査ログは再びシステム外へ転送されています。"
                            : "監査ログをシステム外へ転送できていません (" +
                                  std::to_string(a.pending) +
                                  " 件待ち)。ログ収集サーバと接続を確認してください。";
        if (a.kind == "gap") {
          alert.text_ja =
              "監査ログのイベントがデータベースから削除されています。"
              "`minato audit verify` を実行してください。";
        }
        alert.details_json = "{\"kind\":\"" + a.kind +
                             "\",\"pending\":" + std::to_string(a.pending) +
                             ",\"shipped_seq\":" + std::to_string(a.shipped_seq) + "}";
        if (auto st = raise_alert("system:audit-shipper", "alert." + alert.event, alert); !st) {
          std::fprintf(stderr, "minato: cannot record audit shipping alert: %s\n",
                       st.error().message().c_str());
        }
      });
  return shipper_->start();
}

void Runtime::stop_shipping(int timeout_ms) {
  if (!shipper_) return;
  for (int waited = 0; waited < timeout_ms; waited += 50) {
    auto s = shipper_->stats();
    if (!s.connected || s.shipped_seq >= writes_->stats().audit_events) break;
    shipper_->wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  shipper_->stop();
}

std::function<std::string(std::string_view)> Runtime::redactor() const {
  return [this](std::string_view value) {
    return "redacted:" + crypto::to_hex(sealing_.mac(value, "audit-ship").substr(0, 8));
  };
}

Result<int> Runtime::flush_shed_log() {
  int n = 0;
  for (const auto& [source, count] : shed_log_.take()) {
    MINATO_TRY(writes_->execute_status(
        access::Actor::anonymous(source),
        {"session.shed", "source:" + source, access::Permission::kNone},
        [&, count = count](store::WriteTxn&, Effects& fx) -> Status {
          fx.result = "failure";
          fx.reason = std::to_string(count) +
                      " login attempt(s) refused at once: every login worker was busy (load shed)";
          return ok();
        }));
    ++n;
  }
  return n;
}

Result<int> Runtime::flush_refusal_log() {
  namespace json = boost::json;
  int n = 0;
  for (const auto& [source, counts] : refusal_log_.take()) {
    json::object change;
    for (size_t i = 0; i < RefusalLog::kKinds.size(); ++i) {
      if (counts[i] != 0) change[RefusalLog::kKinds[i]] = counts[i];
    }
    MINATO_TRY(
        writes_->execute_status(access::Actor::anonymous(source),
                                {"http.refused", "source:" + source, access::Permission::kNone},
                                [&, counts = counts](store::WriteTxn&, Effects& fx) -> Status {
                                  fx.result = "failure";
                                  fx.reason = RefusalLog::describe(counts);
                                  fx.change = json::serialize(change);
                                  return ok();
                                }));
    ++n;
  }
  return n;
}

Runtime::~Runtime() {
  // Stop background senders, then drain the write path before the services and the store go.
  if (shipper_) shipper_->stop();
  if (notifier_) notifier_->stop();
  if (writes_) writes_->shutdown();
}

void Runtime::set_console_origin(const std::string& origin) {
  config_.webauthn_origin = origin;
  identity_->set_webauthn({config_.webauthn_rp_id, config_.webauthn_origin,
                           config_.webauthn_user_verification == "required"});
}

}  // namespace minato::app
