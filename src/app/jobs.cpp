#include "app/jobs.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace minato::app {

Jobs::Jobs(Runtime& runtime, std::chrono::milliseconds interval)
    : rt_(runtime), interval_(interval) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    // The first pass runs at once: steady_clock counts from boot, so "long enough since the
    // epoch" would hold the first pass back on a host up for less than one interval.
    std::optional<std::chrono::steady_clock::time_point> last_run;
    while (!stopping_) {
      lock.unlock();
      // G3.1-c: containment decided elsewhere (the CLI beside this server) takes effect
      // within a second.
      rt_.incidents().sync();
      // Configuration control: an edit of minato.toml is recorded (and, if it changes security
      // settings, held and told to security staff) within a second.
      if (auto changed = rt_.config_control().check_file(); !changed) {
        std::fprintf(stderr, "minato: configuration check failed: %s\n",
                     changed.error().message().c_str());
      }
      if (auto now = std::chrono::steady_clock::now(); !last_run || now - *last_run >= interval_) {
        last_run = now;
        run_once();
      }
      lock.lock();
      cv_.wait_for(lock, std::min<std::chrono::milliseconds>(interval_, std::chrono::seconds(1)),
                   [this] { return stopping_; });
    }
  });
}

void Jobs::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Jobs::heartbeat() {
  // G2.7.3-c: a sign of life in the log itself; the collector alerts when these stop coming.
  auto w = rt_.writes().stats();
  int64_t shipped = -1, pending = -1;
  if (auto* s = rt_.shipper()) {
    auto st = s->stats();
    shipped = st.shipped_seq;
    pending = std::max<int64_t>(0, st.head_seq - st.shipped_seq);
  }
  access::Actor me{"system:heartbeat", "local", 0};
  auto st = rt_.writes().execute_status(
      me, {"audit.heartbeat", "audit", access::Permission::kNone},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = "{\"tree_size\":" + std::to_string(w.audit_events) +
                    ",\"checkpointed\":" + std::to_string(w.audit_checkpointed) +
                    ",\"shipped_seq\":" + std::to_string(shipped) +
                    ",\"ship_pending\":" + std::to_string(pending) +
                    ",\"uptime_s\":" + std::to_string((fx.now_us - rt_.started_us()) / 1'000'000) +
                    "}";
        return ok();
      });
  if (!st) std::fprintf(stderr, "minato: heartbeat failed: %s\n", st.error().message().c_str());
}

void Jobs::monitor(int64_t now_us) {
  // G2.6.1-d: more failed logins or refused commands in a minute than the thresholds say is
  // normal tells security staff at once (at most every 15 minutes per kind).
  const auto& c = rt_.security_counters();
  uint64_t failures = c.login_failures->value(), denied = c.denied->value();
  uint64_t new_failures = failures - seen_login_failures_, new_denied = denied - seen_denied_;
  seen_login_failures_ = failures;
  seen_denied_ = denied;
  const auto refused = static_cast<uint64_t>(rt_.refusal_log().total());
  const uint64_t new_refused = refused - seen_refused_;
  seen_refused_ = refused;
  if (last_monitor_us_ == 0) return;  // the first pass only takes the baseline
  auto raise = [&](const char* kind, uint64_t n, int limit, int64_t& until, const char* ja,
                   const char* en) {
    if (n < static_cast<uint64_t>(limit) || now_us < until) return;
    until = now_us + int64_t{15} * 60 * 1'000'000;
    Alert a;
    a.event = std::string("security.") + kind;
    a.title_ja = ja;
    a.title_en = en;
    a.text_en = std::to_string(n) + " in the last minute (threshold " + std::to_string(limit) +
                "). Check the audit log for the sources and accounts involved.";
    a.text_ja = "直近1分間に " + std::to_string(n) + " 件 (しきい値 " + std::to_string(limit) +
                ")。監査ログで送信元とアカウントを確認してください。";
    a.details_json = "{\"kind\":\"" + std::string(kind) + "\",\"count\":" + std::to_string(n) +
                     ",\"threshold\":" + std::to_string(limit) + "}";
    if (auto st = rt_.raise_alert("system:monitor", "alert." + a.event, a); !st) {
      std::fprintf(stderr, "minato: threshold alert failed: %s\n", st.error().message().c_str());
    }
  };
  raise("login_failures", new_failures, rt_.config().alert_login_failures_per_minute,
        login_alert_until_us_, "ログイン失敗が急増しています", "Surge of failed logins");
  raise("denied", new_denied, rt_.config().alert_denied_per_minute, denied_alert_until_us_,
        "権限のない操作が急増しています", "Surge of refused commands");
  // A1.4.2: malformed requests, connections over the limits, slow or broken handshakes.
  raise("refused_requests", new_refused, rt_.config().alert_refused_per_minute,
        refused_alert_until_us_, "不正な要求・接続の拒否が急増しています",
        "Surge of refused requests and connections");
}

