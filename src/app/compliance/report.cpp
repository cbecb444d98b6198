#include "app/compliance/report.h"

#include <boost/json.hpp>

#include "audit/event.h"
#include "common/clock.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace minato::app::compliance {
namespace json = boost::json;

std::string_view to_string(ReportFormat f) {
  switch (f) {
    case ReportFormat::kJson:
      return "json";
    case ReportFormat::kHtml:
      return "html";
    case ReportFormat::kPdf:
      return "pdf";
    case ReportFormat::kOscal:
      return "oscal";
  }
  return "json";
}

Result<ReportFormat> parse_report_format(std::string_view s) {
  for (auto f :
       {ReportFormat::kJson, ReportFormat::kHtml, ReportFormat::kPdf, ReportFormat::kOscal}) {
    if (to_string(f) == s) return f;
  }
  return fail(ErrorCode::kInvalidArgument,
              "format must be json, html, pdf or oscal, not '" + std::string(s.substr(0, 20)) + "'",
              "format");
}

std::string_view content_type(ReportFormat f) {
  switch (f) {
    case ReportFormat::kHtml:
      return "text/html; charset=utf-8";
    case ReportFormat::kPdf:
      return "application/pdf";
    default:
      return "application/json";
  }
}

std::string_view status_text(ItemStatus s, bool ja) {
  switch (s) {
    case ItemStatus::kPass:
      return ja ? "適合" : "pass";
    case ItemStatus::kPartial:
      return ja ? "一部適合" : "partial";
    case ItemStatus::kFail:
      return ja ? "不適合" : "fail";
    case ItemStatus::kEvidenceNeeded:
      return ja ? "証跡未登録" : "evidence needed";
    case ItemStatus::kNotApplicable:
      return ja ? "対象外" : "not applicable";
  }
  return "";
}

std::string format_minute(int64_t us) { return format_utc(us, "%Y-%m-%d %H:%M UTC"); }

namespace {

json::object checkpoint_object(const store::CheckpointRecord& c) {
  return {{"size", c.size},
          {"root", crypto::to_hex(c.root)},
          {"at_us", c.at_us},
          {"key_id", c.key_id},
          {"signature", crypto::to_hex(c.signature)}};
}

json::object meta_object(const ReportMeta& m) {
  return {{"id", m.id},
          {"lang", m.lang},
          {"terminal", m.terminal},
          {"origin", m.origin},
          {"minato_version", m.version},
          {"generated_us", m.generated_us},
          {"generated", format_utc(m.generated_us)},
          {"generated_by", m.generated_by},
          {"event_seq", m.event_seq},
          {"checkpoint", checkpoint_object(m.checkpoint)}};
}

}  // namespace

std::string report_json(const Report& r) {
  const bool ja = r.meta.lang == "ja";
  json::object totals;
  for (ItemStatus s : {ItemStatus::kPass, ItemStatus::kPartial, ItemStatus::kFail,
                       ItemStatus::kEvidenceNeeded, ItemStatus::kNotApplicable}) {
    auto it = r.assessment.totals.find(s);
    totals[to_string(s)] = it == r.assessment.totals.end() ? 0 : it->second;
  }
  json::array items;
  for (const auto& i : r.assessment.items) {
    json::object values;
    for (const auto& v : i.values) values[v.name] = v.value;
    json::array evidence;
    for (const auto& e : i.evidence) evidence.push_back(to_json(e));
    items.push_back(json::object{{"id", i.item->id},
                                 {"section", i.item->section},
                                 {"section_title", section_title(i.item->section, ja)},
                                 {"law", i.item->law},
                                 {"law_text", law_text(i.item->law, ja)},
                                 {"kind", to_string(i.item->kind)},
                                 {"summary", ja ? i.item->summary_ja : i.item->summary_en},
                                 {"status", to_string(i.status)},
                                 {"product_status", to_string(i.product)},
                                 {"reason", ja ? i.reason.ja : i.reason.en},
                                 {"values", std::move(values)},
                                 {"evidence", std::move(evidence)},
                                 {"since_us", i.since_us},
                                 {"since", format_utc(i.since_us)}});
  }
  json::object doc{
      {"format", kReportFormat},
      {"report", meta_object(r.meta)},
      {"guideline",
       ja ? "港湾分野における情報セキュリティ確保に係る安全ガイドライン（システム構築・運用者編）"
          : "Port-sector information security guideline (system builders and "
            "operators edition)"},
      {"totals", std::move(totals)},
      {"items", std::move(items)}};
  return json::serialize(doc) + "\n";
}

Result<std::string> render(const Report& r) {
  switch (r.meta.format) {
    case ReportFormat::kJson:
      return report_json(r);
    case ReportFormat::kHtml:
      return report_html(r);
    case ReportFormat::kOscal:
      return report_oscal(r);
    case ReportFormat::kPdf:
      return report_pdf(r);
  }
  return report_json(r);
}

std::string sign_report(std::string_view bytes, const ReportMeta& meta,
                        const crypto::SigningKey& key) {
  json::object statement = meta_object(meta);
  statement["report_format"] = to_string(meta.format);
  statement["sha256"] = crypto::to_hex(crypto::sha256(bytes));
  statement["bytes"] = static_cast<int64_t>(bytes.size());
  statement["signer_public_key"] = crypto::to_hex(key.public_key());
  statement["checkpoint_public_key"] = meta.checkpoint_public_key;
  const std::string line =
      json::serialize(json::object{{"format", kSignatureFormat}, {"report", std::move(statement)}});
  return line + "\n" + crypto::to_hex(key.sign(line)) + "\n";
}

