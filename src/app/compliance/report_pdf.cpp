// The compliance report as PDF (common/pdf_canvas.h: cairo and Pango with Noto Sans CJK): a
// header with the totals and the audit binding, then each chapter's items — ID, status, law,
// summary, reason, the values seen, the evidence — each page footed with the report's id.
#include "app/compliance/report.h"
#include "common/clock.h"
#include "common/pdf_canvas.h"
#include "crypto/random.h"

namespace minato::app::compliance {
namespace {

constexpr double kLeft = 40, kRight = PdfCanvas::kWidth - 40, kTop = 40;
constexpr double kBottom = PdfCanvas::kHeight - 48;

Rgb fill_of(ItemStatus s) {
  switch (s) {
    case ItemStatus::kPass:
      return {0.87, 0.95, 0.89};
    case ItemStatus::kPartial:
      return {0.99, 0.95, 0.84};
    case ItemStatus::kFail:
      return {0.98, 0.87, 0.86};
    case ItemStatus::kEvidenceNeeded:
      return {0.89, 0.93, 0.98};
    case ItemStatus::kNotApplicable:
      return {0.93, 0.93, 0.93};
  }
  return {1, 1, 1};
}

class Writer {
 public:
  Writer(PdfCanvas& pdf, const Report& r) : pdf_(pdf), r_(r), ja_(r.meta.lang == "ja") {}

  void footer() {
    const std::string f = (ja_ ? "報告書ID " : "Report ") + r_.meta.id + " — " +
                          (ja_ ? "ページ " : "page ") + std::to_string(page_);
    pdf_.text(kLeft, PdfCanvas::kHeight - 32, 0, 7, f, false, {0.4, 0.4, 0.4});
  }
  void need(double h) {
    if (y_ + h <= kBottom) return;
    footer();
    pdf_.new_page();
    ++page_;
    y_ = kTop;
  }
  void gap(double h) { y_ += h; }
  void line(double size, const std::string& text, bool bold = false, Rgb c = {}) {
    const double h = pdf_.measure(kRight - kLeft, size, text, bold);
    need(h);
    y_ += pdf_.text(kLeft, y_, kRight - kLeft, size, text, bold, c);
  }
  void item(const ItemResult& i) {
    const double w = kRight - kLeft, inner = w - 12;
    const std::string head =
        std::string(i.item->id) + "  [" + std::string(to_string(i.item->kind)) + "]" +
        (i.item->law.empty() ? "" : "  " + std::string(law_text(i.item->law, ja_)));
    const std::string summary(ja_ ? i.item->summary_ja : i.item->summary_en);
    const std::string reason = (ja_ ? "理由: " : "Reason: ") + (ja_ ? i.reason.ja : i.reason.en);
    std::string values;
    for (size_t k = 0; k < i.values.size(); ++k) {
      values += (k ? "; " : "") + i.values[k].name + " = " + i.values[k].value;
    }
    std::string evidence;
    for (const auto& e : i.evidence) {
      evidence += std::string(evidence.empty() ? "" : "\n") + (ja_ ? "証跡 #" : "Evidence #") +
                  std::to_string(e.record.id) + ": " + e.record.title + " (" + e.record.owner +
                  ", " + e.record.dated + (ja_ ? "、見直し期限 " : ", review by ") +
                  e.record.review_by + (e.current ? ")" : (ja_ ? "、期限切れ)" : ", past review)"));
    }
    const std::string since =
        (ja_ ? "この状態になった日時: " : "In this state since ") + format_minute(i.since_us);
    double h = 6 + pdf_.measure(inner, 9, head, true) + pdf_.measure(inner, 8.5, summary) +
               pdf_.measure(inner, 8.5, reason) + pdf_.measure(inner, 7.5, since) + 6;
    if (!values.empty()) h += pdf_.measure(inner, 7, values);
    if (!evidence.empty()) h += pdf_.measure(inner, 7.5, evidence);
    need(h + 4);
    const double top = y_;
    pdf_.fill(kLeft, top, w, h, {0.98, 0.98, 0.98});
    const std::string badge(status_text(i.status, ja_));
    const double bw = pdf_.text_width(9, badge, true) + 12;
    pdf_.fill(kRight - bw, top, bw, 16, fill_of(i.status));
    pdf_.text(kRight - bw + 6, top + 2, 0, 9, badge, true);
    double yy = top + 4;
    yy += pdf_.text(kLeft + 6, yy, inner - bw, 9, head, true);
    yy += pdf_.text(kLeft + 6, yy, inner, 8.5, summary);
    yy += pdf_.text(kLeft + 6, yy, inner, 8.5, reason);
    if (!values.empty()) yy += pdf_.text(kLeft + 6, yy, inner, 7, values, false, {0.3, 0.3, 0.3});
    if (!evidence.empty()) yy += pdf_.text(kLeft + 6, yy, inner, 7.5, evidence);
    pdf_.text(kLeft + 6, yy, inner, 7.5, since, false, {0.4, 0.4, 0.4});
    pdf_.rect(kLeft, top, w, h, 0.4, {0.7, 0.7, 0.7});
    y_ = top + h + 4;
  }
  void finish_page() { footer(); }

