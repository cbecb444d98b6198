// Checks of redundancy, backups and restore drills (G2.4-a/b, G2.7.2): they read the store
// engine, BackupService's targets and schedules, what the vault fetched and reported, the
// continuity snapshots and the restore drills recorded in the audit log.
#include <boost/json.hpp>

#include "app/compliance/check.h"
#include "app/runtime.h"
#include "store/store.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;
constexpr int64_t kMinuteUs = 60LL * 1'000'000;

Outcome G2_4_a(Facts&) {
  return failed({"the embedded SQLite store runs on one host with no synchronous standby",
                 "組込みのSQLiteストアは1台で動作しており、同期スタンバイがありません"},
                {value("store.engine", "sqlite"), value("synchronous_standby", "none")});
}

Outcome G2_4_b(Facts& f) {
  const auto& c = f.rt().config();
  auto snap = f.read().newest_audit({"continuity.snapshot"}, 0);
  if (!snap) return read_error(snap.error());
  const int64_t snap_age = *snap ? f.now_us() - (*snap)->at_us : -1;
  const bool snap_fresh =
      *snap && snap_age <= 2 * static_cast<int64_t>(c.continuity_minutes) * kMinuteUs + kMinuteUs;
  int64_t pulled_us = 0;
  for (const auto& t : f.rt().backup().status(f.now_us())) {
    if (t.target == "database") pulled_us = t.newest_pulled_us;
  }
  auto fetch = f.read().newest_audit({"backup.vault.fetch"}, 0);
  if (!fetch) return read_error(fetch.error());
  const int64_t vault_us = std::max(pulled_us, *fetch ? (*fetch)->at_us : 0);
  const bool vault_recent = vault_us != 0 && f.now_us() - vault_us <= kDayUs;
  std::vector<Value> v{
      value("continuity_snapshot_age", *snap ? age_en(snap_age) : "(none)"),
      value("continuity.every_minutes", c.continuity_minutes),
      value("last_vault_fetch_age", vault_us ? age_en(f.now_us() - vault_us) : "(never)")};
  if (snap_fresh && vault_recent) {
    return pass({"a vault off the system holds current backups to restore a standby from, and a "
                 "continuity snapshot of the yard is " +
                     age_en(snap_age) + " old",
                 "システム外の保管庫に予備系を復元できる最新のバックアップがあり、ヤードの業務継続"
                 "スナップショットは" +
                     age_ja(snap_age) + "前のものです"},
                std::move(v));
  }
  if (snap_fresh || vault_recent) {
    return partial(
        {snap_fresh ? "the continuity snapshot is current, but no vault has fetched the "
                      "backups in the last day"
                    : "the vault is current, but the continuity snapshot is missing or "
                      "old",
         snap_fresh ? "業務継続スナップショットは最新ですが、この1日に保管庫がバックアップを取得し"
                      "ていません"
                    : "保管庫は最新ですが、業務継続スナップショットがないか古くなっています"},
        std::move(v));
  }
  return failed({"no current continuity snapshot and no vault fetch in the last day",
                 "最新の業務継続スナップショットがなく、この1日に保管庫の取得もありません"},
                std::move(v));
}

Outcome G2_7_2_a(Facts& f) {
  auto& b = f.rt().backup();
  if (!b.configured()) {
    return backups_not_set_up();
  }
  std::vector<Value> v;
  std::vector<std::string> none;
  for (const auto& t : b.status(f.now_us())) {
    v.push_back(value("sets." + t.target, t.sets));
    if (t.newest.empty()) none.push_back(t.target);
  }
  if (!none.empty()) {
    return partial({"no backup set yet of: " + names_of(none),
                    "バックアップが未作成の対象: " + names_of(none)},
                   std::move(v));
  }
  return pass({"backup sets exist of the database (container data), configuration and keys, the "
               "audit and system logs, and the program release",
               "データベース（コンテナ情報）、設定と鍵、監査・システムログ、プログラムのバックアッ"
               "プがあります"},
              std::move(v));
}

