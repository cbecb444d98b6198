// Checks of the audit log (G2.6.2, G2.7.3): the events' fields, the tree against its newest
// signed checkpoint, shipping off-system (the running shipper's counters, or the cursor it
// saved), the heartbeat, who may read the log and how long it is kept.
#include "access/roles.h"
#include "app/compliance/check.h"
#include "app/runtime.h"
#include "audit/merkle_tree.h"
#include "common/files.h"

#include <sys/stat.h>
#include <sstream>

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;
constexpr int64_t kSecondUs = 1'000'000;

// The events not yet covered by a signed checkpoint, and the age of the oldest of them.
Outcome G2_6_2(Facts& f) {
  auto head = f.read().audit_head();
  if (!head) return read_error(head.error());
  auto cp = f.read().last_checkpoint();
  if (!cp) return read_error(cp.error());
  const int64_t signed_size = *cp ? (*cp)->size : 0;
  int64_t unsigned_age = 0;
  if (*head > signed_size) {
    store::AuditQuery q;
    q.after_seq = signed_size;
    q.limit = 1;
    auto first = f.read().query_audit(q);
    if (!first) return read_error(first.error());
    if (!first->empty()) unsigned_age = f.now_us() - first->front().at_us;
  }
  auto work = f.read().newest_audit({"asset.work", "maintenance."}, 0);
  if (!work) return read_error(work.error());
  const auto& c = f.rt().config();
  std::vector<Value> v{value("audit_events", *head), value("signed_events", signed_size),
                       value("unsigned_events_oldest_age", age_en(unsigned_age)),
                       value("last_maintenance_record",
                             *work ? std::to_string((*work)->at_us / kSecondUs) : "(none)")};
  if (*head == 0) {
    return failed({"the audit log is empty", "監査ログが空です"}, std::move(v));
  }
  const int64_t limit = (2 * int64_t{c.checkpoint_seconds} + 60) * kSecondUs;
  if (unsigned_age > limit) {
    return partial({"events " + age_en(unsigned_age) +
                        " old are not yet covered by a signed "
                        "checkpoint (no server running?)",
                    age_ja(unsigned_age) + "前のイベントがまだ署名付きチェックポイントに含まれてい"
                                           "ません（サーバが停止中の可能性）"},
                   std::move(v));
  }
  return pass({"every operation and maintenance action is an audit event with who, what, where "
               "and when, signed into the log within " +
                   std::to_string(c.checkpoint_seconds) + " s",
               "全ての業務操作と保守作業を誰が・何を・どこから・いつ行ったかとともに監査イベントと"
               "して記録し、" +
                   std::to_string(c.checkpoint_seconds) + "秒以内に署名しています"},
              std::move(v));
}

Outcome G2_7_3_a(Facts& f) {
  auto head = f.read().audit_head();
  if (!head) return read_error(head.error());
  store::AuditQuery q;
  q.after_seq = std::max<int64_t>(0, *head - 500);
  q.limit = 500;
  auto events = f.read().query_audit(q);
  if (!events) return read_error(events.error());
  int64_t incomplete = 0;
  for (const auto& e : *events) {
    if (e.pruned) continue;
    if (e.subject.empty() || e.action.empty() || e.target.empty() || e.result.empty() ||
        e.source.empty() || e.at_us == 0) {
      ++incomplete;
    }
  }
  std::vector<Value> v{value("events_sampled", static_cast<int64_t>(events->size())),
                       value("events_missing_fields", incomplete)};
  if (incomplete > 0) {
    return failed(
        {std::to_string(incomplete) + " of the newest events lack a designed field",
         "直近のイベントのうち" + std::to_string(incomplete) + "件に必要な項目がありません"},
        std::move(v));
  }
  return pass(
      {"each event records subject, credential, source, action, target, time, result, "
       "reason and request",
       "各イベントに主体・認証手段・接続元・操作・対象・時刻・結果・理由・要求IDを記録しています"},
      std::move(v));
}

struct Shipping {
  bool running = false;
  int64_t shipped = 0;
  int64_t since_us = 0;  // last progress (running) or the cursor file's change
  std::string error;
};

