// `minato edi`: EDIFACT files from shipping lines. `inspect` reads a file and says what it
// holds and what is wrong with it, without importing anything.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "app/edi_inspection.h"
#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"
#include "edi/equipment.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

// A repeated BAPLIE of a few hundred MB is still read; anything larger is not an EDI file.
constexpr size_t kMaxEdiBytes = size_t{1} << 30;

std::string n(size_t count, const char* one, const char* many) {
  return counted(static_cast<int64_t>(count), one, many);
}

void print_text(const std::string& file, const edi::MappedFile& r) {
  const edi::ReadSummary& s = r.summary;
  std::printf("%s: %s, %s%s\n", file.c_str(), n(s.messages, "message", "messages").c_str(),
              n(s.segments, "segment", "segments").c_str(),
              s.complete ? "" : " (reading stopped at an error)");
  for (const auto& mm : r.messages) {
    const edi::MessageInfo& m = mm.info;
    std::printf("  %s %s %s ref %s: %s%s\n", m.type.c_str(), m.directory.c_str(),
                m.association.c_str(), m.reference.c_str(),
                n(m.segments, "segment", "segments").c_str(), m.complete ? "" : " (no UNT)");
  }
  std::printf("containers: %zu (%zu valid, %zu invalid numbers); stowage positions: %zu\n",
              r.containers, r.valid_ids, r.invalid_ids, r.positions);
  for (const auto& d : r.diagnostics.list()) {
    std::printf("%s: line %zu, segment %zu, byte %zu: %s [%s]\n",
                d.severity == edi::Diagnostic::Severity::kError ? "error" : "warning", d.line,
                d.segment, d.offset, d.message.c_str(), d.code.c_str());
  }
  if (r.diagnostics.unrecorded() > 0) {
    std::printf("... and %zu more not listed\n", r.diagnostics.unrecorded());
  }
  std::printf("%s, %s (%s)\n", n(r.diagnostics.warnings(), "warning", "warnings").c_str(),
              n(r.diagnostics.errors(), "error", "errors").c_str(),
              std::string(edi::to_string(r.diagnostics.strictness())).c_str());
}

}  // namespace

