// Checks of security operations (G1.1, G1.2, G2.6.1, G2.6.3, G2.6.4, G2.7.1, G2.7.4, G2.7.5,
// G2.7.6, A1.3.1–3, A1.3.4): the asset register and its software lists, the malware scanner's
// signatures, the media intake's records, the vulnerability register and its feeds, the release's
// trust and the mail link.
#include <algorithm>

#include "app/compliance/check.h"
#include "app/runtime.h"
#include "common/clock.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;

bool live_asset(const store::AssetRecord& a) {
  return a.state != "retired" && a.state != "disposed" && a.state != "planned";
}

Outcome G1_1(Facts& f) {
  const auto& c = f.rt().config();
  return not_applicable({"physical protection is the organisation's; Minato's part is the off-site "
                         "vault",
                         "物理的な保護は組織の対策です。Minatoの役割は遠隔地の保管庫です"},
                        {value_bool("backup.vault_clients_set", !c.backup_vault_clients.empty())});
}

Outcome G1_2(Facts& f) {
  auto assets = f.read().list_assets();
  if (!assets) return read_error(assets.error());
  auto loans = f.read().open_media_loans();
  if (!loans) return read_error(loans.error());
  std::vector<std::string> incomplete;
  int64_t live = 0;
  for (const auto& a : *assets) {
    if (!live_asset(a)) continue;
    ++live;
    if (a.place.empty() || a.owner.empty() || (a.kind == "server" && a.power.empty())) {
      incomplete.push_back(a.tag);
    }
  }
  int64_t overdue = 0;
  for (const auto& l : *loans) overdue += l.due_us != 0 && l.due_us < f.now_us() ? 1 : 0;
  std::vector<Value> v{
      value("assets_in_use", live),
      value("assets_without_place_owner_or_power", static_cast<int64_t>(incomplete.size())),
      value("media_loans_open", static_cast<int64_t>(loans->size())),
      value("media_loans_overdue", overdue)};
  if (live == 0) {
    return failed({"the asset register is empty", "資産台帳が空です"}, std::move(v));
  }
  if (overdue > 0) {
    return failed({std::to_string(overdue) + " media checked out are past their return date",
                   "返却期限を過ぎた貸出中の媒体が" + std::to_string(overdue) + "件あります"},
                  std::move(v));
  }
  if (!incomplete.empty()) {
    return partial({"assets without place, owner or power: " + names_of(incomplete),
                    "設置場所・管理者・電源が未記入の資産: " + names_of(incomplete)},
                   std::move(v));
  }
  return pass({"every asset in use has its place, owner and power; media leave only on approved "
               "loans, all returned on time",
               "使用中の全資産に設置場所・管理者・電源が記録され、媒体は承認された貸出でのみ持ち出"
               "され期限内に返却されています"},
              std::move(v));
}

Outcome G2_6_1_a(Facts& f) {
  auto assets = f.read().list_assets();
  if (!assets) return read_error(assets.error());
  auto work = f.read().newest_audit({"asset.work"}, 0);
  if (!work) return read_error(work.error());
  int64_t live = 0;
  for (const auto& a : *assets) live += live_asset(a) ? 1 : 0;
  std::vector<Value> v{
      value("assets_in_use", live),
      value("last_work_record_age", *work ? age_en(f.now_us() - (*work)->at_us) : "(none)")};
  if (live == 0) {
    return failed({"the asset register is empty", "資産台帳が空です"}, std::move(v));
  }
  return pass({std::to_string(live) + " assets are under configuration control; work on them is "
                                      "recorded with date, work, worker and approver",
               std::to_string(live) +
                   "件の資産を構成管理し、作業を日付・内容・作業者・承認者とともに記録しています"},
              std::move(v));
}