 private:
  PdfCanvas& pdf_;
  const Report& r_;
  bool ja_;
  double y_ = kTop;
  int page_ = 1;
};

}  // namespace

Result<std::string> report_pdf(const Report& r) {
  const bool ja = r.meta.lang == "ja";
  PdfCanvas pdf((ja ? "コンプライアンス報告書 — " : "Compliance report — ") + r.meta.terminal);
  Writer w(pdf, r);
  w.line(16, ja ? "コンプライアンス報告書" : "Compliance report", true);
  w.line(11, r.meta.terminal);
  w.gap(4);
  w.line(8.5, ja ? "港湾分野における情報セキュリティ確保に係る安全ガイドライン（システム構築・運用"
                   "者編）の全項目を稼働中のシステムで確認した結果"
                 : "Port-sector information security guideline (system builders and operators "
                   "edition): every item checked on the running system");
  w.gap(4);
  w.line(8, (ja ? "作成日時: " : "Generated: ") + format_minute(r.meta.generated_us) +
                (ja ? "　作成者: " : "   by ") + r.meta.generated_by);
  w.line(8, (ja ? "報告書ID: " : "Report id: ") + r.meta.id + (ja ? "　Minato " : "   Minato ") +
                r.meta.version);
  w.line(8, (ja ? "監査チェックポイント: " : "Audit checkpoint: ") +
                std::to_string(r.meta.checkpoint.size) + " / " +
                crypto::to_hex(r.meta.checkpoint.root) + " / key " + r.meta.checkpoint.key_id);
  std::string totals;
  for (ItemStatus s : {ItemStatus::kPass, ItemStatus::kPartial, ItemStatus::kFail,
                       ItemStatus::kEvidenceNeeded, ItemStatus::kNotApplicable}) {
    auto it = r.assessment.totals.find(s);
    totals += std::string(totals.empty() ? "" : "   ") + std::string(status_text(s, ja)) + " " +
              std::to_string(it == r.assessment.totals.end() ? 0 : it->second);
  }
  w.gap(4);
  w.line(10, totals, true);
  w.line(7.5, ja ? "署名ファイル（.sig）で改変がないことと監査ログとの結び付きを確認できます: "
                   "minato compliance verify"
                 : "The signature file (.sig) proves this report unchanged and bound to the audit "
                   "log: minato compliance verify");
  std::string_view section;
  for (const auto& i : r.assessment.items) {
    if (i.item->section != section) {
      section = i.item->section;
      w.gap(8);
      w.line(11, section_label(section, ja) + " " + std::string(section_title(section, ja)), true);
      w.gap(2);
    }
    w.item(i);
  }
  w.finish_page();
  return pdf.finish(format_utc(r.meta.generated_us));
}

}  // namespace minato::app::compliance