void add_edi(CLI::App& app) {
  auto* edi_cmd = app.add_subcommand("edi", "EDIFACT files exchanged with shipping lines");
  edi_cmd->require_subcommand(1);

  struct Opts {
    std::string file, strictness = "lenient", data, visit, port, sha256, reason;
    bool json = false;
    int limit = 50;
  };
  auto o = std::make_shared<Opts>();

  auto* inspect = edi_cmd->add_subcommand(
      "inspect",
      "Read an EDIFACT file and report what it holds and every deviation, without importing "
      "it; exit 65 when it has errors");
  inspect->add_option("file", o->file, "EDIFACT file")->required();
  inspect->add_flag("--json", o->json, "Print the report as JSON");
  inspect
      ->add_option("--strictness", o->strictness,
                   "lenient: deviations that are safe to read past are warnings; strict: "
                   "they are errors")
      ->check(CLI::IsMember({"lenient", "strict"}));
  inspect->callback([o] {
    auto text = read_file(o->file, kMaxEdiBytes);
    if (!text) throw CLI::RuntimeError(report(text.error()));
    edi::MappedFile r = edi::map_file(*text, *edi::parse_strictness(o->strictness));
    const edi::MappedFile& m = r;
    if (o->json) {
      std::printf("%s\n", json::serialize(app::inspection_json(o->file, text->size(), r)).c_str());
    } else {
      print_text(o->file, r);
      std::printf("an import would make %s and reject %s\n",
                  n(m.equipment.size(), "unit", "units").c_str(),
                  n(m.rejected.size(), "EQD", "EQDs").c_str());
      for (const auto& x : m.rejected) {
        std::printf("  rejected: line %zu, segment %zu: %s%s%s\n", x.line, x.segment,
                    x.container.c_str(), x.container.empty() ? "" : ": ", x.reason.c_str());
      }
    }
    if (r.diagnostics.errors() > 0) throw CLI::RuntimeError(65);  // EX_DATAERR
  });

  auto* imp = edi_cmd->add_subcommand(
      "import",
      "Take a file in (quarantine, SHA-256, type check, clamd scan, recorded) and import it in "
      "one audited transaction; the same content twice changes nothing");
  imp->add_option("file", o->file, "EDIFACT file")->required();
  imp->add_option("--data", o->data, "Data directory")->required();
  imp->add_option("--visit", o->visit, "The vessel visit a BAPLIE or COPRAR applies to");
  imp->add_option("--port", o->port,
                  "This terminal's UN/LOCODE (default: terminal.locode): a bay plan's "
                  "containers for this port join the discharge list");
  imp->add_option("--strictness", o->strictness,
                  "lenient: import what can be, list what cannot; strict: all or nothing")
      ->check(CLI::IsMember({"lenient", "strict"}));
  imp->add_flag("--json", o->json, "Print the import report as JSON");
  imp->callback([o] {
    auto text = read_file(o->file, kMaxEdiBytes);
    if (!text) throw CLI::RuntimeError(report(text.error()));
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    app::EdiImportOptions opt;
    opt.visit_id = o->visit;
    opt.port = o->port.empty() ? (*rt)->config().locode : o->port;
    opt.strictness = *edi::parse_strictness(o->strictness);
    auto actor = access::Actor::local_operator();
    auto r = (*rt)->edi().import_file(actor, o->file, std::move(*text), "cli", opt);
    if (!r) throw CLI::RuntimeError(report(r.error()));
    if (o->json) {
      std::printf("%s\n", app::response_json(*r).c_str());
      return;
    }
    for (const auto& w : r->warnings) std::printf("warning: %s\n", w.c_str());
    if (r->already_imported) {
      std::printf("%s: already imported (SHA-256 %s): nothing changed\n", o->file.c_str(),
                  r->sha256.c_str());
      return;
    }
    std::printf("%s: %s imported (intake record %lld, SHA-256 %s)\n", o->file.c_str(),
                r->kind.c_str(), static_cast<long long>(r->intake_id), r->sha256.c_str());
    std::printf(
        "  created %lld, updated %lld, rejected %lld, staying on board %lld, matching "
        "%lld, differing %lld\n",
        static_cast<long long>(r->created), static_cast<long long>(r->updated),
        static_cast<long long>(r->rejected), static_cast<long long>(r->on_board),
        static_cast<long long>(r->matches), static_cast<long long>(r->differs));
    for (const auto& l : r->lines) {
      if (l.outcome == "rejected" || l.outcome == "differs") {
        std::printf("  %s: line %zu, segment %zu: %s%s%s\n", l.outcome.c_str(), l.line, l.segment,
                    l.container.c_str(), l.container.empty() ? "" : ": ", l.detail.c_str());
      }
    }
  });

  auto* intake = edi_cmd->add_subcommand(
      "intake", "The record of files taken in: who, when, hash, type, scan verdict, signatures");
  intake->add_option("--data", o->data, "Data directory")->required();
  intake->add_option("--limit", o->limit, "How many, newest first")->check(CLI::Range(1, 1000));
  intake->add_flag("--json", o->json, "Print JSON");
  intake->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto list = (*rt)->intake().list(access::Actor::local_operator(), o->limit);
    if (!list) throw CLI::RuntimeError(report(list.error()));
    if (o->json) {
      json::array a;
      for (const auto& r : *list) a.push_back(app::to_json(r));
      std::printf("%s\n", json::serialize(a).c_str());
      return;
    }
    std::printf("%-6s %-20s %-22s %-5s %-9s %-24s %-9s %10s  %-16s %s\n", "id", "received", "by",
                "via", "verdict", "file", "type", "bytes", "sha256", "scanner / reason");
    for (const auto& r : *list) {
      std::string note = r.engine;
      if (!r.database.empty()) note += " db " + r.database;
      if (!r.signature.empty()) note += " found: " + r.signature;
      if (!r.reason.empty()) note += (note.empty() ? "" : "; ") + r.reason;
      std::printf("%-6lld %-20s %-22s %-5s %-9s %-24s %-9s %10lld  %-16s %s\n",
                  static_cast<long long>(r.id), format_utc(r.received_us).c_str(),
                  r.received_by.c_str(), r.channel.c_str(),
                  r.verdict.empty() ? "-" : r.verdict.c_str(), r.file_name.c_str(),
                  r.file_type.c_str(), static_cast<long long>(r.bytes),
                  r.sha256.substr(0, 16).c_str(), note.c_str());
    }
  });

  struct ExportOpts {
    std::string data, visit, to, out, kind, from_time, to_time;
    bool arrival = false, json = false;
  };
  auto x = std::make_shared<ExportOpts>();
  auto* exp = edi_cmd->add_subcommand(
      "export", "Write the terminal's record as EDIFACT (BAPLIE, COARRI, CODECO) for a partner");
  exp->require_subcommand(1);
  auto common = [x](CLI::App* c) {
    c->add_option("--data", x->data, "Data directory")->required();
    c->add_option("--to", x->to, "The partner's EDI id (UNB recipient)");
    c->add_option("--out", x->out, "Write to this file (0600) instead of standard output");
    c->add_flag("--json", x->json,
                "With --out: print what was written as JSON (file, bytes, SHA-256, messages)");
  };
  auto emit = [x](Result<std::string> file) {
    if (x->json && x->out.empty()) {
      throw CLI::RuntimeError(report(Error(ErrorCode::kInvalidArgument,
                                           "--json needs --out: without it the EDIFACT file "
                                           "itself is written to standard output",
                                           "out")));
    }
    if (!file) throw CLI::RuntimeError(report(file.error()));
    if (x->out.empty()) {
      std::fwrite(file->data(), 1, file->size(), stdout);
      return;
    }
    if (auto st = write_file_atomic(x->out, *file, 0600); !st) {
      throw CLI::RuntimeError(report(st.error()));
    }
    const edi::MappedFile m = edi::map_file(*file, edi::Strictness::kStrict);
    const std::string sha = crypto::to_hex(crypto::sha256(*file));
    print_result(x->json,
                 json::object{{"file", x->out},
                              {"bytes", file->size()},
                              {"sha256", sha},
                              {"messages", m.summary.messages},
                              {"containers", m.containers}},
                 x->out + ": " + std::to_string(file->size()) + " bytes, " +
                     counted(static_cast<int64_t>(m.summary.messages), "message", "messages") +
                     ", " + counted(static_cast<int64_t>(m.containers), "container", "containers") +
                     ", SHA-256 " + sha + "\n");
  };
  auto* bap = exp->add_subcommand(
      "baplie",
      "A vessel visit's bay plan: the units loaded on it (or --arrival: still on "
      "board to discharge)");
  common(bap);
  bap->add_option("--visit", x->visit, "Vessel visit")->required();
  bap->add_flag("--arrival", x->arrival, "The units on board to discharge, not those loaded");
  bap->callback([x, emit] {
    auto rt = app::Runtime::open(x->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    emit((*rt)->edi_export().baplie(access::Actor::local_operator(), x->visit, x->arrival, x->to));
  });
  auto* coa = exp->add_subcommand("coarri", "A vessel visit's discharge or load report");
  common(coa);
  coa->add_option("--visit", x->visit, "Vessel visit")->required();
  coa->add_option("--kind", x->kind, "discharge or load")
      ->required()
      ->check(CLI::IsMember({"discharge", "load"}));
  coa->callback([x, emit] {
    auto rt = app::Runtime::open(x->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    emit((*rt)->edi_export().coarri(
        access::Actor::local_operator(), x->visit,
        x->kind == "load" ? edi::ReportKind::kLoad : edi::ReportKind::kDischarge, x->to));
  });
  auto* cod = exp->add_subcommand("codeco", "Gate reports of a period (UTC)");
  common(cod);
  cod->add_option("--from", x->from_time, "Start, e.g. 2026-11-25T00:00:00Z")->required();
  cod->add_option("--until", x->to_time, "End (exclusive)")->required();
  cod->add_option("--kind", x->kind, "in or out")->required()->check(CLI::IsMember({"in", "out"}));
  cod->callback([x, emit] {
    int64_t from = 0, until = 0;
    if (!parse_utc(x->from_time, &from) || !parse_utc(x->to_time, &until) || until <= from) {
      throw CLI::RuntimeError(report(
          Error(ErrorCode::kInvalidArgument,
                "--from and --until must be UTC times like 2026-11-25T00:00:00Z, --until later")));
    }
    auto rt = app::Runtime::open(x->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    emit((*rt)->edi_export().codeco(
        access::Actor::local_operator(), from, until,
        x->kind == "out" ? edi::ReportKind::kGateOut : edi::ReportKind::kGateIn, x->to));
  });

  auto* override_cmd = edi_cmd->add_subcommand(
      "request-override",
      "Ask a security officer to let one file in unscanned while the malware scanner is down "
      "(two-person rule; used once)");
  override_cmd->add_option("--data", o->data, "Data directory")->required();
  override_cmd->add_option("--sha256", o->sha256, "The file's SHA-256, as the refusal gave it")
      ->required();
  override_cmd->add_option("--reason", o->reason, "Why it cannot wait for the scanner")->required();
  override_cmd->add_flag("--json", o->json, "Print the result as JSON");
  override_cmd->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto id = (*rt)->access().request_scan_override(access::Actor::local_operator(), o->sha256,
                                                    o->reason);
    if (!id) throw CLI::RuntimeError(report(id.error()));
    print_result(o->json,
                 json::object{{"approval", *id}, {"sha256", o->sha256}, {"status", "requested"}},
                 "scan override requested: approval " + std::to_string(*id) +
                     " (a security officer approves it)\n");
  });
}

}  // namespace minato::cli