Outcome G2_6_1_b(Facts& f) {
  auto assets = f.read().list_assets();
  if (!assets) return read_error(assets.error());
  auto lists = f.read().software_lists();
  if (!lists) return read_error(lists.error());
  std::vector<std::string> missing, old;
  int64_t live = 0;
  for (const auto& a : *assets) {
    if (!live_asset(a) || (a.kind != "server" && a.kind != "terminal" && a.kind != "network")) {
      continue;
    }
    ++live;
    auto it = std::find_if(lists->begin(), lists->end(),
                           [&](const store::SoftwareListRecord& l) { return l.asset_id == a.id; });
    if (it == lists->end()) {
      missing.push_back(a.tag);
    } else if (f.now_us() - it->imported_us > 92 * kDayUs) {
      old.push_back(a.tag);
    }
  }
  std::vector<Value> v{
      value("assets_needing_a_list", live),
      value("assets_without_software_list", static_cast<int64_t>(missing.size())),
      value("software_lists_older_than_92_days", static_cast<int64_t>(old.size()))};
  if (live == 0) {
    return failed({"no server, terminal or network device is registered",
                   "サーバ・端末・ネットワーク機器が登録されていません"},
                  std::move(v));
  }
  if (!missing.empty() || !old.empty()) {
    return partial({"software not surveyed in the last quarter on: " +
                        names_of(missing.empty() ? old : missing),
                    "直近3か月にソフトウェアを調査していない資産: " +
                        names_of(missing.empty() ? old : missing)},
                   std::move(v));
  }
  return pass({"the software of every server, terminal and network device was surveyed in the "
               "last quarter",
               "全てのサーバ・端末・ネットワーク機器のソフトウェアを直近3か月以内に調査しています"},
              std::move(v));
}

Outcome G2_6_1_c(Facts& f) {
  auto assets = f.read().list_assets();
  if (!assets) return read_error(assets.error());
  int64_t disposed = 0;
  for (const auto& a : *assets) disposed += a.state == "disposed" ? 1 : 0;
  return pass({"`minato decommission` destroys the keys, overwrites every file and signs a "
               "certificate; asset disposals are recorded",
               "`minato "
               "decommission`"
               "は鍵を破棄し全ファイルを上書きして証明書に署名します。資産の廃棄も記録されます"},
              {value("assets_disposed", disposed)});
}

Outcome G2_6_1_d(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("alerts.login_failures_per_minute", c.alert_login_failures_per_minute),
                       value("alerts.denied_per_minute", c.alert_denied_per_minute),
                       value("alerts.refused_per_minute", c.alert_refused_per_minute),
                       value_bool("notify.security_mail_set", !c.security_mail.empty())};
  if (c.alert_login_failures_per_minute <= 0 || c.alert_denied_per_minute <= 0 ||
      c.alert_refused_per_minute <= 0) {
    return partial(
        {"some security-event alerts are off", "セキュリティイベントの通知の一部が無効です"},
        std::move(v));
  }
  if (c.security_mail.empty() && c.webhook_url.empty()) {
    return partial(
        {"thresholds are set, but no security staff address receives the alerts",
         "しきい値は設定されていますが、通知を受けるセキュリティ担当者が設定されていません"},
        std::move(v));
  }
  return pass({"health and load on /metrics; login failures, denials and refused requests over "
               "their thresholds alert security staff",
               "/metricsで稼働状態と負荷を公開し、ログイン失敗・拒否・遮断がしきい値を超えるとセキ"
               "ュリティ担当者に通知します"},
              std::move(v));
}

Outcome G2_6_3(Facts& f) {
  auto exp = f.read().newest_audit({"data.export"}, 0);
  if (!exp) return read_error(exp.error());
  return pass(
      {"migration by a signed, encrypted export and import; erasure by `minato "
       "decommission`",
       "署名・暗号化したエクスポートとインポートで移行し、`minato decommission`で消去します"},
      {value("last_export", *exp ? format_utc((*exp)->at_us) : "(none)")});
}

Outcome G2_6_4(Facts& f) {
  const auto& p = f.rt().paths();
  const auto& c = f.rt().config();
  return pass(
      {"data kinds are classified (personal, secret, operational) and every storage "
       "location is listed",
       "データの種類ごとに格付け（個人情報・秘密・業務）を行い、全ての保存場所を示しています"},
      {value("database", p.database()), value("backups", p.resolve(c.backup_dir)),
       value("quarantine", p.resolve(c.quarantine_dir)),
       value("continuity", p.resolve(c.continuity_dir)), value("keys", p.keys())});
}