Outcome G2_7_2_b(Facts& f) {
  auto& b = f.rt().backup();
  if (!b.configured()) {
    return backups_not_set_up();
  }
  std::vector<Value> v;
  std::vector<std::string> overdue;
  for (const auto& t : b.status(f.now_us())) {
    v.push_back(value("backup." + t.target + "_minutes", t.every_minutes));
    v.push_back(value("age." + t.target, t.age_s < 0 ? "(none)" : age_en(t.age_s * 1'000'000)));
    if (t.overdue || t.every_minutes <= 0) overdue.push_back(t.target);
  }
  if (!overdue.empty()) {
    return failed({"backups overdue or unscheduled: " + names_of(overdue),
                   "期限を過ぎた、または予定のないバックアップ: " + names_of(overdue)},
                  std::move(v));
  }
  return pass({"each target has its own schedule and none is overdue",
               "対象ごとに頻度が定められ、期限を過ぎたものはありません"},
              std::move(v));
}

Outcome G2_7_2_c(Facts& f) {
  auto rep = f.read().newest_audit({"backup.vault.report"}, 0);
  if (!rep) return read_error(rep.error());
  if (!*rep) {
    return failed({"no vault has reported its retention and generations",
                   "保管庫から保持方針と世代の報告がありません"},
                  {value("vault_report", "(none)")});
  }
  boost::system::error_code ec;
  auto j = boost::json::parse((*rep)->change, ec);
  if (ec || !j.is_object()) {
    return failed({"the vault's report cannot be read", "保管庫の報告を読めません"});
  }
  const auto& o = j.as_object();
  auto num = [](const boost::json::object& x, std::string_view k) -> int64_t {
    auto* p = x.if_contains(k);
    return p && p->is_int64() ? p->as_int64() : 0;
  };
  const auto* keep = o.if_contains("keep");
  const auto* targets = o.if_contains("targets");
  if (!keep || !keep->is_object() || !targets || !targets->is_object()) {
    return failed({"the vault's report cannot be read", "保管庫の報告を読めません"});
  }
  const int64_t weekly = num(keep->as_object(), "weekly");
  const int64_t monthly = num(keep->as_object(), "monthly");
  int64_t oldest_db = 0;
  if (const auto* db = targets->as_object().if_contains("database"); db && db->is_object()) {
    oldest_db = num(db->as_object(), "oldest_us");
  }
  const int64_t report_age = f.now_us() - (*rep)->at_us;
  const int64_t oldest_age = oldest_db ? (*rep)->at_us - oldest_db : 0;
  std::vector<Value> v{
      value("vault.keep_weekly", weekly), value("vault.keep_monthly", monthly),
      value("oldest_database_generation_age", oldest_db ? age_en(oldest_age) : "(none)"),
      value("vault_report_age", age_en(report_age))};
  if (weekly < 2 && monthly < 2) {
    return failed({"the vault's retention keeps no weeks-old generations",
                   "保管庫の保持方針に数週間前の世代が含まれていません"},
                  std::move(v));
  }
  if (report_age > 2 * kDayUs) {
    return failed({"the vault last reported " + age_en(report_age) + " ago",
                   "保管庫の最後の報告は" + age_ja(report_age) + "前です"},
                  std::move(v));
  }
  if (oldest_age < 14 * kDayUs) {
    return partial({"the vault keeps weeks-old generations, but its oldest database set is only " +
                        age_en(oldest_age) + " old",
                    "保管庫は数週間前の世代を保持する方針ですが、最も古いデータベースの世代は" +
                        age_ja(oldest_age) + "前のものです"},
                   std::move(v));
  }
  return pass(
      {"the vault keeps " + std::to_string(weekly) + " weekly and " + std::to_string(monthly) +
           " monthly generations; the oldest database set is " + age_en(oldest_age) + " old",
       "保管庫は週次" + std::to_string(weekly) + "世代・月次" + std::to_string(monthly) +
           "世代を保持し、最も古いデータベースの世代は" + age_ja(oldest_age) + "前のものです"},
      std::move(v));
}

