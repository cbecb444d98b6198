#include "app/config_service.h"

#include <boost/json.hpp>

#include <cstdio>
#include <map>

#include "app/alerts.h"
#include "app/runtime.h"
#include "app/views.h"
#include "common/files.h"
#include "crypto/random.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr int kVersionsRead = 500;
constexpr const char* kTarget = "config:minato.toml";

bool in_force_kind(std::string_view kind) { return kind != "held"; }

json::array changes_json(const std::vector<config::SettingChange>& changes) {
  return to_json(changes);
}

std::vector<config::SettingChange> changes_from(const std::string& text) {
  std::vector<config::SettingChange> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    auto str = [&](const char* k) {
      auto* f = o.if_contains(k);
      return f != nullptr && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    auto* sec = o.if_contains("security");
    out.push_back({str("setting"), str("from"), str("to"),
                   sec == nullptr || !sec->is_bool() || sec->as_bool()});
  }
  return out;
}

std::string names(const std::vector<config::SettingChange>& changes) {
  std::string out;
  for (const auto& c : changes) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

std::string hex_sha256(const std::string& text) { return crypto::to_hex(crypto::sha256(text)); }

}  // namespace

std::string ConfigService::path() const { return rt_.paths().config(); }

Result<ConfigReading> ConfigService::read(const std::string& path, store::Store& store) {
  ConfigReading r;
  auto text = read_file(path, 1 << 20);
  if (!text) return fail(text.error());
  r.text = std::move(*text);
  auto parsed = config::parse(r.text, path);
  if (!parsed) return fail(parsed.error());
  r.file = std::move(*parsed);
  r.effective = r.file;
  r.sha256 = hex_sha256(r.text);
  auto rx = store.read();
  if (!rx) return fail(rx.error());
  auto versions = (*rx)->config_versions(kVersionsRead);
  if (!versions) return fail(versions.error());
  for (const auto& v : *versions) {
    if (v.kind != "setup") r.controlled = true;
    if (!r.in_force && in_force_kind(v.kind)) r.in_force = v;
  }
  if (!r.in_force) return r;
  auto before = config::parse(r.in_force->text, "the configuration in force (version " +
                                                    std::to_string(r.in_force->id) + ")");
  if (!before) return fail(before.error());
  r.changes = config::diff(*before, r.file);
  if (!r.controlled) return r;
  for (const auto& c : r.changes) {
    if (!c.security) continue;
    r.held.push_back(c);
    config::copy_setting(r.effective, *before, c.name);
  }
  return r;
}

Status ConfigService::record(const ConfigReading& reading) {
  set_running(reading);
  return record_running();
}

void ConfigService::set_running(const ConfigReading& reading) {
  std::lock_guard lock(mu_);
  running_ = reading;
  last_seen_sha256_ = reading.sha256;
}

Status ConfigService::record_running() {
  std::lock_guard lock(mu_);
  return record_locked(running_, "system:config");
}

