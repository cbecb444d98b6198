// Configuration control's reads: the versions of minato.toml, and the key inventory (G2.3-c).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {

Result<std::vector<ConfigVersionRecord>> SqliteReader::config_versions(int limit) {
  auto q_ =
      q("SELECT id, sha256, text, kind, approval_id, changes, recorded_us, recorded_by"
        " FROM config_versions ORDER BY id DESC LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  return rows<ConfigVersionRecord>(*q_, "read configuration versions", [](Query& r) {
    return ConfigVersionRecord{r.i64(0), r.text(1), r.text(2), r.text(3),
                               r.i64(4), r.text(5), r.i64(6),  r.text(7)};
  });
}

Result<std::vector<KeyRecord>> SqliteReader::key_inventory() {
  auto q_ =
      q("SELECT name, fingerprint, created_us, rotated_us, rotated_by, expires_us, recorded_us"
        " FROM key_inventory ORDER BY name");
  if (!q_) return fail(q_.error());
  return rows<KeyRecord>(*q_, "read the key inventory", [](Query& r) {
    return KeyRecord{r.text(0), r.text(1), r.i64(2), r.i64(3), r.text(4), r.i64(5), r.i64(6)};
  });
}

}  // namespace minato::store::sqlite_detail