Shipping shipping(Facts& f) {
  Shipping s;
  if (auto* sh = f.rt().shipper()) {
    auto st = sh->stats();
    s.running = true;
    s.shipped = st.shipped_seq;
    s.since_us = st.last_progress_us;
    s.error = st.last_error;
    return s;
  }
  const std::string path = f.rt().paths().dir + "/audit-ship.cursor";
  auto text = read_file(path, 4096);
  if (!text) return s;
  std::istringstream in(*text);
  std::string key;
  int64_t n = 0;
  while (in >> key >> n) {
    if (key == "events") s.shipped = n;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    s.since_us = static_cast<int64_t>(st.st_mtim.tv_sec) * kSecondUs + st.st_mtim.tv_nsec / 1000;
  }
  return s;
}

Outcome G2_7_3_b(Facts& f) {
  const auto& c = f.rt().config();
  auto head = f.read().audit_head();
  if (!head) return read_error(head.error());
  const Shipping s = shipping(f);
  const int64_t lag = std::max<int64_t>(0, *head - s.shipped);
  int64_t waiting_us = 0;
  if (lag > 0) {
    store::AuditQuery q;
    q.after_seq = s.shipped;
    q.limit = 1;
    auto first = f.read().query_audit(q);
    if (!first) return read_error(first.error());
    if (!first->empty()) waiting_us = f.now_us() - first->front().at_us;
  }
  std::vector<Value> v{
      value("audit.syslog_target", c.syslog_target.empty() ? "(none)" : c.syslog_target),
      value("shipped_through_event", s.shipped), value("events_waiting", lag),
      value("oldest_waiting_age", age_en(waiting_us)),
      value_bool("shipper_running_here", s.running)};
  if (!s.error.empty()) v.push_back(value("last_error", s.error));
  if (c.syslog_target.empty()) {
    return failed({"the audit log is not shipped off-system: audit.syslog_target is empty",
                   "監査ログがシステム外に送られていません（audit.syslog_targetが空）"},
                  std::move(v));
  }
  const int64_t stall = int64_t{std::max(c.ship_stall_seconds, 1)} * kSecondUs;
  if (lag > c.ship_queue_alert || waiting_us > stall) {
    return failed(
        {std::to_string(lag) + " events wait to be shipped, the oldest for " + age_en(waiting_us),
         std::to_string(lag) + "件のイベントが送信待ちで、最も古いものは" + age_ja(waiting_us) +
             "待っています"},
        std::move(v));
  }
  return pass({"the log is shipped as it is written to " + c.syslog_target +
                   " over TLS (RFC 5425); " + std::to_string(lag) + " events waiting",
               "ログは書き込みと同時に" + c.syslog_target +
                   "へTLS（RFC 5425）で送られています（送信待ち" + std::to_string(lag) + "件）"},
              std::move(v));
}

Outcome G2_7_3_c(Facts& f) {
  const auto& c = f.rt().config();
  auto beat = f.read().newest_audit({"audit.heartbeat"}, 0);
  if (!beat) return read_error(beat.error());
  const int64_t age = *beat ? f.now_us() - (*beat)->at_us : -1;
  std::vector<Value> v{value("audit.heartbeat_seconds", c.heartbeat_seconds),
                       value("audit.ship_stall_seconds", c.ship_stall_seconds),
                       value("last_heartbeat_age", *beat ? age_en(age) : "(none)"),
                       value_bool("notify.security_mail_set", !c.security_mail.empty())};
  if (c.heartbeat_seconds <= 0 || c.ship_stall_seconds <= 0) {
    return failed(
        {"the heartbeat or the stall alert is off", "ハートビートまたは停止検知の通知が無効です"},
        std::move(v));
  }
  if (c.security_mail.empty() && c.webhook_url.empty()) {
    return partial({"gaps are detected, but no security staff address is set to tell",
                    "欠落は検知されますが、通知先のセキュリティ担当者が設定されていません"},
                   std::move(v));
  }
  return pass(
      {"a heartbeat every " + std::to_string(c.heartbeat_seconds) +
           " s; a stalled or gapped shipment alerts security staff",
       std::to_string(c.heartbeat_seconds) +
           "秒ごとにハートビートを記録し、送信の停止や欠落をセキュリティ担当者に通知します"},
      std::move(v));
}