Status ConfigService::record_locked(const ConfigReading& r, const std::string& actor_name) {
  std::string kind;
  if (!r.restored.empty()) {
    if (r.in_force && r.in_force->sha256 == r.sha256) return ok();
    kind = "restored";
  } else if (!r.controlled) {
    if (r.in_force && r.in_force->sha256 == r.sha256) return ok();
    kind = "setup";
  } else if (r.in_force && r.in_force->sha256 == r.sha256) {
    return ok();
  } else if (r.held.empty()) {
    kind = "file";
  } else {
    kind = "held";
    auto rx = rt_.store().read();
    if (!rx) return fail(rx.error());
    auto versions = (*rx)->config_versions(kVersionsRead);
    if (!versions) return fail(versions.error());
    for (const auto& v : *versions) {
      if (!in_force_kind(v.kind) && v.sha256 == r.sha256) return ok();  // told already
      if (in_force_kind(v.kind)) break;
    }
  }
  access::Actor me{actor_name, "local", 0};
  const std::string action = kind == "setup"      ? "config.setup"
                             : kind == "file"     ? "config.changed"
                             : kind == "restored" ? "config.restored"
                                                  : "config.held";
  Alert alert;
  if (kind == "held") {
    alert.event = "config.held";
    alert.title_ja = "承認されていない設定変更があります";
    alert.title_en = "Configuration change held for approval";
    alert.text_ja = "minato.toml のセキュリティ設定が承認なしに変更されました（" + names(r.held) +
                    "）。これらは承認されるまで以前の値のままです。意図した変更なら `minato config "
                    "propose` で提案し、別の担当者の承認を得てください。意図しない変更なら調査して"
                    "ください。";
    alert.text_en = "Security settings in minato.toml were changed without approval (" +
                    names(r.held) +
                    "). They keep their earlier values until a change is approved. If the "
                    "change was meant, propose it (`minato config propose`) for a second "
                    "person to approve; if not, find out who made it.";
    alert.details_json =
        json::serialize(json::object{{"sha256", r.sha256}, {"held", changes_json(r.held)}});
  }
  return rt_.writes().execute_status(
      me, {action, kTarget, Permission::kNone}, [&](store::WriteTxn& tx, Effects& fx) -> Status {
        store::ConfigVersionRecord v;
        v.sha256 = r.sha256;
        v.text = r.text;
        v.kind = kind;
        v.changes = json::serialize(changes_json(r.changes));
        v.recorded_us = fx.now_us;
        v.recorded_by = actor_name;
        auto id = tx.insert_config_version(v);
        if (!id) return fail(id.error());
        json::object change{{"table", "config_versions"},
                            {"id", *id},
                            {"kind", kind},
                            {"sha256", r.sha256},
                            {"changes", changes_json(r.changes)}};
        if (kind == "restored") fx.reason = r.restored;
        if (kind == "held") {
          change["held"] = changes_json(r.held);
          auto n = queue_alert(tx, fx.now_us, rt_.alert_settings(), alert);
          if (!n) return fail(n.error());
          fx.reason = "security settings changed without approval: " + names(r.held);
        }
        fx.change = json::serialize(change);
        return ok();
      });
}

Status ConfigService::start_serving() {
  std::lock_guard lock(mu_);
  if (running_.controlled) return ok();
  access::Actor me{"system:config", "local", 0};
  MINATO_TRY(rt_.writes().execute_status(
      me, {"config.baseline", kTarget, Permission::kNone},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        store::ConfigVersionRecord v;
        v.sha256 = running_.sha256;
        v.text = running_.text;
        v.kind = "baseline";
        v.changes = "[]";
        v.recorded_us = fx.now_us;
        v.recorded_by = me.subject;
        auto id = tx.insert_config_version(v);
        if (!id) return fail(id.error());
        fx.reason =
            "the first start of serve: from now on a change of a security setting takes effect "
            "only once a second person has approved it";
        fx.change = json::serialize(json::object{
            {"table", "config_versions"}, {"id", *id}, {"kind", "baseline"}, {"sha256", v.sha256}});
        return ok();
      }));
  running_.controlled = true;
  return ok();
}

Result<bool> ConfigService::check_file() {
  auto text = read_file(path(), 1 << 20);
  std::string sha = text ? hex_sha256(*text) : "";
  std::lock_guard lock(mu_);
  if (sha == last_seen_sha256_) return sha != running_.sha256;
  last_seen_sha256_ = sha;
  auto r = read(path(), rt_.store());
  if (!r) {
    // Not in force (the next start refuses it); said once per text.
    std::fprintf(stderr, "minato: minato.toml changed and cannot be used: %s\n",
                 r.error().message().c_str());
    return true;
  }
  MINATO_TRY(record_locked(*r, "system:config-watch"));
  return r->sha256 != running_.sha256;
}

