#include "app/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

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

  auto db = store::SqliteStore::open(rt->paths_.database());
  if (!db) return fail(db.error());
  rt->store_ = std::move(*db);

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
  for (size_t pos = 0; pos <= c.security_mail.size();) {
    size_t comma = c.security_mail.find(',', pos);
    if (comma == std::string::npos) comma = c.security_mail.size();
    std::string addr = c.security_mail.substr(pos, comma - pos);
    while (!addr.empty() && addr.front() == ' ') addr.erase(0, 1);
    while (!addr.empty() && addr.back() == ' ') addr.pop_back();
    pos = comma + 1;
    if (addr.empty()) continue;
    if (!notify::valid_mail_address(addr)) {
      return fail(ErrorCode::kInvalidArgument,
                  "notify.security_mail: '" + addr.substr(0, 60) + "' is not a mail address");
    }
    alerts.security_mail.push_back(addr);
  }
  rt->identity_->set_alerts(alerts, c.new_source_prefix_v4, c.new_source_prefix_v6);
  rt->identity_->set_enrolment_ttl(int64_t{c.enrolment_hours} * 3600);
  rt->identity_->set_password_max_days(c.password_max_days);
  rt->identity_->set_webauthn(
      {c.webauthn_rp_id, c.webauthn_origin, c.webauthn_user_verification == "required"});
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
  rt->terminal_ = std::make_unique<TerminalService>(*rt->store_, *rt->writes_);
  rt->audit_ =
      std::make_unique<AuditService>(*rt->store_, *rt->writes_, *rt->clock_, c.retention_days);
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

Result<audit::VerifyOptions> Runtime::verify_options() const {
  audit::VerifyOptions o;
  o.origin = config_.audit_origin;
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
    o.keys[id] = *pub;
  }
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

Runtime::~Runtime() {
  // Stop background senders, then drain the write path before the services and the store go.
  if (notifier_) notifier_->stop();
  if (writes_) writes_->shutdown();
}

}  // namespace minato::app