void Jobs::run_once() {
  int64_t now_us = rt_.clock().now_us();
  if (now_us - last_heartbeat_us_ >= int64_t{rt_.config().heartbeat_seconds} * 1'000'000) {
    last_heartbeat_us_ = now_us;
    heartbeat();
  }
  if (now_us - last_monitor_us_ >= 60 * 1'000'000 || last_monitor_us_ == 0) {
    monitor(now_us);
    last_monitor_us_ = now_us;
  }
  access::Actor closer{"system:maintenance-windows", "local",
                       static_cast<uint32_t>(access::Permission::kUserAdmin)};
  auto closed = rt_.access().close_ended_maintenance(closer);
  if (!closed) {
    std::fprintf(stderr, "minato: closing maintenance windows failed: %s\n",
                 closed.error().message().c_str());
  }
  if (auto shed = rt_.flush_shed_log(); !shed) {
    std::fprintf(stderr, "minato: recording shed logins failed: %s\n",
                 shed.error().message().c_str());
  }
  if (auto refused = rt_.flush_refusal_log(); !refused) {
    std::fprintf(stderr, "minato: recording refused requests failed: %s\n",
                 refused.error().message().c_str());
  }
  // G2.7.2-a/b: backup sets on their schedules; alerts when one fails or falls behind.
  rt_.backup().run_due(now_us);
  // G2.4-b, G3.1-c: the signed snapshot for working by hand.
  rt_.continuity().run_due(now_us);
  // G2.7.5: an advisory feed past its age alerts security staff (once a day per kind).
  rt_.vulnerabilities().check_feeds(now_us);
  // G2.3-c: a TLS certificate near its end alerts security staff (once a day).
  rt_.keys().check_expiry(now_us);
  rt_.compliance().run_due(now_us);
  auto now = std::chrono::steady_clock::now();
  if (swept_ && now - last_sweep_ < std::chrono::hours(1)) return;
  swept_ = true;
  last_sweep_ = now;
  access::Actor sweeper{"system:inactivity-sweep", "local",
                        static_cast<uint32_t>(access::Permission::kUserAdmin)};
  access::Actor purger{"system:idempotency-purge", "local", 0};
  auto purged = rt_.terminal().purge_idempotency_keys(purger, int64_t{24} * 3600 * 1'000'000);
  if (!purged) {
    std::fprintf(stderr, "minato: purging idempotency keys failed: %s\n",
                 purged.error().message().c_str());
  }
  // G2.3-c: a key file replaced by hand since the last look is recorded as rotated outside.
  if (auto k = rt_.keys().reconcile(); !k) {
    std::fprintf(stderr, "minato: key inventory failed: %s\n", k.error().message().c_str());
  }
  auto swept = rt_.identity().sweep_inactive(sweeper, rt_.config().inactive_days);
  if (!swept) {
    std::fprintf(stderr, "minato: inactivity sweep failed: %s\n", swept.error().message().c_str());
  } else if (!swept->empty()) {
    std::fprintf(stderr, "minato: inactivity sweep disabled %zu account(s)\n", swept->size());
  }
}

}  // namespace minato::app