Result<ConfigProposal> ConfigService::propose(
    const access::Actor& actor, const std::vector<std::pair<std::string, std::string>>& changes,
    const std::string& reason) {
  MINATO_TRY(rt_.writes().authorize(
      actor, {"approval.request", kTarget, Permission::kConfigWrite, false, true}));
  auto now = read(path(), rt_.store());
  if (!now) return fail(now.error());
  std::string text = now->text;
  for (const auto& [name, value] : changes) {
    auto t = config::with_setting(text, name, value);
    if (!t) return fail(t.error());
    text = std::move(*t);
  }
  auto proposed = config::parse(text, "the proposed minato.toml");
  if (!proposed) return fail(proposed.error());
  config::Config base = now->file;
  if (now->in_force) {
    auto b = config::parse(now->in_force->text, "the configuration in force");
    if (!b) return fail(b.error());
    base = std::move(*b);
  }
  ConfigProposal p;
  p.changes = config::diff(base, *proposed);
  if (p.changes.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                changes.empty()
                    ? "minato.toml is the configuration in force: nothing to propose"
                    : "nothing would change: the configuration in force has these values",
                "changes");
  }
  p.sha256 = hex_sha256(text);
  std::string payload = json::serialize(json::object{{"base_sha256", now->sha256},
                                                     {"sha256", p.sha256},
                                                     {"changes", changes_json(p.changes)},
                                                     {"text", text}});
  auto id = rt_.access().request_config_change(actor, kTarget, payload, reason);
  if (!id) return fail(id.error());
  p.approval_id = *id;
  return p;
}

Result<ConfigProposal> ConfigService::apply(const access::Actor& actor, int64_t approval_id) {
  ConfigProposal out;
  const std::string file = path();
  MINATO_TRY(rt_.writes().execute_status(
      actor,
      {"config.apply", "approval:" + std::to_string(approval_id), Permission::kConfigWrite, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_approval(approval_id);
        if (!found) return fail(found.error());
        const std::string name = "request " + std::to_string(approval_id);
        if (!*found || (*found)->kind != kConfigChangeKind) {
          return fail(ErrorCode::kNotFound, "no configuration change " + name, "approval");
        }
        store::ApprovalRecord a = **found;
        MINATO_TRY(check_usable(a, fx.now_us));
        json::object p = json::parse(a.payload).as_object();
        std::string text(p.at("text").as_string());
        out.approval_id = approval_id;
        out.sha256 = std::string(p.at("sha256").as_string());
        out.changes = changes_from(json::serialize(p.at("changes")));
        auto current = read_file(file, 1 << 20);
        if (!current) return fail(current.error());
        std::string sha = hex_sha256(*current);
        if (sha != out.sha256) {  // not written already by an apply that did not commit
          if (sha != p.at("base_sha256").as_string()) {
            return fail(ErrorCode::kConflict,
                        "minato.toml has changed since " + name + " was proposed (it was sha256 " +
                            std::string(p.at("base_sha256").as_string()).substr(0, 12) +
                            "..., it is " + sha.substr(0, 12) +
                            "...); propose the change again against the file as it is");
          }
          MINATO_TRY(write_file_atomic(file, text, 0600));
        }
        store::ConfigVersionRecord v;
        v.sha256 = out.sha256;
        v.text = text;
        v.kind = "approved";
        v.approval_id = approval_id;
        v.changes = json::serialize(p.at("changes"));
        v.recorded_us = fx.now_us;
        v.recorded_by = actor.subject;
        auto id = tx.insert_config_version(v);
        if (!id) return fail(id.error());
        a.status = "executed";
        a.executed_by = actor.subject;
        a.executed_us = fx.now_us;
        MINATO_TRY(tx.update_approval(a));
        fx.reason = "requested by " + a.requested_by + ", approved by " + a.decided_by;
        fx.change = json::serialize(json::object{{"table", "config_versions"},
                                                 {"id", *id},
                                                 {"kind", "approved"},
                                                 {"approval", approval_id},
                                                 {"sha256", out.sha256},
                                                 {"changes", p.at("changes")}});
        return ok();
      }));
  return out;
}

Permission config_reader_permission(const access::Actor& actor) {
  for (Permission p : {Permission::kConfigRead, Permission::kApprove, Permission::kAuditRead}) {
    if (actor.has(p)) return p;
  }
  return Permission::kConfigRead;
}

Status ConfigService::can_read(const access::Actor& actor) {
  return rt_.writes().authorize(actor, {"config.read", kTarget, config_reader_permission(actor)});
}

