// The compliance register's reads (sqlite_reader.h): evidence per guideline item, each item's
// last state, and the newest audit event of given actions (what changed an item's state).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {
namespace {

#define MINATO_EVIDENCE_COLUMNS                                                             \
  "id, item, kind, title, owner, dated, review_by, files, note, recorded_us, recorded_by, " \
  "withdrawn_us, withdrawn_by"

ComplianceEvidenceRecord evidence_from(Query& r) {
  return ComplianceEvidenceRecord{r.i64(0),   r.text(1), r.text(2), r.text(3), r.text(4),
                                  r.text(5),  r.text(6), r.text(7), r.text(8), r.i64(9),
                                  r.text(10), r.i64(11), r.text(12)};
}

}  // namespace

Result<std::vector<ComplianceEvidenceRecord>> SqliteReader::compliance_evidence(bool withdrawn) {
  auto q_ = q(withdrawn ? "SELECT " MINATO_EVIDENCE_COLUMNS " FROM compliance_evidence ORDER BY id"
                        : "SELECT " MINATO_EVIDENCE_COLUMNS
                          " FROM compliance_evidence WHERE withdrawn_us = 0 ORDER BY id");
  if (!q_) return fail(q_.error());
  return rows<ComplianceEvidenceRecord>(*q_, "read compliance evidence", evidence_from);
}

Result<std::optional<ComplianceEvidenceRecord>> SqliteReader::find_compliance_evidence(int64_t id) {
  auto q_ = q("SELECT " MINATO_EVIDENCE_COLUMNS " FROM compliance_evidence WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto row = q_->step("read compliance evidence");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<ComplianceEvidenceRecord>{};
  return std::optional<ComplianceEvidenceRecord>{evidence_from(*q_)};
}

Result<std::vector<ComplianceStateRecord>> SqliteReader::compliance_states() {
  auto q_ =
      q("SELECT item, status, since_us, checked_us, reason, checked_seq FROM compliance_state"
        " ORDER BY item");
  if (!q_) return fail(q_.error());
  return rows<ComplianceStateRecord>(*q_, "read compliance state", [](Query& r) {
    return ComplianceStateRecord{r.text(0), r.text(1), r.i64(2), r.i64(3), r.text(4), r.i64(5)};
  });
}

Result<std::optional<AuditRecord>> SqliteReader::newest_audit(
    const std::vector<std::string>& actions, int64_t after_seq) {
  std::optional<AuditRecord> best;
  // One query per action: each walks back from the head over the events after `after_seq`.
  for (const auto& a : actions) {
    if (a.empty()) continue;
    const bool prefix = a.back() == '.';
    auto q_ = q(prefix ? "SELECT " MINATO_AUDIT_COLUMNS
                         " FROM audit_events WHERE seq > ?1 AND substr(action, 1, ?3) = ?2"
                         " ORDER BY seq DESC LIMIT 1"
                       : "SELECT " MINATO_AUDIT_COLUMNS
                         " FROM audit_events WHERE seq > ?1 AND action = ?2"
                         " ORDER BY seq DESC LIMIT 1");
    if (!q_) return fail(q_.error());
    q_->bind(1, std::max<int64_t>(after_seq, best ? best->seq : 0)).bind(2, a);
    if (prefix) q_->bind(3, static_cast<int64_t>(a.size()));
    auto row = q_->step("read audit log");
    if (!row) return fail(row.error());
    if (*row) best = audit_from(*q_);
  }
  return best;
}

}  // namespace minato::store::sqlite_detail