// Open findings past their due date, on assets of `kind` ("" any).
Result<std::vector<std::string>> overdue_findings(Facts& f, std::string_view kind) {
  auto findings = f.read().findings();
  if (!findings) return fail(findings.error());
  auto assets = f.read().list_assets();
  if (!assets) return fail(assets.error());
  const std::string today = format_utc(f.now_us(), "%Y-%m-%d");
  std::vector<std::string> out;
  for (const auto& x : *findings) {
    if (x.state == "resolved" || x.state == "accepted" || x.state == "mitigated") continue;
    if (x.due_date.empty() || x.due_date >= today) continue;
    if (!kind.empty()) {
      auto a = std::find_if(assets->begin(), assets->end(),
                            [&](const store::AssetRecord& r) { return r.id == x.asset_id; });
      if (a == assets->end() || a->kind != kind) continue;
    }
    out.push_back(x.advisory_id + " (" + x.package + ")");
  }
  return out;
}

Outcome G2_7_1_a(Facts& f) {
  auto overdue = overdue_findings(f, "network");
  if (!overdue) return read_error(overdue.error());
  const auto& c = f.rt().config();
  std::vector<Value> v{
      value("network_findings_past_due", static_cast<int64_t>(overdue->size())),
      value("audit.syslog_target", c.syslog_target.empty() ? "(none)" : c.syslog_target)};
  if (!overdue->empty()) {
    return failed(
        {"network devices have vulnerabilities past their due date: " + names_of(*overdue),
         "対応期限を過ぎた脆弱性のあるネットワーク機器があります: " + names_of(*overdue)},
        std::move(v));
  }
  if (c.syslog_target.empty()) {
    return partial(
        {"network devices' software is tracked, but logs are not shipped off-system",
         "ネットワーク機器のソフトウェアは管理されていますが、ログがシステム外に送られていません"},
        std::move(v));
  }
  return pass({"network devices' software is tracked against advisories with due dates; logs are "
               "shipped off-system",
               "ネットワーク機器のソフトウェアを対応期限付きで脆弱性情報と照合し、ログをシステム外"
               "に送っています"},
              std::move(v));
}

Outcome scanner(Facts& f, bool server_item) {
  auto s = f.rt().signatures().status(config_reader());
  if (!s) return read_error(s.error());
  std::vector<Value> v{value("intake.clamd", s->clamd), value_bool("clamd_reachable", s->reachable),
                       value("signature_age_days", s->age_days),
                       value("intake.signature_max_age_days", s->max_age_days)};
  if (!s->version.engine.empty()) v.push_back(value("engine", s->version.engine));
  if (!s->reachable) {
    return failed({s->error, "マルウェアスキャナに接続できません: " + s->error}, std::move(v));
  }
  if (!s->current) {
    return failed({"the malware signatures are " + std::to_string(s->age_days) +
                       " days old (limit " + std::to_string(s->max_age_days) + ")",
                   "マルウェア定義ファイルが" + std::to_string(s->age_days) +
                       "日前のものです（上限" + std::to_string(s->max_age_days) + "日）"},
                  std::move(v));
  }
  if (server_item) {
    return pass({"ClamAV scans every file that enters, with signatures " +
                     std::to_string(s->age_days) + " days old",
                 "ClamAVが受け入れる全てのファイルを検査し、定義ファイルは" +
                     std::to_string(s->age_days) + "日前のものです"},
                std::move(v));
  }
  return pass({"every file from outside is quarantined, hashed, typed and scanned by clamd (a "
               "separate process, possibly on its own host) before anything reads it",
               "外部からのファイルは全て隔離・ハッシュ化・種別確認され、読み込まれる前にclamd（別プ"
               "ロセス、別ホストも可）で検査されます"},
              std::move(v));
}

Outcome G2_7_1_b(Facts& f) { return scanner(f, true); }

Outcome G2_7_1_c(Facts& f) {
  Outcome o = scanner(f, false);
  auto recent = f.read().list_media_intake(1000);
  if (!recent) return read_error(recent.error());
  int64_t unscanned = 0;
  for (const auto& r : *recent) unscanned += r.verdict == "override" ? 1 : 0;
  o.values.push_back(value("intake_records", static_cast<int64_t>(recent->size())));
  o.values.push_back(value("taken_in_unscanned_by_override", unscanned));
  return o;
}

