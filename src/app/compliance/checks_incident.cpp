// Checks of incident response (G3.1): the incident register and who is told, the evidence
// bundle's signing key, the containment measures and the continuity snapshot.
#include "app/compliance/check.h"
#include "app/runtime.h"
#include "audit/event.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kMinuteUs = 60LL * 1'000'000;

Outcome G3_1_a(Facts& f) {
  const auto& c = f.rt().config();
  auto incidents = f.read().list_incidents(1000);
  if (!incidents) return read_error(incidents.error());
  int64_t open = 0;
  for (const auto& i : *incidents) open += i.state != "closed" ? 1 : 0;
  std::vector<Value> v{value("incidents_open", open),
                       value("incidents_recorded", static_cast<int64_t>(incidents->size())),
                       value_bool("notify.escalation_mail_set", !c.escalation_mail.empty()),
                       value("notify.escalation_severity", c.escalation_severity)};
  if (c.escalation_mail.empty() && c.security_mail.empty()) {
    return partial({"incidents are recorded with their timeline, but no one is set to be told "
                    "(notify.escalation_mail)",
                    "インシデントは経過とともに記録されますが、報告先（notify.escalation_"
                    "mail）が設定されていません"},
                   std::move(v));
  }
  return pass({"incidents are recorded with their timeline; those of severity " +
                   c.escalation_severity + " or higher are escalated at once",
               "インシデントを経過とともに記録し、重大度" + c.escalation_severity +
                   "以上は直ちに報告します"},
              std::move(v));
}

Outcome G3_1_b(Facts& f) {
  auto last = f.read().newest_audit({"incident.evidence"}, 0);
  if (!last) return read_error(last.error());
  return pass({"an incident's evidence bundle (events, login history, proofs against signed "
               "checkpoints, configuration) is signed and checkable offline",
               "インシデントの証拠一式（イベント、ログイン履歴、署名付きチェックポイントに対する証"
               "明、設定）は署名され、オフラインで検証できます"},
              {value("audit_key", audit::key_id_of(f.rt().audit_key().public_key())),
               value("bundles_made", *last ? "yes" : "none yet")});
}

Outcome G3_1_c(Facts& f) {
  const auto& c = f.rt().config();
  auto measures = f.read().containment();
  if (!measures) return read_error(measures.error());
  auto snap = f.read().newest_audit({"continuity.snapshot"}, 0);
  if (!snap) return read_error(snap.error());
  const int64_t age = *snap ? f.now_us() - (*snap)->at_us : -1;
  std::string in_force;
  for (const auto& m : *measures) in_force += (in_force.empty() ? "" : ", ") + m.measure;
  std::vector<Value> v{value("containment_in_force", in_force.empty() ? "(none)" : in_force),
                       value("continuity_snapshot_age", *snap ? age_en(age) : "(none)")};
  if (!*snap || age > 2 * int64_t{c.continuity_minutes} * kMinuteUs + kMinuteUs) {
    return partial({"containment is ready, but the continuity snapshot for manual operation is "
                    "missing or old",
                    "封じ込めは可能ですが、手作業運用のための業務継続スナップショットがないか古くな"
                    "っています"},
                   std::move(v));
  }
  return pass({"containment (revoke sessions, close external access, freeze privileged changes) "
               "is one command; the yard's continuity snapshot is " +
                   age_en(age) + " old",
               "封じ込め（セッション失効、外部接続の遮断、特権変更の凍結）は1操作で行え、ヤードの業"
               "務継続スナップショットは" +
                   age_ja(age) + "前のものです"},
              std::move(v));
}

}  // namespace

void incident_checks(std::vector<Check>& out) {
  out.push_back({"G3.1-a", G3_1_a, {"incident.", "config."}});
  out.push_back({"G3.1-b", G3_1_b, {"key."}});
  out.push_back({"G3.1-c", G3_1_c, {"incident.", "continuity.", "config."}});
}

}  // namespace minato::app::compliance