Outcome G2_7_2_d(Facts& f) {
  const auto& c = f.rt().config();
  int64_t pulled_us = 0;
  if (f.rt().backup().configured()) {
    for (const auto& t : f.rt().backup().status(f.now_us())) {
      if (t.target == "database") pulled_us = t.newest_pulled_us;
    }
  }
  auto fetch = f.read().newest_audit({"backup.vault.fetch"}, 0);
  if (!fetch) return read_error(fetch.error());
  const int64_t last = std::max(pulled_us, *fetch ? (*fetch)->at_us : 0);
  std::vector<Value> v{value_bool("backup.vault_clients_set", !c.backup_vault_clients.empty()),
                       value("backup.vault_listen", c.backup_vault_listen),
                       value("last_vault_fetch_age", last ? age_en(f.now_us() - last) : "(never)")};
  if (c.backup_vault_clients.empty()) {
    return failed({"no vault is allowed to pull the backups (backup.vault_clients is empty): they "
                   "stay on the live system",
                   "バックアップを取得できる保管庫がありません（backup.vault_"
                   "clientsが空）。バックアップが稼働中のシステムに残っています"},
                  std::move(v));
  }
  if (last == 0 || f.now_us() - last > kDayUs) {
    return failed({"the vault has not fetched a backup in the last day",
                   "この1日に保管庫がバックアップを取得していません"},
                  std::move(v));
  }
  return pass({"a vault on another host pulls the sets over mutual TLS; the live system holds no "
               "credential that could delete them",
               "別ホストの保管庫が相互TLSでバックアップを取得し、稼働中のシステムはそれを削除できる"
               "認証情報を持ちません"},
              std::move(v));
}

Outcome G2_7_2_e(Facts& f) {
  if (!f.rt().backup().configured()) {
    return backups_not_set_up();
  }
  return pass({"every set is encrypted (XChaCha20-Poly1305) and its manifest signed (Ed25519); the "
               "vault and restore verify both",
               "全てのバックアップは暗号化（XChaCha20-"
               "Poly1305）され、目録はEd25519で署名され、保管庫と復元時に検証されます"},
              {value("encryption", "XChaCha20-Poly1305"), value("manifest_signature", "Ed25519")});
}

Outcome G2_7_2_f(Facts& f) {
  auto drill = f.read().newest_audit({"backup.drill"}, 0);
  if (!drill) return read_error(drill.error());
  if (!*drill) {
    return failed({"no restore drill has been recorded", "復元訓練の記録がありません"},
                  {value("last_drill", "(none)")});
  }
  const int64_t age = f.now_us() - (*drill)->at_us;
  const bool passed = (*drill)->result == "success";
  std::vector<Value> v{value("last_drill_age_days", age / kDayUs),
                       value("last_drill_result", (*drill)->result)};
  if (age > 365 * kDayUs) {
    return failed({"the last restore drill was " + age_en(age) + " ago (more than a year)",
                   "最後の復元訓練は" + age_ja(age) + "前です（1年超）"},
                  std::move(v));
  }
  if (!passed) {
    return failed({"the last restore drill failed", "最後の復元訓練が失敗しています"},
                  std::move(v));
  }
  return pass({"the last restore drill passed " + age_en(age) + " ago",
               "最後の復元訓練は" + age_ja(age) + "前に成功しています"},
              std::move(v));
}

}  // namespace

void resilience_checks(std::vector<Check>& out) {
  out.push_back({"G2.4-a", G2_4_a, {}});
  out.push_back({"G2.4-b", G2_4_b, {"continuity.", "backup.", "config."}});
  out.push_back({"G2.7.2-a", G2_7_2_a, {"backup."}});
  out.push_back({"G2.7.2-b", G2_7_2_b, {"backup.", "config."}});
  out.push_back({"G2.7.2-c", G2_7_2_c, {"backup.vault."}});
  out.push_back({"G2.7.2-d", G2_7_2_d, {"backup.", "config."}});
  out.push_back({"G2.7.2-e", G2_7_2_e, {"backup.", "key."}});
  out.push_back({"G2.7.2-f", G2_7_2_f, {"backup.drill"}});
}

}  // namespace minato::app::compliance