Outcome G2_7_1_d(Facts& f) {
  auto recent = f.read().list_media_intake(1000);
  if (!recent) return read_error(recent.error());
  int64_t refused = 0;
  for (const auto& r : *recent) refused += r.verdict == "refused" ? 1 : 0;
  return pass({"imports take data formats only (EDIFACT, CSV, JSON, package lists, advisory "
               "archives); executables, macros and documents with active content are refused",
               "取り込みはデータ形式（EDIFACT、CSV、JSON、パッケージ一覧、脆弱性情報アーカイブ）の"
               "みで、実行形式・マクロ・能動的な内容を持つ文書は拒否されます"},
              {value("intake_records", static_cast<int64_t>(recent->size())),
               value("refused_by_type_or_scan", refused)});
}

Outcome G2_7_4(Facts& f) {
  const auto& c = f.rt().config();
  auto up = f.read().newest_audit({"upgrade."}, 0);
  if (!up) return read_error(up.error());
  std::vector<Value> v{value_bool("upgrade.release_keys_set", !c.upgrade_release_keys.empty()),
                       value("last_upgrade_check", *up ? format_utc((*up)->at_us) : "(none)")};
  if (c.upgrade_release_keys.empty()) {
    return partial({"settings and the SBOM are tracked, but no release key is configured to "
                    "authenticate an update (upgrade.release_keys)",
                    "設定とSBOMは管理されていますが、更新を認証するリリース鍵（upgrade.release_"
                    "keys）が設定されていません"},
                   std::move(v));
  }
  return pass(
      {"configuration versions and the SBOM are tracked; updates are checked against the "
       "release keys, backed up first and can be rolled back",
       "設定の版とSBOMを管理し、更新はリリース鍵で確認し、事前にバックアップして切り戻せます"},
      std::move(v));
}

Outcome G2_7_5(Facts& f) {
  auto feeds = f.read().vuln_feeds();
  if (!feeds) return read_error(feeds.error());
  auto findings = f.read().findings();
  if (!findings) return read_error(findings.error());
  auto overdue = overdue_findings(f, "");
  if (!overdue) return read_error(overdue.error());
  int64_t newest = 0, open = 0, unplanned = 0;
  for (const auto& x : *feeds) newest = std::max(newest, x.imported_us);
  for (const auto& x : *findings) {
    if (x.state == "resolved") continue;
    ++open;
    unplanned += x.state == "open" && x.due_date.empty() ? 1 : 0;
  }
  const int max_days = f.rt().config().vuln_feed_max_age_days;
  std::vector<Value> v{value("feeds", static_cast<int64_t>(feeds->size())),
                       value("newest_feed_age", newest ? age_en(f.now_us() - newest) : "(none)"),
                       value("open_findings", open), value("findings_without_plan", unplanned),
                       value("findings_past_due", static_cast<int64_t>(overdue->size()))};
  if (feeds->empty()) {
    return failed({"no advisory feed has been taken in", "脆弱性情報が取り込まれていません"},
                  std::move(v));
  }
  if (!overdue->empty()) {
    return failed({std::to_string(overdue->size()) +
                       " findings are past their due date: " + names_of(*overdue),
                   "対応期限を過ぎた脆弱性が" + std::to_string(overdue->size()) +
                       "件あります: " + names_of(*overdue)},
                  std::move(v));
  }
  if (f.now_us() - newest > int64_t{max_days} * kDayUs || unplanned > 0) {
    return partial(
        {f.now_us() - newest > int64_t{max_days} * kDayUs
             ? "the newest advisory feed is " + age_en(f.now_us() - newest) + " old"
             : std::to_string(unplanned) + " open findings have no plan yet",
         f.now_us() - newest > int64_t{max_days} * kDayUs
             ? "最新の脆弱性情報が" + age_ja(f.now_us() - newest) + "前のものです"
             : "対応計画のない未対応の脆弱性が" + std::to_string(unplanned) + "件あります"},
        std::move(v));
  }
  return pass({"advisories are matched against the inventory; every open finding has a plan and "
               "none is past due",
               "脆弱性情報をソフトウェア台帳と照合し、未対応の脆弱性には全て計画があり、期限超過は"
               "ありません"},
              std::move(v));
}

