// The asset register's reads (G1.2, G2.6.1-a, A1.3.1-3): assets, work records, media loans,
// and the software lists (G2.6.1-b).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {

#define MINATO_ASSET_COLUMNS                                                               \
  "id, tag, kind, name, serial, os, applications, patches, owner, used_by, place, power, " \
  "network, state, notes, created_us, updated_us, updated_by"
#define MINATO_LOAN_COLUMNS                                                           \
  "id, asset_id, approval_id, holder, purpose, out_us, due_us, out_by, returned_us, " \
  "returned_by, return_note"

static AssetRecord asset_from(Query& r) {
  return AssetRecord{r.i64(0),   r.text(1),  r.text(2),  r.text(3), r.text(4),  r.text(5),
                     r.text(6),  r.text(7),  r.text(8),  r.text(9), r.text(10), r.text(11),
                     r.text(12), r.text(13), r.text(14), r.i64(15), r.i64(16),  r.text(17)};
}

static MediaLoanRecord loan_from(Query& r) {
  return MediaLoanRecord{r.i64(0), r.i64(1),  r.i64(2), r.text(3), r.text(4), r.i64(5),
                         r.i64(6), r.text(7), r.i64(8), r.text(9), r.text(10)};
}

Result<std::optional<AssetRecord>> SqliteReader::find_asset(std::string_view tag) {
  auto q_ = q("SELECT " MINATO_ASSET_COLUMNS " FROM assets WHERE tag = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, tag);
  auto found = rows<AssetRecord>(*q_, "read asset", asset_from);
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<AssetRecord>();
  return std::optional<AssetRecord>(std::move(found->front()));
}

Result<std::vector<AssetRecord>> SqliteReader::list_assets() {
  auto q_ = q("SELECT " MINATO_ASSET_COLUMNS " FROM assets ORDER BY tag");
  if (!q_) return fail(q_.error());
  return rows<AssetRecord>(*q_, "list assets", asset_from);
}

Result<std::vector<WorkRecord>> SqliteReader::work_records(int64_t asset_id, int limit) {
  auto q_ =
      q("SELECT id, asset_id, work_date, work, worker, approved_by, recorded_us, recorded_by"
        " FROM work_records WHERE asset_id = ?1 ORDER BY work_date DESC, id DESC LIMIT ?2");
  if (!q_) return fail(q_.error());
  q_->bind(1, asset_id).bind(2, static_cast<int64_t>(limit));
  return rows<WorkRecord>(*q_, "read work records", [](Query& r) {
    return WorkRecord{r.i64(0),  r.i64(1),  r.text(2), r.text(3),
                      r.text(4), r.text(5), r.i64(6),  r.text(7)};
  });
}

Result<std::vector<MediaLoanRecord>> SqliteReader::media_loans(int64_t asset_id) {
  auto q_ =
      q("SELECT " MINATO_LOAN_COLUMNS " FROM media_loans WHERE asset_id = ?1 ORDER BY id DESC");
  if (!q_) return fail(q_.error());
  q_->bind(1, asset_id);
  return rows<MediaLoanRecord>(*q_, "read media loans", loan_from);
}

Result<std::vector<MediaLoanRecord>> SqliteReader::open_media_loans() {
  auto q_ =
      q("SELECT " MINATO_LOAN_COLUMNS " FROM media_loans WHERE returned_us = 0 ORDER BY due_us");
  if (!q_) return fail(q_.error());
  return rows<MediaLoanRecord>(*q_, "read media loans out", loan_from);
}

#define MINATO_SOFTWARE_COLUMNS \
  "asset_id, intake_id, source, file_name, count, components, imported_us, imported_by"

static SoftwareListRecord software_from(Query& r) {
  return SoftwareListRecord{r.i64(0), r.i64(1),  r.text(2), r.text(3),
                            r.i64(4), r.text(5), r.i64(6),  r.text(7)};
}

Result<std::optional<SoftwareListRecord>> SqliteReader::software_list(int64_t asset_id) {
  auto q_ = q("SELECT " MINATO_SOFTWARE_COLUMNS " FROM software_lists WHERE asset_id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, asset_id);
  auto found = rows<SoftwareListRecord>(*q_, "read software list", software_from);
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<SoftwareListRecord>();
  return std::optional<SoftwareListRecord>(std::move(found->front()));
}

Result<std::vector<SoftwareListRecord>> SqliteReader::software_lists() {
  auto q_ = q("SELECT " MINATO_SOFTWARE_COLUMNS " FROM software_lists ORDER BY asset_id");
  if (!q_) return fail(q_.error());
  return rows<SoftwareListRecord>(*q_, "read software lists", software_from);
}

}  // namespace minato::store::sqlite_detail
