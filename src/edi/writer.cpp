#include "edi/writer.h"

#include "common/clock.h"

namespace minato::edi {
namespace {

// UTF-8 to ISO 8859-1 (UNOC); what it cannot hold becomes '?', control characters a space.
std::string latin1(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < s.size()) {
      auto d = static_cast<unsigned char>(s[i + 1]);
      unsigned v = ((c & 0x1fu) << 6) | (d & 0x3fu);
      out += v >= 0xa0 ? static_cast<char>(v) : '?';
      ++i;
    } else {
      out += '?';
      while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xc0) == 0x80) ++i;
    }
  }
  return out;
}

class Message {
 public:
  void seg(std::string s) {
    body_ += s + "'\n";
    ++count_;
  }
  size_t count() const { return count_; }
  const std::string& body() const { return body_; }

 private:
  std::string body_;
  size_t count_ = 0;
};

std::string v(std::string_view s) { return escape(latin1(s)); }

void header(Message& m, const std::string& type, const std::string& association,
            const std::string& document_code, const Interchange& ic, const VesselCall& call) {
  m.seg("UNH+1+" + type + ":D:95B:UN" + (association.empty() ? "" : ":" + association));
  m.seg("BGM+" + v(document_code) + "+" + v(call.document.empty() ? ic.reference : call.document) +
        "+9");
  m.seg("DTM+137:" + format_utc(ic.prepared_us, "%Y%m%d%H%M") + ":203");
  m.seg("TDT+20+" + v(call.voyage) + "+++" + v(call.carrier) + ":172:20+++" + v(call.vessel_id) +
        ":" + v(call.vessel_id_kind.empty() ? "103" : call.vessel_id_kind) +
        "::" + v(call.vessel_name));
}

std::string envelope(const Interchange& ic, const Message& m) {
  std::string out = "UNB+UNOC:3+" + v(ic.sender) + "+" + v(ic.recipient) + "+" +
                    format_utc(ic.prepared_us, "%y%m%d:%H%M") + "+" + v(ic.reference) + "'\n";
  out += m.body();
  out += "UNT+" + std::to_string(m.count() + 1) + "+1'\n";
  out += "UNZ+1+" + v(ic.reference) + "'\n";
  return out;
}

void weights(Message& m, const Equipment& e, const char* gross_qualifier) {
  if (e.gross_kg) {
    m.seg(std::string(gross_qualifier) + "+KGM:" + std::to_string(*e.gross_kg));
  }
  if (e.vgm_kg) m.seg("MEA+AAE+VGM+KGM:" + std::to_string(*e.vgm_kg));
}

std::string tenths(int dc) {
  std::string sign = dc < 0 ? "-" : "";
  int a = dc < 0 ? -dc : dc;
  return sign + std::to_string(a / 10) + "." + std::to_string(a % 10);
}

void cargo(Message& m, const Equipment& e) {
  if (e.set_point_dc) m.seg("TMP+2+" + tenths(*e.set_point_dc) + ":CEL");
  for (const auto& s : e.seals) m.seg("SEL+" + v(s) + "+CA");
  for (const auto& dg : e.dangerous_goods) {
    m.seg("DGS+IMD+" + v(dg.imdg_class) + "+" + v(dg.un_number));
  }
}

std::string equipment(const Equipment& e) {
  return "EQD+CN+" + v(e.container) + "+" + v(e.size_type) + ":102:5++" +
         v(e.status.empty() ? std::string("3") : e.status) + "+" + (e.full ? "5" : "4");
}

}  // namespace

std::string escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '?' || c == '\'' || c == '+' || c == ':') out += '?';
    out += c;
  }
  return out;
}

std::string write_baplie(const Interchange& ic, const VesselCall& call,
                         const std::vector<Equipment>& units) {
  Message m;
  header(m, "BAPLIE", "SMDG22", "", ic, call);
  if (!call.place.empty()) m.seg("LOC+5+" + v(call.place) + ":139:6");
  if (!call.next_port.empty()) m.seg("LOC+61+" + v(call.next_port) + ":139:6");
  for (const Equipment& e : units) {
    if (e.stowage.empty()) continue;
    m.seg("LOC+147+" + v(e.stowage) + "::5");
    weights(m, e, "MEA+WT+");
    if (!e.load_port.empty()) m.seg("LOC+9+" + v(e.load_port) + ":139:6");
    if (!e.discharge_port.empty()) m.seg("LOC+11+" + v(e.discharge_port) + ":139:6");
    if (!e.destination.empty()) m.seg("LOC+83+" + v(e.destination) + ":139:6");
    if (!e.bill_of_lading.empty()) m.seg("RFF+BM:" + v(e.bill_of_lading));
    if (!e.booking.empty()) m.seg("RFF+BN:" + v(e.booking));
    m.seg(equipment(e));
    if (!e.operator_code.empty()) m.seg("NAD+CA+" + v(e.operator_code) + ":172:20");
    cargo(m, e);
  }
  return envelope(ic, m);
}

std::string write_report(const Interchange& ic, const VesselCall& call, ReportKind kind,
                         const std::vector<Equipment>& units) {
  Message m;
  const bool gate = kind == ReportKind::kGateIn || kind == ReportKind::kGateOut;
  const char* code = kind == ReportKind::kDischarge ? "44"
                     : kind == ReportKind::kLoad    ? "46"
                     : kind == ReportKind::kGateIn  ? "34"
                                                    : "36";
  header(m, gate ? "CODECO" : "COARRI", "ITG14", code, ic, call);
  if (!call.place.empty()) {
    m.seg(std::string(kind == ReportKind::kLoad ? "LOC+9+" : "LOC+11+") + v(call.place) + ":139:6");
  }
  for (const Equipment& e : units) {
    m.seg(equipment(e));
    if (!e.booking.empty()) m.seg("RFF+BN:" + v(e.booking));
    if (!e.bill_of_lading.empty()) m.seg("RFF+BM:" + v(e.bill_of_lading));
    if (!e.event_time.empty()) {
      m.seg(std::string(gate ? "DTM+7:" : "DTM+203:") + v(e.event_time) + ":203");
    }
    if (!e.load_port.empty()) m.seg("LOC+9+" + v(e.load_port) + ":139:6");
    if (!e.discharge_port.empty()) m.seg("LOC+11+" + v(e.discharge_port) + ":139:6");
    if (!gate && !e.stowage.empty()) m.seg("LOC+147+" + v(e.stowage) + "::5");
    weights(m, e, "MEA+AAE+G");
    cargo(m, e);
    if (!e.operator_code.empty()) m.seg("NAD+CF+" + v(e.operator_code) + ":160:20");
  }
  m.seg("CNT+16:" + std::to_string(units.size()));
  return envelope(ic, m);
}

}  // namespace minato::edi