Result<ReportCheck> verify_report(std::string_view bytes, std::string_view sig_file,
                                  const audit::TrustedKeys& trusted) {
  auto bad = [](const std::string& why) {
    return fail(ErrorCode::kDataLoss, "the report does not verify: " + why);
  };
  const size_t nl = sig_file.find('\n');
  if (nl == std::string_view::npos) return bad("the signature file has no statement line");
  const std::string_view line = sig_file.substr(0, nl);
  std::string_view sig_hex = sig_file.substr(nl + 1);
  while (!sig_hex.empty() && (sig_hex.back() == '\n' || sig_hex.back() == '\r')) {
    sig_hex.remove_suffix(1);
  }
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) return bad("the statement is not JSON");
  const auto& o = v.as_object();
  if (!o.contains("format") || o.at("format") != json::value(kSignatureFormat)) {
    return bad("the signature file is not a " + std::string(kSignatureFormat) + " statement");
  }
  if (!o.contains("report") || !o.at("report").is_object()) return bad("the statement is empty");
  const auto& s = o.at("report").as_object();
  auto str = [&](const json::object& x, std::string_view k) -> std::string {
    auto* p = x.if_contains(k);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  auto num = [&](const json::object& x, std::string_view k) -> int64_t {
    auto* p = x.if_contains(k);
    return p && p->is_int64() ? p->as_int64() : 0;
  };
  ReportCheck out;
  auto& m = out.meta;
  m.id = str(s, "id");
  m.lang = str(s, "lang");
  m.terminal = str(s, "terminal");
  m.origin = str(s, "origin");
  m.version = str(s, "minato_version");
  m.generated_us = num(s, "generated_us");
  m.generated_by = str(s, "generated_by");
  m.event_seq = num(s, "event_seq");
  m.signer_public_key = str(s, "signer_public_key");
  m.checkpoint_public_key = str(s, "checkpoint_public_key");
  auto fmt = parse_report_format(str(s, "report_format"));
  if (!fmt) return bad("unknown report format");
  m.format = *fmt;
  const auto* cp = s.if_contains("checkpoint");
  if (!cp || !cp->is_object()) return bad("the statement has no checkpoint");
  m.checkpoint.size = num(cp->as_object(), "size");
  m.checkpoint.at_us = num(cp->as_object(), "at_us");
  m.checkpoint.key_id = str(cp->as_object(), "key_id");
  auto root = crypto::from_hex(str(cp->as_object(), "root"));
  auto cp_sig = crypto::from_hex(str(cp->as_object(), "signature"));
  if (!root || !cp_sig) return bad("the checkpoint's root or signature is not hex");
  m.checkpoint.root = *root;
  m.checkpoint.signature = *cp_sig;

  // 1. The bytes are the ones signed.
  out.sha256 = crypto::to_hex(crypto::sha256(bytes));
  if (out.sha256 != str(s, "sha256") || static_cast<int64_t>(bytes.size()) != num(s, "bytes")) {
    return bad("the report's content differs from what was signed (SHA-256 " +
               out.sha256.substr(0, 16) + "…, signed " + str(s, "sha256").substr(0, 16) + "…)");
  }
  // 2. The statement's signature, by the signer it names (pinned when trusted).
  auto signer = crypto::from_hex(m.signer_public_key);
  auto sig = crypto::from_hex(sig_hex);
  if (!signer || signer->size() != 32 || !sig) return bad("the signature is not readable");
  if (!crypto::SigningKey::verify(*signer, line, *sig)) {
    return bad("the signature of the statement is wrong (the signature file was changed)");
  }
  // 3. The checkpoint's signature.
  auto cp_key = crypto::from_hex(m.checkpoint_public_key);
  if (!cp_key || cp_key->size() != 32 || audit::key_id_of(*cp_key) != m.checkpoint.key_id) {
    return bad("the checkpoint's key does not match its key id");
  }
  if (!audit::checkpoint_signature_ok(m.origin, m.checkpoint, *cp_key)) {
    return bad("the audit checkpoint's signature is wrong");
  }
  // 4. The checkpoint covers the report's own event and was signed when the report was made.
  if (m.event_seq <= 0 || m.event_seq > m.checkpoint.size) {
    return bad("the checkpoint (size " + std::to_string(m.checkpoint.size) +
               ") does not cover the report's event " + std::to_string(m.event_seq));
  }
  if (m.checkpoint.at_us + kMaxCheckpointLagUs < m.generated_us ||
      m.generated_us + kMaxCheckpointLagUs < m.checkpoint.at_us) {
    return bad("the report's time (" + format_utc(m.generated_us) +
               ") is not the time of its checkpoint (" + format_utc(m.checkpoint.at_us) + ")");
  }
  if (!trusted.empty()) {
    auto a = trusted.find(audit::key_id_of(*signer));
    auto b = trusted.find(m.checkpoint.key_id);
    if (a == trusted.end() || a->second != *signer) {
      return bad("the report is signed by key " + audit::key_id_of(*signer) +
                 ", which is not trusted");
    }
    if (b == trusted.end() || b->second != *cp_key) {
      return bad("the checkpoint is signed by key " + m.checkpoint.key_id +
                 ", which is not trusted");
    }
    out.pinned = true;
  }
  return out;
}

}  // namespace minato::app::compliance
