// The compliance report as one HTML page: no script, no external resource, styles inline, so it
// opens anywhere and prints as it shows.
#include "app/compliance/report.h"
#include "app/eir.h"
#include "crypto/random.h"

namespace minato::app::compliance {
namespace {

std::string esc(std::string_view s) { return html_escape(s); }

std::string_view status_class(ItemStatus s) {
  switch (s) {
    case ItemStatus::kPass:
      return "pass";
    case ItemStatus::kPartial:
      return "partial";
    case ItemStatus::kFail:
      return "fail";
    case ItemStatus::kEvidenceNeeded:
      return "evidence";
    case ItemStatus::kNotApplicable:
      return "na";
  }
  return "fail";
}

int total(const Report& r, ItemStatus s) {
  auto it = r.assessment.totals.find(s);
  return it == r.assessment.totals.end() ? 0 : it->second;
}

}  // namespace

std::string report_html(const Report& r) {
  const bool ja = r.meta.lang == "ja";
  auto t = [&](std::string_view en, std::string_view jp) { return std::string(ja ? jp : en); };
  std::string h;
  h.reserve(256 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"" + r.meta.lang + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<title>" + esc(t("Compliance report", "コンプライアンス報告書")) + " — " +
       esc(r.meta.terminal) + "</title>\n";
  h += R"(<style>
body{font-family:"Noto Sans CJK JP","Noto Sans",sans-serif;margin:24px;color:#1b1f24;font-size:13px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 6px;border-bottom:1px solid #bbb}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eef1f4}.meta td{border:none;padding:1px 8px 1px 0}.st{font-weight:bold;white-space:nowrap}
.pass{background:#dff3e4}.fail{background:#fbdedc}.partial{background:#fdf1d6}.evidence{background:#e4ecfb}.na{background:#eee}
.law{color:#8a1c12;font-weight:bold;white-space:nowrap}.vals{font-family:monospace;font-size:11px;color:#444}
.totals span{display:inline-block;margin-right:12px;padding:2px 8px;border-radius:3px}
</style>
</head>
<body>
)";
  h += "<h1>" + esc(t("Compliance report", "コンプライアンス報告書")) + " — " +
       esc(r.meta.terminal) + "</h1>\n";
  h += "<p>" +
       esc(t("Port-sector information security guideline (system builders and operators "
             "edition), every item checked on the running system.",
             "港湾分野における情報セキュリティ確保に係る安全ガイドライン（システム構築・運用者編）"
             "の全項目を稼働中のシステムで確認した結果です。")) +
       "</p>\n<table class=\"meta\">\n";
  auto row = [&](std::string_view k_en, std::string_view k_ja, const std::string& v) {
    h += "<tr><td>" + esc(t(k_en, k_ja)) + "</td><td>" + esc(v) + "</td></tr>\n";
  };
  row("Generated", "作成日時", format_minute(r.meta.generated_us));
  row("By", "作成者", r.meta.generated_by);
  row("Report", "報告書ID", r.meta.id);
  row("Audit checkpoint", "監査チェックポイント",
      std::to_string(r.meta.checkpoint.size) + " / " +
          crypto::to_hex(r.meta.checkpoint.root).substr(0, 16) + "… / key " +
          r.meta.checkpoint.key_id);
  row("Minato", "Minato", r.meta.version);
  h += "</table>\n<p class=\"totals\">";
  for (ItemStatus s : {ItemStatus::kPass, ItemStatus::kPartial, ItemStatus::kFail,
                       ItemStatus::kEvidenceNeeded, ItemStatus::kNotApplicable}) {
    h += "<span class=\"" + std::string(status_class(s)) + "\">" + esc(status_text(s, ja)) + " " +
         std::to_string(total(r, s)) + "</span>";
  }
  h += "</p>\n<p>" +
       esc(t("The signature file beside this report (.sig) proves it unchanged and bound to the "
             "audit log: `minato compliance verify`.",
             "この報告書の横の署名ファイル（."
             "sig）により、改変されていないことと監査ログとの結び付きを確認できます（`minato "
             "compliance verify`）。")) +
       "</p>\n";

  std::string_view section;
  for (const auto& i : r.assessment.items) {
    if (i.item->section != section) {
      if (!section.empty()) h += "</table>\n";
      section = i.item->section;
      h += "<h2>" + esc(section_label(section, ja)) + " " + esc(section_title(section, ja)) +
           "</h2>\n";
      h += "<table>\n<tr><th>ID</th><th>" + esc(t("Item", "項目")) + "</th><th>" +
           esc(t("Law", "法令")) + "</th><th>" + esc(t("Status", "状態")) + "</th><th>" +
           esc(t("Reason, values seen and evidence", "理由・確認した値・証跡")) + "</th><th>" +
           esc(t("Since", "この状態になった日時")) + "</th></tr>\n";
    }
    h += "<tr id=\"" + esc(i.item->id) + "\"><td>" + esc(i.item->id) + "<br><small>" +
         esc(to_string(i.item->kind)) + "</small></td><td>" +
         esc(ja ? i.item->summary_ja : i.item->summary_en) + "</td><td class=\"law\">" +
         (i.item->law.empty() ? "" : esc(law_text(i.item->law, ja))) + "</td><td class=\"st " +
         std::string(status_class(i.status)) + "\">" + esc(status_text(i.status, ja)) +
         "</td><td>" + esc(ja ? i.reason.ja : i.reason.en);
    if (!i.values.empty()) {
      h += "<div class=\"vals\">";
      for (size_t k = 0; k < i.values.size(); ++k) {
        h += (k ? "; " : "") + esc(i.values[k].name) + " = " + esc(i.values[k].value);
      }
      h += "</div>";
    }
    for (const auto& e : i.evidence) {
      h += "<div>" + esc(t("Evidence", "証跡")) + " #" + std::to_string(e.record.id) + ": " +
           esc(e.record.title) + " (" + esc(e.record.owner) + ", " + esc(e.record.dated) + ", " +
           esc(t("review by ", "見直し期限 ")) + esc(e.record.review_by) +
           (e.current ? "" : esc(t(", past review", "、期限切れ"))) + ")</div>";
    }
    h += "</td><td>" + esc(format_minute(i.since_us)) + "</td></tr>\n";
  }
  if (!section.empty()) h += "</table>\n";
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace minato::app::compliance