Result<ConfigView> ConfigService::view(const access::Actor& actor) {
  MINATO_TRY(can_read(actor));
  ConfigView out;
  ConfigReading running;
  {
    std::lock_guard lock(mu_);
    running = running_;
  }
  auto now = read(path(), rt_.store());
  if (now) {
    out.file_sha256 = now->sha256;
    out.held = now->held;
    if (now->in_force) out.in_force_sha256 = now->in_force->sha256;
  } else {
    out.file_sha256 = "(does not parse: " + now.error().message() + ")";
  }
  out.running_sha256 = running.sha256;
  out.restart_needed = out.file_sha256 != running.sha256;

  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto versions = (*rx)->config_versions(kVersionsRead);
  if (!versions) return fail(versions.error());
  // The version that brought each value: oldest to newest over the versions in force.
  std::map<std::string, const store::ConfigVersionRecord*> since;
  std::optional<config::Config> prev;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    auto c = config::parse(it->text, "version " + std::to_string(it->id));
    if (!c) continue;
    if (!in_force_kind(it->kind)) {
      // A held file: its operational settings took effect, its security ones did not.
      if (!prev) continue;
      config::Config held = *prev;
      for (const auto& s : config::settings()) {
        if (!s.security) config::copy_setting(held, *c, s.name);
      }
      c = std::move(held);
    }
    for (const auto& s : config::settings()) {
      if (!prev || config::setting_value(*prev, s.name) != config::setting_value(*c, s.name)) {
        since[s.name] = &*it;
      }
    }
    prev = std::move(*c);
  }
  const config::Config defaults;
  auto lines = config::setting_lines(running.text);
  std::map<std::string, bool> held_at_start;
  for (const auto& h : running.held) held_at_start[h.name] = true;
  // Held in the file as it is now (edited since this process read it).
  std::map<std::string, std::string> held_now;
  std::map<std::string, int> lines_now;
  if (now) {
    for (const auto& h : now->held) held_now[h.name] = h.to;
    lines_now = config::setting_lines(now->text);
  }
  for (const auto& s : config::settings()) {
    SettingView v;
    v.name = s.name;
    v.security = s.security;
    v.value = config::setting_value(rt_.config(), s.name);
    v.default_value = config::setting_value(defaults, s.name);
    std::string file_value = config::setting_value(running.file, s.name);
    if (auto l = lines.find(s.name); l != lines.end()) v.line = l->second;
    if (auto h = held_now.find(s.name); h != held_now.end()) {
      v.source = "held";
      v.file_value = h->second;
      if (auto l = lines_now.find(s.name); l != lines_now.end()) v.line = l->second;
    } else if (v.value != file_value) {
      v.source = held_at_start.contains(s.name) ? "held" : "flag";
      v.file_value = file_value;
    } else {
      v.source = v.line > 0 ? "file" : "default";
    }
    if (auto f = since.find(s.name);
        f != since.end() && !(f->second->kind == "setup" && v.line == 0 &&
                              v.value == config::setting_value(defaults, s.name))) {
      v.version_id = f->second->id;
      v.version_kind = f->second->kind;
      v.approval_id = f->second->approval_id;
      v.since_us = f->second->recorded_us;
      v.by = f->second->recorded_by;
    }
    out.settings.push_back(std::move(v));
  }
  auto open = (*rx)->list_approvals(/*open_only=*/true, 200);
  if (!open) return fail(open.error());
  for (auto& a : *open) {
    if (a.kind == kConfigChangeKind) out.proposals.push_back(std::move(a));
  }
  out.versions = std::move(*versions);
  for (auto& v : out.versions) v.text.clear();
  return out;
}

Result<store::ConfigVersionRecord> ConfigService::version(const access::Actor& actor, int64_t id) {
  MINATO_TRY(can_read(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto versions = (*rx)->config_versions(kVersionsRead);
  if (!versions) return fail(versions.error());
  for (auto& v : *versions) {
    if (v.id == id) return std::move(v);
  }
  return fail(ErrorCode::kNotFound, "no configuration version " + std::to_string(id));
}

}  // namespace minato::app
