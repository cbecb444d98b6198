// `minato compliance`: the compliance register of the port-sector guideline at the server's
// console — the live check of every item, the signed report, its verification, and the evidence
// of organisational measures (app/compliance/).
//
//   minato compliance check --data DIR [--json]
//   minato compliance report --data DIR --lang ja|en --format html|pdf|json|oscal --out FILE
//   minato compliance verify FILE [--signature FILE.sig] [--data DIR | --trusted-key HEX...]
//   minato compliance evidence add --data DIR --item ID --title T --owner O --dated DATE
//                                  --review-by DATE [--file F]... [--note N] [--not-applicable]
//   minato compliance evidence list --data DIR [--withdrawn]
//   minato compliance evidence withdraw ID --data DIR --reason R
//
// Exit codes: `check` exits 0 when no item fails, 1 when one does (for monitoring scripts);
// `verify` exits 0 only for a report that verifies (and, with --data, is this log's).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>

#include "app/compliance/report_service.h"
#include "app/runtime.h"
#include "audit/event.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"

namespace minato::cli {

namespace json = boost::json;
namespace cp = app::compliance;

namespace {

json::object item_json(const cp::ItemResult& i) {
  json::object values;
  for (const auto& v : i.values) values[v.name] = v.value;
  return {{"id", i.item->id},
          {"status", cp::to_string(i.status)},
          {"product_status", cp::to_string(i.product)},
          {"law", i.item->law},
          {"kind", cp::to_string(i.item->kind)},
          {"reason", i.reason.en},
          {"values", std::move(values)},
          {"evidence", static_cast<int64_t>(i.evidence.size())},
          {"since", format_utc(i.since_us)}};
}

}  // namespace

void add_compliance(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compliance",
      "The port-sector guideline, item by item: live checks, the signed report, evidence of "
      "organisational measures");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, lang = "ja", format = "html", out, file, signature, item, title, owner, dated,
                      review_by, note, reason;
    std::vector<std::string> files, trusted;
    bool json = false, not_applicable = false, withdrawn = false;
    int64_t id = 0;
  };
  auto o = std::make_shared<Opts>();

  auto* check = cmd->add_subcommand(
      "check", "Check every item now (recorded; an item that stops passing alerts security staff)");
  check->add_option("--data", o->data, "Data directory")->required();
  check->add_flag("--json", o->json, "Print the result as JSON");
  check->callback([o] {
    auto rt = open_runtime(o->data);
    auto a = rt->compliance().run(access::Actor::local_operator());
    if (!a) die(a.error());
    json::array items;
    std::string text;
    for (const auto& i : a->items) {
      items.push_back(item_json(i));
      char line[64];
      std::snprintf(line, sizeof line, "%-10s %-16s ", std::string(i.item->id).c_str(),
                    std::string(cp::to_string(i.status)).c_str());
      text += line + i.reason.en + "\n";
    }
    json::object totals;
    std::string sum;
    for (const auto& [s, n] : a->totals) {
      totals[cp::to_string(s)] = n;
      sum += (sum.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(cp::to_string(s));
    }
    json::array changes;
    for (const auto& c : a->changes) {
      changes.push_back(json::object{{"item", c.item},
                                     {"from", c.from},
                                     {"to", c.to},
                                     {"cause_seq", c.cause_seq},
                                     {"cause", c.cause}});
      if (!c.from.empty()) {
        text += "changed: " + c.item + " " + c.from + " -> " + c.to +
                (c.cause.empty() ? ""
                                 : " (after audit event " + std::to_string(c.cause_seq) + ": " +
                                       c.cause + ")") +
                "\n";
      }
    }
    print_result(o->json,
                 {{"items", std::move(items)},
                  {"totals", std::move(totals)},
                  {"changes", std::move(changes)}},
                 text + sum + "\n");
    auto fails = a->totals.find(cp::ItemStatus::kFail);
    if (fails != a->totals.end() && fails->second > 0) throw CLI::RuntimeError(1);
  });

  auto* rep = cmd->add_subcommand(
      "report", "Write the signed report (FILE and FILE.sig), bound to the audit log's checkpoint");
  rep->add_option("--data", o->data, "Data directory")->required();
  rep->add_option("--lang", o->lang, "ja or en")->capture_default_str();
  rep->add_option("--format", o->format, "html, pdf, json or oscal")->capture_default_str();
  rep->add_option("--out", o->out, "The report file to write (must not exist)")->required();
  rep->add_flag("--json", o->json, "Print the result as JSON");
  rep->callback([o] {
    auto format = cp::parse_report_format(o->format);
    if (!format) die(format.error());
    std::error_code ec;
    if (std::filesystem::exists(o->out, ec) || std::filesystem::exists(o->out + ".sig", ec)) {
      die(Error(ErrorCode::kAlreadyExists, o->out + " or its .sig exists already", "out"));
    }
    auto rt = open_runtime(o->data);
    auto r = cp::ReportService(*rt).make(access::Actor::local_operator(), o->lang, *format);
    if (!r) die(r.error());
    if (auto st = write_file_atomic(o->out, r->bytes, 0640); !st) die(st.error());
    if (auto st = write_file_atomic(o->out + ".sig", r->signature, 0640); !st) {
      std::filesystem::remove(o->out, ec);  // a report is never left without its signature
      die(st.error());
    }
    const auto& m = r->report.meta;
    json::object totals;
    for (const auto& [s, n] : r->report.assessment.totals) totals[cp::to_string(s)] = n;
    print_result(o->json,
                 {{"report", o->out},
                  {"signature", o->out + ".sig"},
                  {"id", m.id},
                  {"event_seq", m.event_seq},
                  {"checkpoint", m.checkpoint.size},
                  {"bytes", static_cast<int64_t>(r->bytes.size())},
                  {"totals", totals}},
                 "Wrote " + o->out + " (" + std::to_string(r->bytes.size()) + " bytes) and " +
                     o->out + ".sig: report " + m.id + ", audit event " +
                     std::to_string(m.event_seq) + ", checkpoint " +
                     std::to_string(m.checkpoint.size) + "\n");
  });

  auto* ver = cmd->add_subcommand(
      "verify", "Check a report against its signature (and, with --data, against this log)");
  ver->add_option("file", o->file, "The report")->required();
  ver->add_option("--signature", o->signature, "Its signature file (default: FILE.sig)");
  ver->add_option("--data", o->data,
                  "The data directory: trust its audit keys and check the report's checkpoint "
                  "is its log's");
  ver->add_option("--trusted-key", o->trusted, "An audit public key (hex) to trust");
  ver->add_flag("--json", o->json, "Print the result as JSON");
  ver->callback([o] {
    auto bytes = read_file(o->file, 256u << 20);
    if (!bytes) die(bytes.error());
    auto sig = read_file(o->signature.empty() ? o->file + ".sig" : o->signature, 1 << 20);
    if (!sig) die(sig.error());
    audit::TrustedKeys trusted;
    for (const auto& hex : o->trusted) {
      auto pub = crypto::from_hex(hex);
      if (!pub || pub->size() != 32) {
        die(Error(ErrorCode::kInvalidArgument, "--trusted-key must be 64 hex digits",
                  "trusted-key"));
      }
      trusted[audit::key_id_of(*pub)] = *pub;
    }
    std::unique_ptr<app::Runtime> rt;
    if (!o->data.empty()) {
      rt = open_runtime(o->data);
      auto keys = rt->trusted_audit_keys();
      if (!keys) die(keys.error());
      trusted.insert(keys->begin(), keys->end());
    }
    auto c = cp::verify_report(*bytes, *sig, trusted);
    if (!c) die(c.error());
    if (rt) {
      if (auto st = cp::ReportService(*rt).check_bound(c->meta); !st) die(st.error());
    }
    const auto& m = c->meta;
    print_result(o->json,
                 {{"ok", true},
                  {"id", m.id},
                  {"format", cp::to_string(m.format)},
                  {"lang", m.lang},
                  {"generated", format_utc(m.generated_us)},
                  {"generated_by", m.generated_by},
                  {"event_seq", m.event_seq},
                  {"checkpoint", m.checkpoint.size},
                  {"pinned", c->pinned},
                  {"in_log", rt != nullptr},
                  {"sha256", c->sha256}},
                 "OK: report " + m.id + " (" + std::string(cp::to_string(m.format)) + ", " +
                     m.lang + ") made " + format_utc(m.generated_us) + " by " + m.generated_by +
                     ", unchanged; bound to audit checkpoint " + std::to_string(m.checkpoint.size) +
                     " covering its event " + std::to_string(m.event_seq) +
                     (rt ? ", which is this log's" : "") +
                     (c->pinned ? "" : "; signers not pinned (give --data or --trusted-key)") +
                     "\n");
  });

  auto* ev = cmd->add_subcommand("evidence", "Evidence of organisational measures per item");
  ev->require_subcommand(1);
  auto* add = ev->add_subcommand(
      "add", "Record evidence for an item; each --file goes through the media intake first");
  add->add_option("--data", o->data, "Data directory")->required();
  add->add_option("--item", o->item, "The guideline ID (G1.1, G2.5-b, ...)")->required();
  add->add_option("--title", o->title, "What the evidence is")->required();
  add->add_option("--owner", o->owner, "Who is responsible for the measure")->required();
  add->add_option("--dated", o->dated, "Its date, YYYY-MM-DD")->required();
  add->add_option("--review-by", o->review_by, "When it must be reviewed, YYYY-MM-DD")->required();
  add->add_option("--file", o->files, "A file to attach (PDF without active content, image, text)");
  add->add_option("--note", o->note, "A note");
  add->add_flag("--not-applicable", o->not_applicable,
                "Record why the item does not apply here (the title says why)");
  add->add_flag("--json", o->json, "Print the result as JSON");
  add->callback([o] {
    cp::EvidenceInput in;
    in.item = o->item;
    in.kind = o->not_applicable ? "not_applicable" : "evidence";
    in.title = o->title;
    in.owner = o->owner;
    in.dated = o->dated;
    in.review_by = o->review_by;
    in.note = o->note;
    for (const auto& path : o->files) {
      auto data = read_file(path, 256u << 20);
      if (!data) die(data.error());
      in.files.push_back({std::filesystem::path(path).filename().string(), std::move(*data)});
    }
    auto rt = open_runtime(o->data);
    auto e = rt->compliance().add_evidence(access::Actor::local_operator(), in);
    if (!e) die(e.error());
    print_result(o->json, cp::to_json(*e),
                 "Recorded evidence " + std::to_string(e->record.id) + " for " + e->record.item +
                     " (review by " + e->record.review_by + ")\n");
  });
  auto* list = ev->add_subcommand("list", "The evidence in force (and withdrawn, if asked)");
  list->add_option("--data", o->data, "Data directory")->required();
  list->add_flag("--withdrawn", o->withdrawn, "Include withdrawn evidence");
  list->add_flag("--json", o->json, "Print the result as JSON");
  list->callback([o] {
    auto rt = open_runtime(o->data);
    auto all = rt->compliance().evidence(access::Actor::local_operator(), o->withdrawn);
    if (!all) die(all.error());
    json::array out;
    std::string text;
    for (const auto& e : *all) {
      out.push_back(cp::to_json(e));
      text += std::to_string(e.record.id) + "  " + e.record.item + "  " + e.record.title + " (" +
              e.record.owner + ", review by " + e.record.review_by +
              (e.record.withdrawn_us ? ", withdrawn"
               : e.current           ? ""
                                     : ", past review") +
              ")\n";
    }
    print_result(o->json, {{"evidence", std::move(out)}}, text.empty() ? "No evidence.\n" : text);
  });
  auto* wd = ev->add_subcommand("withdraw", "Withdraw evidence (it stays on record, marked)");
  wd->add_option("id", o->id, "The evidence's id")->required();
  wd->add_option("--data", o->data, "Data directory")->required();
  wd->add_option("--reason", o->reason, "Why")->required();
  wd->add_flag("--json", o->json, "Print the result as JSON");
  wd->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st =
            rt->compliance().withdraw_evidence(access::Actor::local_operator(), o->id, o->reason);
        !st) {
      die(st.error());
    }
    print_result(o->json, {{"withdrawn", o->id}},
                 "Withdrew evidence " + std::to_string(o->id) + "\n");
  });
}

}  // namespace minato::cli
