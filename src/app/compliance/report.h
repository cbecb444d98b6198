// The compliance report (issue 21): the assessment of every guideline item, in Japanese or
// English, as JSON, HTML, PDF or OSCAL assessment-results JSON — and its signature.
//
// A report is bound to the audit log. ComplianceService::report() runs the checks (recorded as
// compliance.run), records the report itself (compliance.report, target "report:<id>") and has
// a checkpoint signed at once, so the log's signed checkpoint that the report carries covers
// the event that made it. The report's bytes are then signed by the audit key in a signature
// file beside it (FILE.sig), two lines:
//
//   {"format":"minato/compliance-signature/1","report":{...}}   the statement, exactly as signed
//   <Ed25519 signature of line 1, hex>
//
// The statement names the report's format, SHA-256 and size, its id, language, time and maker,
// the compliance.report event's seq, the checkpoint (size, root, time, key id, signature), and
// the public keys of the report's and the checkpoint's signers. verify_report() checks, with
// nothing but the two files (and, to pin the signers, trusted keys): the bytes' hash, the
// statement's signature, the checkpoint's signature, that the checkpoint covers the report's
// event and was signed within kMaxCheckpointLagUs of the report's time — so a report can be
// neither edited nor back-dated unseen; with the data directory, also that the checkpoint is
// one of its log's (ComplianceService::verify_against_log).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/compliance/compliance_service.h"
#include "audit/log.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app::compliance {

inline constexpr std::string_view kReportFormat = "minato/compliance-report/1";
inline constexpr std::string_view kSignatureFormat = "minato/compliance-signature/1";
inline constexpr int64_t kMaxCheckpointLagUs = 10LL * 60 * 1'000'000;

enum class ReportFormat { kJson, kHtml, kPdf, kOscal };
std::string_view to_string(ReportFormat f);
Result<ReportFormat> parse_report_format(std::string_view s);
std::string_view content_type(ReportFormat f);

struct ReportMeta {
  std::string id;    // 16 hex characters
  std::string lang;  // "ja" | "en"
  ReportFormat format = ReportFormat::kJson;
  std::string terminal;  // server.terminal_name
  std::string origin;    // the audit log's origin
  std::string version;   // Minato's
  int64_t generated_us = 0;
  std::string generated_by;
  int64_t event_seq = 0;               // the compliance.report event
  store::CheckpointRecord checkpoint;  // covers event_seq
  std::string checkpoint_public_key;   // hex
  std::string signer_public_key;       // hex: the audit key that signs the report
};

struct Report {
  ReportMeta meta;
  Assessment assessment;
};

// Renderers: pure functions of the report.
std::string report_json(const Report& r);
std::string report_html(const Report& r);
std::string report_oscal(const Report& r);
Result<std::string> report_pdf(const Report& r);
Result<std::string> render(const Report& r);  // by r.meta.format

// The signature file of `bytes`.
std::string sign_report(std::string_view bytes, const ReportMeta& meta,
                        const crypto::SigningKey& key);

struct ReportCheck {
  ReportMeta meta;
  std::string sha256;   // hex, of the report's bytes
  bool pinned = false;  // both signers among the trusted keys given
};

// See above. With `trusted` empty, the statement's own keys are used and `pinned` is false.
Result<ReportCheck> verify_report(std::string_view bytes, std::string_view signature_file,
                                  const audit::TrustedKeys& trusted);

// Texts the renderers share.
std::string_view status_text(ItemStatus s, bool ja);
std::string format_minute(int64_t us);  // "2026-12-08 10:00 UTC"

}  // namespace minato::app::compliance