Outcome G2_7_6(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("notify.smtp_url", c.smtp_url.empty() ? "(none)" : c.smtp_url),
                       value_bool("notify.smtp_ca_file_set", !c.smtp_ca_file.empty())};
  if (c.smtp_url.empty()) {
    return failed({"no mail server is configured (notify.smtp_url)",
                   "メールサーバが設定されていません（notify.smtp_url）"},
                  std::move(v));
  }
  return pass({"mail leaves only over STARTTLS (required) or SMTPS, with the server's certificate "
               "verified",
               "メールはサーバ証明書を検証するSTARTTLS（必須）またはSMTPSでのみ送信します"},
              std::move(v));
}

Outcome A1_3_1_3(Facts& f) {
  auto assets = f.read().list_assets();
  if (!assets) return read_error(assets.error());
  std::vector<std::string> incomplete;
  int64_t live = 0;
  for (const auto& a : *assets) {
    if (!live_asset(a)) continue;
    ++live;
    if (a.serial.empty() || a.place.empty() || a.used_by.empty() ||
        ((a.kind == "server" || a.kind == "terminal") && (a.os.empty() || a.patches.empty()))) {
      incomplete.push_back(a.tag);
    }
  }
  std::vector<Value> v{value("assets_in_use", live),
                       value("ledger_entries_incomplete", static_cast<int64_t>(incomplete.size()))};
  if (live == 0) return failed({"the asset register is empty", "資産台帳が空です"}, std::move(v));
  if (!incomplete.empty()) {
    return partial(
        {"ledger entries without serial, OS, patch level, user or place: " + names_of(incomplete),
         "製造番号・OS・パッチ・利用者・設置場所が未記入の台帳: " + names_of(incomplete)},
        std::move(v));
  }
  return pass(
      {"the asset ledger holds serial, OS, applications, patch level, user and place of "
       "every device in use",
       "資産台帳に使用中の全機器の製造番号・OS・アプリ・パッチ・利用者・設置場所があります"},
      std::move(v));
}

Outcome A1_3_4(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value_bool("upgrade.release_keys_set", !c.upgrade_release_keys.empty())};
  if (c.upgrade_release_keys.empty()) {
    return partial({"releases carry an SBOM and checksums, but no release key is configured to "
                    "check their signature",
                    "リリースにはSBOMとチェックサムがありますが、署名を確認するリリース鍵が設定され"
                    "ていません"},
                   std::move(v));
  }
  return pass({"a release is accepted only with a valid signature of a configured release key; "
               "its SBOM and checksums are kept",
               "リリースは設定されたリリース鍵の有効な署名がある場合のみ受け入れ、SBOMとチェックサ"
               "ムを保管します"},
              std::move(v));
}

}  // namespace

void secops_checks(std::vector<Check>& out) {
  out.push_back({"G1.1", G1_1, {}});
  out.push_back({"G1.2", G1_2, {"asset.", "media."}});
  out.push_back({"G2.6.1-a", G2_6_1_a, {"asset."}});
  out.push_back({"G2.6.1-b", G2_6_1_b, {"asset.", "software."}});
  out.push_back({"G2.6.1-c", G2_6_1_c, {"asset."}});
  out.push_back({"G2.6.1-d", G2_6_1_d, {"config."}});
  out.push_back({"G2.6.3", G2_6_3, {}});
  out.push_back({"G2.6.4", G2_6_4, {"config."}});
  out.push_back({"G2.7.1-a", G2_7_1_a, {"vuln.", "asset.", "config."}});
  out.push_back({"G2.7.1-b", G2_7_1_b, {"scanner.", "config."}});
  out.push_back({"G2.7.1-c", G2_7_1_c, {"scanner.", "media.", "config."}});
  out.push_back({"G2.7.1-d", G2_7_1_d, {}});
  out.push_back({"G2.7.4", G2_7_4, {"config.", "upgrade."}});
  out.push_back({"G2.7.5", G2_7_5, {"vuln.", "software."}});
  out.push_back({"G2.7.6", G2_7_6, {"config."}});
  out.push_back({"A1.3.1–3", A1_3_1_3, {"asset."}});
  out.push_back({"A1.3.4", A1_3_4, {"config."}});
}

}  // namespace minato::app::compliance
