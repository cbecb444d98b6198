// The vulnerability register's reads (G2.7.5): advisory feeds, advisories, KEV entries, findings.
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {

#define MINATO_FINDING_COLUMNS                                                                     \
  "id, asset_id, package, version, advisory_id, fixed, cves, summary, severity, kev, ransomware, " \
  "kev_due, state, owner, due_date, need, method, workaround, impact, schedule, tests, "           \
  "compensating, first_seen_us, last_seen_us, resolved_us, updated_us, updated_by"

static FindingRecord finding_from(Query& r) {
  FindingRecord f;
  f.id = r.i64(0);
  f.asset_id = r.i64(1);
  f.package = r.text(2);
  f.version = r.text(3);
  f.advisory_id = r.text(4);
  f.fixed = r.text(5);
  f.cves = r.text(6);
  f.summary = r.text(7);
  f.severity = r.text(8);
  f.kev = r.i64(9) != 0;
  f.ransomware = r.i64(10) != 0;
  f.kev_due = r.text(11);
  f.state = r.text(12);
  f.owner = r.text(13);
  f.due_date = r.text(14);
  f.need = r.text(15);
  f.method = r.text(16);
  f.workaround = r.text(17);
  f.impact = r.text(18);
  f.schedule = r.text(19);
  f.tests = r.text(20);
  f.compensating = r.text(21);
  f.first_seen_us = r.i64(22);
  f.last_seen_us = r.i64(23);
  f.resolved_us = r.i64(24);
  f.updated_us = r.i64(25);
  f.updated_by = r.text(26);
  return f;
}

Result<std::vector<VulnFeedRecord>> SqliteReader::vuln_feeds() {
  auto q_ =
      q("SELECT id, kind, file_name, intake_id, entries, newest, imported_us, imported_by"
        " FROM vuln_feeds ORDER BY id DESC");
  if (!q_) return fail(q_.error());
  return rows<VulnFeedRecord>(*q_, "read advisory feeds", [](Query& r) {
    return VulnFeedRecord{r.i64(0), r.text(1), r.text(2), r.i64(3),
                          r.i64(4), r.text(5), r.i64(6),  r.text(7)};
  });
}

Result<std::vector<AdvisoryRow>> SqliteReader::advisories() {
  auto q_ =
      q("SELECT id, feed_id, modified, published, summary, severity, aliases, affected"
        " FROM advisories");
  if (!q_) return fail(q_.error());
  return rows<AdvisoryRow>(*q_, "read advisories", [](Query& r) {
    return AdvisoryRow{r.text(0), r.i64(1),  r.text(2), r.text(3),
                       r.text(4), r.text(5), r.text(6), r.text(7)};
  });
}

Result<std::vector<KevRow>> SqliteReader::kev_entries() {
  auto q_ =
      q("SELECT cve, feed_id, vendor, product, name, date_added, due_date, ransomware, action"
        " FROM kev");
  if (!q_) return fail(q_.error());
  return rows<KevRow>(*q_, "read KEV entries", [](Query& r) {
    return KevRow{r.text(0), r.i64(1),  r.text(2),     r.text(3), r.text(4),
                  r.text(5), r.text(6), r.i64(7) != 0, r.text(8)};
  });
}

Result<std::vector<FindingRecord>> SqliteReader::findings() {
  auto q_ = q("SELECT " MINATO_FINDING_COLUMNS " FROM findings ORDER BY id");
  if (!q_) return fail(q_.error());
  return rows<FindingRecord>(*q_, "read findings", finding_from);
}

Result<std::optional<FindingRecord>> SqliteReader::find_finding(int64_t id) {
  auto q_ = q("SELECT " MINATO_FINDING_COLUMNS " FROM findings WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto found = rows<FindingRecord>(*q_, "read finding", finding_from);
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<FindingRecord>();
  return std::optional<FindingRecord>(std::move(found->front()));
}

}  // namespace minato::store::sqlite_detail
