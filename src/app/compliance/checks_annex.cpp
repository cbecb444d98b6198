// Checks of Annex 1 (acquisition, development and maintenance): security on by default, input
// limits, the acceptance that these checks themselves give, the web application's defences and
// the database.
#include <sys/stat.h>

#include "app/compliance/catalogue.h"
#include "app/compliance/check.h"
#include "app/runtime.h"
#include "common/files.h"
#include "crypto/tls_cert.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;

Outcome A1_1(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("intake.signature_age_action", c.signature_age_action),
                       value("webauthn.user_verification", c.webauthn_user_verification)};
  if (c.signature_age_action != "refuse") {
    return partial({"a control runs in its weaker mode: intake.signature_age_action = " +
                        c.signature_age_action,
                    "弱い設定で動作している制御があります: intake.signature_age_action = " +
                        c.signature_age_action},
                   std::move(v));
  }
  return pass({"every control is on by default and has no unsafe mode; benchmarks measure the "
               "cost of each (docs/performance.md)",
               "全ての制御は既定で有効で、安全でない動作モードはなく、各制御の性能への影響をベンチ"
               "マークで測定しています（docs/performance.md）"},
              std::move(v));
}

Outcome A1_2_1(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("server.header_limit_bytes", c.header_limit_bytes),
                       value("server.body_limit_bytes", c.body_limit_bytes),
                       value("intake.max_mb", c.intake_max_mb)};
  if (c.header_limit_bytes <= 0 || c.body_limit_bytes <= 0 || c.intake_max_mb <= 0) {
    return failed({"an input limit is off", "入力の上限が無効になっています"}, std::move(v));
  }
  return pass({"the security functions are specified (docs/security.md); every input is "
               "validated and bounded; dependencies and their support are in the SBOM",
               "セキュリティ機能を定義し（docs/"
               "security."
               "md）、全ての入力を検証し大きさを制限し、依存ソフトウェアとそのサポートをSBOMで管理"
               "しています"},
              std::move(v));
}

// Runs after every other check: acceptance holds while no product check fails.
Outcome A1_2_2(Facts& f) {
  int64_t fails = 0, checked = 0;
  std::string which;
  for (const auto& [id, o] : f.earlier()) {
    const Item* item = find_item(id);
    if (item == nullptr || item->kind == Kind::kOrganisation) continue;
    ++checked;
    if (o.status == ItemStatus::kFail) {
      ++fails;
      if (fails <= 5) which += (which.empty() ? "" : ", ") + id;
    }
  }
  std::vector<Value> v{value("product_checks", checked), value("product_checks_failing", fails)};
  if (fails > 0) {
    return partial({"the acceptance checks run live, but " + std::to_string(fails) +
                        " product items fail: " + which,
                    "受入確認は稼働中に実行されていますが、" + std::to_string(fails) +
                        "件の製品側の項目が不合格です: " + which},
                   std::move(v));
  }
  return pass({"every product item of the guideline is checked live, and none fails",
               "ガイドラインの製品側の全項目を稼働中に確認し、不合格はありません"},
              std::move(v));
}

Outcome A1_4_2(Facts& f) {
  auto pem = read_file(f.rt().paths().resolve(f.rt().config().tls_cert));
  int64_t days_left = -1;
  if (pem) {
    if (auto validity = crypto::cert_validity(*pem)) {
      days_left = (validity->not_after_us - f.now_us()) / kDayUs;
    }
  }
  std::vector<Value> v{
      value("tls_certificate_days_left", days_left),
      value("security_headers",
            "Content-Security-Policy, X-Frame-Options: DENY, Strict-Transport-Security, "
            "X-Content-Type-Options, Referrer-Policy"),
      value("csrf", "SameSite=Strict session cookie and per-session token")};
  if (days_left < 0) {
    return failed(
        {"the server certificate is missing or expired", "サーバ証明書がないか期限切れです"},
        std::move(v));
  }
  return pass({"TLS with a server certificate; each web vulnerability class has a test against the "
               "live server; framing, scripts and sniffing are restricted by headers",
               "サーバ証明書付きTLSを使い、ウェブの各脆弱性分類について稼働中のサーバに対する試験が"
               "あり、ヘッダでフレーム埋込み・スクリプト・型推測を制限しています"},
              std::move(v));
}

Outcome A1_4_4(Facts& f) {
  struct stat st {};
  const std::string db = f.rt().paths().database();
  const bool ok = ::stat(db.c_str(), &st) == 0;
  const unsigned mode = ok ? (st.st_mode & 0777) : 0;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  std::vector<Value> v{value("store.engine", "sqlite"), value("database_file_mode", buf),
                       value_bool("row_changes_in_audit_log", true)};
  if (!ok || (mode & 077) != 0) {
    return failed({"the database file can be read by others than the service account",
                   "データベースファイルをサービスアカウント以外が読めます"},
                  std::move(v));
  }
  return partial({"every row change is in the signed audit log and the file is the service's "
                  "alone; database roles and encrypted connections need the PostgreSQL store",
                  "全ての行の変更は署名付き監査ログにあり、ファイルはサービス専用ですが、データベー"
                  "スのロール管理と暗号化接続にはPostgreSQLストアが必要です"},
                 std::move(v));
}

}  // namespace

void annex_checks(std::vector<Check>& out) {
  out.push_back({"A1.1", A1_1, {"config."}});
  out.push_back({"A1.2.1", A1_2_1, {"config."}});
  Check acceptance{"A1.2.2", A1_2_2, {}};
  acceptance.last = true;
  out.push_back(std::move(acceptance));
  out.push_back({"A1.4.2", A1_4_2, {"key."}});
  out.push_back({"A1.4.4", A1_4_4, {}});
}

}  // namespace minato::app::compliance
