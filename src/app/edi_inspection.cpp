#include "app/edi_inspection.h"

#include <boost/json.hpp>

namespace minato::app {

namespace json = boost::json;

namespace {

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

json::object reader_json(const std::string& file, size_t bytes, const edi::MappedFile& r) {
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

}  // namespace

json::object inspection_json(const std::string& file, size_t bytes, const edi::MappedFile& mapped) {
  json::object out = reader_json(file, bytes, mapped);
  out["import"] = mapping_json(mapped);
  return out;
}

}  // namespace minato::app
