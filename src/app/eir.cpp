#include "app/eir.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <vector>

#include "common/pdf_canvas.h"

namespace minato::app {

namespace json = boost::json;

namespace {

struct Row {
  const char* ja;
  const char* en;
  std::string value;
};

std::string str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_double()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v->as_double());
    return buf;
  }
  if (v->is_bool()) return v->as_bool() ? "yes" : "no";
  return {};
}

const json::object& obj(const json::object& o, const char* key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->as_object() : kEmpty;
}

const json::array& arr(const json::object& o, const char* key) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->as_array() : kEmpty;
}

std::string or_none(std::string s) { return s.empty() ? "-" : s; }

// `us` in the terminal's local time, as strftime formats it.
std::string local_time(int64_t us, int offset_s, const char* format) {
  std::time_t t = static_cast<std::time_t>(us / 1'000'000 + offset_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string hhmm(int64_t us, int offset_s) { return local_time(us, offset_s, "%H:%M"); }

std::vector<Row> rows(const EirInput& in) {
  boost::system::error_code ec;
  json::value parsed = json::parse(in.gate.snapshot, ec);
  json::object u = !ec && parsed.is_object() ? parsed.as_object() : json::object{};
  const bool gate_in = in.gate.direction == terminal::GateDirection::kIn;
  std::vector<Row> r;
  r.push_back({"EIR番号", "EIR number", std::to_string(in.gate.id)});
  r.push_back({"搬出入", "Interchange", gate_in ? "GATE IN (receipt)" : "GATE OUT (delivery)"});
  r.push_back({"日時", "Date and time", format_local(in.gate.at_us, in.utc_offset_s)});
  r.push_back({"コンテナ番号", "Container", in.gate.container_id});
  std::string st = str(u, "iso_size_type");
  if (st != str(u, "size_type") && !str(u, "size_type").empty()) {
    st += " (" + str(u, "size_type") + ")";
  }
  r.push_back({"サイズ・タイプ", "Size/type", or_none(st)});
  r.push_back({"区分", "Category", or_none(str(u, "category") + " / " + str(u, "freight"))});
  r.push_back({"船社", "Line operator", or_none(str(u, "line_operator"))});
  r.push_back({"総重量", "Gross weight", or_none(str(u, "gross_kg")) + " kg"});
  const auto& vgm = obj(u, "vgm");
  r.push_back({"VGM", "VGM (SOLAS)",
               vgm.empty()
                   ? "-"
                   : str(vgm, "kg") + " kg, " + str(vgm, "method") + ", by " + str(vgm, "party")});
  std::string seals;
  for (const auto& s : arr(u, "seals")) {
    if (s.is_string()) seals += (seals.empty() ? "" : ", ") + std::string(s.as_string());
  }
  r.push_back({"シール番号", "Seals", seals.empty() ? "none" : seals});
  std::string damages;
  for (const auto& d : arr(u, "damages")) {
    if (!d.is_object()) continue;
    std::string note = str(d.as_object(), "note");
    damages += (damages.empty() ? "" : "; ") + str(d.as_object(), "code") +
               (note.empty() ? "" : " " + note);
  }
  r.push_back({"ダメージ", "Damage", damages.empty() ? "none recorded" : damages});
  std::string dgs;
  for (const auto& d : arr(u, "dangerous_goods")) {
    if (!d.is_object()) continue;
    dgs += (dgs.empty() ? "" : ", ") + std::string("UN") + str(d.as_object(), "un_number") +
           " class " + str(d.as_object(), "imdg_class");
  }
  r.push_back({"危険物", "Dangerous goods", dgs.empty() ? "none" : dgs});
  const auto& reefer = obj(u, "reefer");
  if (!reefer.empty()) {
    r.push_back({"リーファー設定温度", "Reefer set point", str(reefer, "set_point_c") + " C"});
  }
  const auto& od = obj(u, "over_dimensions");
  if (!od.empty()) {
    r.push_back({"オーバーディメンション", "Over-dimensions (cm)",
                 "front " + str(od, "front_cm") + ", back " + str(od, "back_cm") + ", left " +
                     str(od, "left_cm") + ", right " + str(od, "right_cm") + ", top " +
                     str(od, "top_cm")});
  }
  if (!str(u, "booking").empty()) r.push_back({"ブッキング番号", "Booking", str(u, "booking")});
  if (!str(u, "delivery_order").empty()) {
    r.push_back({"D/O番号", "Delivery order", str(u, "delivery_order")});
  }
  r.push_back({gate_in ? "搬入先" : "搬出元",
               gate_in ? "Yard position (to)" : "Yard position (from)",
               or_none(str(u, "position"))});
  r.push_back({"車両番号", "Truck", in.gate.truck_plate});
  std::string haulier = in.truck ? in.truck->haulier : "";
  if (haulier.empty() && in.appointment) haulier = in.appointment->haulier;
  r.push_back({"運送会社", "Haulier", or_none(haulier)});
  if (in.truck) {
    r.push_back({"到着", "Truck arrived",
                 format_local(in.truck->arrived_us, in.utc_offset_s) +
                     (in.truck->lane.empty() ? "" : ", lane " + in.truck->lane)});
  }
  if (in.appointment) {
    r.push_back({"予約", "Appointment",
                 "#" + std::to_string(in.appointment->id) + ", slot " +
                     hhmm(in.appointment->slot_start_us, in.utc_offset_s) + "-" +
                     hhmm(in.appointment->slot_end_us, in.utc_offset_s)});
  }
  r.push_back({"担当", "Terminal clerk", in.gate.actor});
  return r;
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_local(int64_t us, int offset_s) {
  std::string date = local_time(us, offset_s, "%Y-%m-%d %H:%M");
  int a = offset_s < 0 ? -offset_s : offset_s;
  char off[16];
  std::snprintf(off, sizeof off, " %c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600,
                (a % 3600) / 60);
  return date + off;
}

std::string eir_html(const EirInput& in) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>EIR " +
      std::to_string(in.gate.id) + " " + html_escape(in.gate.container_id) +
      "</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;max-width:48em}"
      "table{border-collapse:collapse;width:100%}"
      "th,td{border:1px solid #444;padding:.35em .6em;text-align:left;vertical-align:top}"
      "th{width:40%;background:#f2f2f2;font-weight:normal}"
      "th span{display:block;font-size:.8em;color:#555}"
      ".sign{display:flex;gap:2em;margin-top:3em}.sign div{flex:1;border-top:1px solid #000;"
      "padding-top:.3em}\n</style>\n</head>\n<body>\n<h1>機器受渡証 <small>Equipment "
      "Interchange Receipt</small></h1>\n<p>" +
      html_escape(in.terminal_name) + "</p>\n<table>\n";
  for (const Row& r : rows(in)) {
    h += "<tr><th>" + std::string(r.ja) + "<span>" + r.en + "</span></th><td>" +
         html_escape(r.value) + "</td></tr>\n";
  }
  h += "</table>\n<div class=\"sign\"><div>ターミナル / Terminal</div><div>運転者 / "
       "Driver</div></div>\n</body>\n</html>\n";
  return h;
}

// Laid out by Pango on cairo (common/pdf_canvas.h): Japanese labels beside the English ones,
// and a Japanese terminal name, address or damage note print as written. A long value wraps in
// its row; nothing is cut.
std::string eir_pdf(const EirInput& in) {
  PdfCanvas pdf("EIR " + std::to_string(in.gate.id) + " " + in.gate.container_id);
  const double left = 56, right = PdfCanvas::kWidth - 56, label_w = 170, top = 56;
  double y = top;
  y += pdf.text(left, y, 0, 16, "機器受渡証 EQUIPMENT INTERCHANGE RECEIPT", true);
  y += pdf.text(left, y, right - left, 11, in.terminal_name) + 12;
  const double width = right - left - label_w - 12;
  for (const Row& r : rows(in)) {
    const std::string label = std::string(r.ja) + " / " + r.en;
    const double row_h =
        8 + std::max(pdf.measure(label_w - 12, 10, label), pdf.measure(width, 10, r.value, true));
    if (y + row_h > PdfCanvas::kHeight - 140) {  // the signature lines need the foot of the page
      pdf.new_page();
      y = top;
    }
    pdf.rect(left, y, right - left, row_h);
    pdf.line(left + label_w, y, left + label_w, y + row_h);
    pdf.text(left + 6, y + 4, label_w - 12, 10, label);
    pdf.text(left + label_w + 6, y + 4, width, 10, r.value, true);
    y += row_h;
  }
  y += 60;
  pdf.line(left, y, left + 200, y);
  pdf.line(right - 200, y, right, y);
  pdf.text(left, y + 4, 0, 10, "ターミナル / Terminal");
  pdf.text(right - 200, y + 4, 0, 10, "運転者 / Driver");
  auto bytes = pdf.finish(local_time(in.gate.at_us, 0, "%Y-%m-%dT%H:%M:%SZ"));  // UTC
  return bytes ? std::move(*bytes) : std::string();
}

}  // namespace minato::app
