// `minato edi`: EDIFACT files from shipping lines. `inspect` reads a file and says what it
// holds and what is wrong with it, without importing anything.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "cli/cli.h"
#include "common/files.h"
#include "edi/equipment.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

// A repeated BAPLIE of a few hundred MB is still read; anything larger is not an EDI file.
constexpr size_t kMaxEdiBytes = size_t{1} << 30;

json::object diagnostic_json(const edi::Diagnostic& d) {
  return json::object{{"code", d.code},
                      {"message", d.message},
                      {"offset", d.offset},
                      {"segment", d.segment},
                      {"line", d.line}};
}

// What an import would make of the file: containers that can become units, and the EQDs
// that cannot, each with its reason and place.
json::object mapping_json(const edi::MappedFile& m) {
  json::array rejected;
  for (const auto& x : m.rejected) {
    rejected.push_back(json::object{{"container", x.container},
                                    {"reason", x.reason},
                                    {"segment", x.segment},
                                    {"offset", x.offset},
                                    {"line", x.line}});
  }
  json::object kinds;
  for (const auto& msg : m.messages) {
    std::string k(edi::to_string(msg.kind));
    kinds[k] = (kinds.contains(k) ? kinds[k].as_int64() : 0) + 1;
  }
  return json::object{{"message_kinds", kinds},
                      {"units", m.equipment.size()},
                      {"rejected_count", m.rejected.size()},
                      {"rejected", rejected}};
}

json::object report_json(const std::string& file, size_t bytes, const edi::MappedFile& r) {
  const edi::ReadSummary& s = r.summary;
  json::array warnings, errors, messages;
  for (const auto& d : r.diagnostics.list()) {
    (d.severity == edi::Diagnostic::Severity::kError ? errors : warnings)
        .push_back(diagnostic_json(d));
  }
  for (const auto& mm : r.messages) {
    const edi::MessageInfo& m = mm.info;
    const edi::VesselCall& c = mm.call;
    messages.push_back(json::object{{"reference", m.reference},
                                    {"type", m.type},
                                    {"directory", m.directory},
                                    {"association", m.association},
                                    {"segment", m.segment},
                                    {"segments", m.segments},
                                    {"complete", m.complete},
                                    {"document_code", c.document_code},
                                    {"voyage", c.voyage},
                                    {"vessel_id", c.vessel_id},
                                    {"vessel_name", c.vessel_name},
                                    {"units", mm.equipment},
                                    {"rejected", mm.rejected}});
  }
  json::object sep{
      {"component", std::string(1, s.separators.component)},
      {"element", std::string(1, s.separators.element)},
      {"decimal", std::string(1, s.separators.decimal)},
      {"release", s.separators.has_release ? std::string(1, s.separators.release) : std::string()},
      {"segment", std::string(1, s.separators.segment)},
      {"from_una", s.una}};
  json::object interchange{{"present", s.header.present},
                           {"syntax_identifier", s.header.syntax_id},
                           {"syntax_version", s.header.syntax_version},
                           {"sender", s.header.sender},
                           {"recipient", s.header.recipient},
                           {"prepared", s.header.prepared},
                           {"control_reference", s.header.control_reference}};
  return json::object{{"file", file},
                      {"bytes", bytes},
                      {"strictness", std::string(edi::to_string(r.diagnostics.strictness()))},
                      {"read_to_end", s.complete},
                      {"separators", sep},
                      {"interchange", interchange},
                      {"interchanges", s.interchanges},
                      {"groups", s.groups},
                      {"messages", s.messages},
                      {"message_list", messages},
                      {"segments", s.segments},
                      {"containers", r.containers},
                      {"valid_ids", r.valid_ids},
                      {"invalid_ids", r.invalid_ids},
                      {"positions", r.positions},
                      {"warning_count", r.diagnostics.warnings()},
                      {"error_count", r.diagnostics.errors()},
                      {"unlisted", r.diagnostics.unrecorded()},
                      {"warnings", warnings},
                      {"errors", errors}};
}

void print_text(const std::string& file, const edi::MappedFile& r) {
  const edi::ReadSummary& s = r.summary;
  std::printf("%s: %zu message(s), %zu segments%s\n", file.c_str(), s.messages, s.segments,
              s.complete ? "" : " (reading stopped at an error)");
  for (const auto& mm : r.messages) {
    const edi::MessageInfo& m = mm.info;
    std::printf("  %s %s %s ref %s: %zu segments%s\n", m.type.c_str(), m.directory.c_str(),
                m.association.c_str(), m.reference.c_str(), m.segments,
                m.complete ? "" : " (no UNT)");
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
  std::printf("%zu warning(s), %zu error(s) (%s)\n", r.diagnostics.warnings(),
              r.diagnostics.errors(),
              std::string(edi::to_string(r.diagnostics.strictness())).c_str());
}

}  // namespace

void add_edi(CLI::App& app) {
  auto* edi_cmd = app.add_subcommand("edi", "EDIFACT files exchanged with shipping lines");
  edi_cmd->require_subcommand(1);

  struct Opts {
    std::string file, strictness = "lenient";
    bool json = false;
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
      json::object out = report_json(o->file, text->size(), r);
      out["import"] = mapping_json(m);
      std::printf("%s\n", json::serialize(out).c_str());
    } else {
      print_text(o->file, r);
      std::printf("an import would make %zu unit(s) and reject %zu EQD(s)\n", m.equipment.size(),
                  m.rejected.size());
      for (const auto& x : m.rejected) {
        std::printf("  rejected: line %zu, segment %zu: %s%s%s\n", x.line, x.segment,
                    x.container.c_str(), x.container.empty() ? "" : ": ", x.reason.c_str());
      }
    }
    if (r.diagnostics.errors() > 0) throw CLI::RuntimeError(65);  // EX_DATAERR
  });
}

}  // namespace minato::cli