Outcome G2_7_3_d(Facts& f) {
  auto cp = f.read().last_checkpoint();
  if (!cp) return read_error(cp.error());
  if (!*cp) {
    return failed({"the audit log has no signed checkpoint",
                   "監査ログに署名付きチェックポイントがありません"});
  }
  const auto& anchor = **cp;
  auto trusted = f.rt().trusted_audit_keys();
  if (!trusted) return read_error(trusted.error());
  std::vector<Value> v{value("checkpoint_size", anchor.size),
                       value("checkpoint_key", anchor.key_id),
                       value("checkpoint_age", age_en(f.now_us() - anchor.at_us))};
  auto key = trusted->find(anchor.key_id);
  if (key == trusted->end() ||
      !audit::checkpoint_signature_ok(f.rt().config().audit_origin, anchor, key->second)) {
    return failed({"the newest checkpoint's signature does not verify with a trusted key",
                   "最新のチェックポイントの署名が信頼された鍵で検証できません"},
                  std::move(v));
  }
  std::vector<audit::Hash> leaves;
  leaves.reserve(static_cast<size_t>(anchor.size));
  auto st = f.read().scan_audit_leaves(1, anchor.size, [&](int64_t, std::string_view leaf) {
    leaves.push_back(audit::hash_from_bytes(leaf));
  });
  if (!st) return read_error(st.error());
  if (static_cast<int64_t>(leaves.size()) != anchor.size) {
    return failed({"events are missing from the audit log", "監査ログからイベントが欠落しています"},
                  std::move(v));
  }
  audit::Tree tree(std::move(leaves));
  if (audit::as_bytes(tree.root(static_cast<uint64_t>(anchor.size))) != anchor.root) {
    return failed({"the audit log does not match its newest signed checkpoint (run `minato audit "
                   "verify`)",
                   "監査ログが最新の署名付きチェックポイントと一致しません（`minato audit "
                   "verify`を実行してください）"},
                  std::move(v));
  }
  return pass(
      {"the log's " + std::to_string(anchor.size) +
           " events match the newest signed checkpoint; each run of the checks proves it "
           "again",
       "監査ログの" + std::to_string(anchor.size) +
           "件のイベントが最新の署名付きチェックポイントと一致し、確認の度に再検証しています"},
      std::move(v));
}

Outcome G2_7_3_e(Facts& f) {
  std::vector<std::string> readers;
  for (auto role : access::all_roles()) {
    if (access::permissions_of({std::string(role)}) &
        static_cast<uint32_t>(access::Permission::kAuditLog)) {
      readers.emplace_back(role);
    }
  }
  std::string names;
  for (const auto& r : readers) names += (names.empty() ? "" : ", ") + r;
  const int days = f.rt().config().retention_days;
  std::vector<Value> v{value("roles_reading_the_log", names), value("audit.retention_days", days)};
  if (readers.size() != 1 || readers.front() != "auditor") {
    return failed({"roles other than auditor may read the audit log: " + names,
                   "auditor以外のロールが監査ログを閲覧できます: " + names},
                  std::move(v));
  }
  if (days < 365) {
    return partial(
        {"the audit log is kept " + std::to_string(days) +
             " days (a year at least "
             "expected)",
         "監査ログの保存期間が" + std::to_string(days) + "日です（1年以上が望まれます）"},
        std::move(v));
  }
  return pass({"only auditors read the audit log (each read is itself recorded); it is kept " +
                   std::to_string(days) + " days",
               "監査ログを閲覧できるのは監査担当者のみで（閲覧自体も記録）、" +
                   std::to_string(days) + "日間保存します"},
              std::move(v));
}

}  // namespace

void audit_checks(std::vector<Check>& out) {
  out.push_back({"G2.6.2", G2_6_2, {"audit."}});
  out.push_back({"G2.7.3-a", G2_7_3_a, {}});
  out.push_back({"G2.7.3-b", G2_7_3_b, {"config."}});
  out.push_back({"G2.7.3-c", G2_7_3_c, {"config."}});
  out.push_back({"G2.7.3-d", G2_7_3_d, {"audit."}});
  out.push_back({"G2.7.3-e", G2_7_3_e, {"config."}});
}

}  // namespace minato::app::compliance
