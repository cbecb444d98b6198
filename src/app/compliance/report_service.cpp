#include "app/compliance/report_service.h"

#include <boost/json.hpp>

#include "app/runtime.h"
#include "audit/merkle_tree.h"
#include "common/version.h"
#include "crypto/random.h"

namespace minato::app::compliance {
namespace json = boost::json;

Result<SignedReport> ReportService::make(const access::Actor& actor, const std::string& lang,
                                         ReportFormat format) {
  if (lang != "ja" && lang != "en") {
    return fail(ErrorCode::kInvalidArgument, "lang must be ja or en", "lang");
  }
  auto assessment = rt_.compliance().run(actor);
  if (!assessment) return fail(assessment.error());
  SignedReport out;
  auto& m = out.report.meta;
  m.id = crypto::to_hex(crypto::random_bytes(8));
  m.lang = lang;
  m.format = format;
  m.terminal = rt_.config().terminal_name;
  m.origin = rt_.config().audit_origin;
  m.version = std::string(kMinatoVersion);
  m.generated_by = actor.subject;
  const std::string target = "report:" + m.id;
  MINATO_TRY(rt_.writes().execute_status(
      actor, {"compliance.report", target, access::Permission::kCompliance},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        m.generated_us = fx.now_us;
        json::object totals;
        for (const auto& [s, n] : assessment->totals) totals[to_string(s)] = n;
        fx.change = json::serialize(json::object{
            {"lang", lang}, {"format", to_string(format)}, {"totals", std::move(totals)}});
        fx.checkpoint = true;
        return ok();
      }));
  {
    auto rx = rt_.store().read();
    if (!rx) return fail(rx.error());
    auto ev = (*rx)->audit_by_target("compliance.report", target, 1);
    if (!ev) return fail(ev.error());
    if (ev->empty()) return fail(ErrorCode::kInternal, "the report's audit event is missing");
    m.event_seq = ev->front().seq;
    auto cp = (*rx)->last_checkpoint();
    if (!cp) return fail(cp.error());
    if (!*cp || (*cp)->size < m.event_seq) {
      return fail(ErrorCode::kInternal, "no checkpoint covers the report's audit event");
    }
    m.checkpoint = **cp;
  }
  auto trusted = rt_.trusted_audit_keys();
  if (!trusted) return fail(trusted.error());
  auto key = trusted->find(m.checkpoint.key_id);
  if (key == trusted->end()) {
    return fail(ErrorCode::kDataLoss,
                "the checkpoint's key " + m.checkpoint.key_id + " is not in keys/audit-trust.txt");
  }
  m.checkpoint_public_key = crypto::to_hex(key->second);
  m.signer_public_key = crypto::to_hex(rt_.audit_key().public_key());
  out.report.assessment = std::move(*assessment);
  auto bytes = render(out.report);
  if (!bytes) return fail(bytes.error());
  out.bytes = std::move(*bytes);
  out.signature = sign_report(out.bytes, m, rt_.audit_key());
  return out;
}

Status ReportService::check_bound(const ReportMeta& meta) {
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto& r = **rx;
  auto head = r.audit_head();
  if (!head) return fail(head.error());
  if (meta.checkpoint.size > *head) {
    return fail(ErrorCode::kDataLoss, "the report's checkpoint (size " +
                                          std::to_string(meta.checkpoint.size) +
                                          ") is beyond this audit log (" + std::to_string(*head) +
                                          " events): it is not this installation's");
  }
  std::vector<audit::Hash> leaves;
  leaves.reserve(static_cast<size_t>(meta.checkpoint.size));
  MINATO_TRY(r.scan_audit_leaves(1, meta.checkpoint.size, [&](int64_t, std::string_view leaf) {
    leaves.push_back(audit::hash_from_bytes(leaf));
  }));
  audit::Tree tree(std::move(leaves));
  if (static_cast<int64_t>(tree.size()) != meta.checkpoint.size ||
      audit::as_bytes(tree.root(static_cast<uint64_t>(meta.checkpoint.size))) !=
          meta.checkpoint.root) {
    return fail(ErrorCode::kDataLoss,
                "the report's checkpoint is not one of this audit log's (its root differs)");
  }
  auto ev = r.audit_by_target("compliance.report", "report:" + meta.id, 1);
  if (!ev) return fail(ev.error());
  if (ev->empty() || ev->front().seq != meta.event_seq) {
    return fail(ErrorCode::kDataLoss, "this audit log has no compliance.report event " +
                                          std::to_string(meta.event_seq) + " for report " +
                                          meta.id);
  }
  return ok();
}

}  // namespace minato::app::compliance
