// SqliteReader: the reads of the audit log and its checkpoints (sqlite_reader.h).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {

AuditRecord SqliteReader::audit_from(Query& q) {
  AuditRecord r;
  r.seq = q.i64(0);
  r.at_us = q.i64(1);
  r.subject = q.text(2);
  r.credential = q.text(3);
  r.source = q.text(4);
  r.action = q.text(5);
  r.target = q.text(6);
  r.result = q.text(7);
  r.reason = q.text(8);
  r.request_id = q.text(9);
  r.change = q.text(10);
  r.leaf = q.blob(11);
  r.pruned = q.i64(12) != 0;
  return r;
}

Result<int64_t> SqliteReader::audit_head() {
  return count("SELECT coalesce(max(seq), 0) FROM audit_events", "read audit head");
}

Result<std::vector<AuditRecord>> SqliteReader::audit_by_target(std::string_view action,
                                                               std::string_view target, int limit) {
  auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS
              " FROM audit_events WHERE target = ?1 AND action = ?2"
              " ORDER BY seq DESC LIMIT ?3");
  if (!q_) return fail(q_.error());
  q_->bind(1, target).bind(2, action).bind(3, static_cast<int64_t>(limit));
  std::vector<AuditRecord> out;
  for (;;) {
    auto row = q_->step("read audit by target");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(audit_from(*q_));
  }
  return out;
}

Status SqliteReader::scan_audit(int64_t from_seq,
                                const std::function<bool(const AuditRecord&)>& visit) {
  auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS " FROM audit_events WHERE seq >= ?1 ORDER BY seq");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_seq);
  for (;;) {
    auto row = q_->step("read audit log");
    if (!row) return fail(row.error());
    if (!*row || !visit(audit_from(*q_))) break;
  }
  return ok();
}

Status SqliteReader::scan_audit_leaves(
    int64_t from_seq, int64_t to_seq, const std::function<void(int64_t, std::string_view)>& visit) {
  auto q_ = q("SELECT seq, leaf FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_seq).bind(2, to_seq);
  for (;;) {
    auto row = q_->step("read audit leaves");
    if (!row) return fail(row.error());
    if (!*row) break;
    visit(q_->i64(0), q_->blob_view(1));
  }
  return ok();
}

Status SqliteReader::scan_audit_views(int64_t from_seq, int64_t to_seq,
                                      const std::function<bool(const AuditRowView&)>& visit) {
  auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS
              " FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_seq).bind(2, to_seq);
  AuditRowView v;
  for (;;) {
    auto row = q_->step("read audit log");
    if (!row) return fail(row.error());
    if (!*row) break;
    v.seq = q_->i64(0);
    v.at_us = q_->i64(1);
    v.subject = q_->text_view(2);
    v.credential = q_->text_view(3);
    v.source = q_->text_view(4);
    v.action = q_->text_view(5);
    v.target = q_->text_view(6);
    v.result = q_->text_view(7);
    v.reason = q_->text_view(8);
    v.request_id = q_->text_view(9);
    v.change = q_->text_view(10);
    v.leaf = q_->blob_view(11);
    v.pruned = q_->i64(12) != 0;
    if (!visit(v)) break;
  }
  return ok();
}

Result<std::vector<AuditRecord>> SqliteReader::query_audit(const AuditQuery& f) {
  // One statement; an empty filter matches everything (?n = '' OR column = ?n).
  auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS
              " FROM audit_events WHERE seq > ?1"
              " AND (?2 = '' OR subject = ?2)"
              " AND (?3 = '' OR action = ?3 OR (substr(?3, -1) = '.' AND"
              "      substr(action, 1, length(?3)) = ?3))"
              " AND (?4 = '' OR target = ?4)"
              " AND at_us >= ?5 AND (?6 = 0 OR at_us < ?6)"
              " ORDER BY seq LIMIT ?7");
  if (!q_) return fail(q_.error());
  q_->bind(1, f.after_seq).bind(2, f.subject).bind(3, f.action).bind(4, f.target);
  q_->bind(5, f.from_us).bind(6, f.to_us).bind(7, static_cast<int64_t>(f.limit));
  std::vector<AuditRecord> out;
  for (;;) {
    auto row = q_->step("query audit log");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(audit_from(*q_));
  }
  return out;
}

Result<int64_t> SqliteReader::audit_seq_at(int64_t at_us) {
  auto q_ =
      q("SELECT coalesce((SELECT min(seq) FROM audit_events WHERE at_us >= ?1),"
        " (SELECT coalesce(max(seq), 0) + 1 FROM audit_events))");
  if (!q_) return fail(q_.error());
  q_->bind(1, at_us);
  auto row = q_->step("find audit position");
  if (!row) return fail(row.error());
  return q_->i64(0);
}

CheckpointRecord SqliteReader::checkpoint_from(Query& q) {
  CheckpointRecord c;
  c.size = q.i64(0);
  c.root = q.blob(1);
  c.at_us = q.i64(2);
  c.key_id = q.text(3);
  c.signature = q.blob(4);
  c.edge = q.blob(5);
  return c;
}

Result<std::vector<CheckpointRecord>> SqliteReader::checkpoints() {
  auto q_ =
      q("SELECT size, root, at_us, key_id, signature, edge FROM audit_checkpoints"
        " ORDER BY size");
  if (!q_) return fail(q_.error());
  std::vector<CheckpointRecord> out;
  for (;;) {
    auto row = q_->step("read checkpoints");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(checkpoint_from(*q_));
  }
  return out;
}

Result<std::optional<CheckpointRecord>> SqliteReader::last_checkpoint() {
  auto q_ =
      q("SELECT size, root, at_us, key_id, signature, edge FROM audit_checkpoints"
        " ORDER BY size DESC LIMIT 1");
  if (!q_) return fail(q_.error());
  auto row = q_->step("read last checkpoint");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<CheckpointRecord>();
  return std::optional<CheckpointRecord>(checkpoint_from(*q_));
}

}  // namespace minato::store::sqlite_detail
