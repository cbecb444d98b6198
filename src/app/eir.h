// The equipment interchange receipt (EIR, 機器受渡証): what the terminal and the driver sign
// when a container changes hands at the gate — the box, its seals and damage, weights, the
// truck, the place and the time. Printed from the unit as it was at the interchange (stored
// with the gate transaction), so later edits of the unit do not change a receipt.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace minato::app {

struct EirInput {
  std::string terminal_name;
  int utc_offset_s = 0;
  store::GateRecord gate;
  std::optional<store::TruckVisitRecord> truck;
  std::optional<store::AppointmentRecord> appointment;
};

// A complete HTML page, Japanese and English labels, for printing from the browser.
std::string eir_html(const EirInput& in);
// A one-page A4 PDF (English labels; the standard PDF fonts have no Japanese).
// The PDF; empty if cairo could not write it.
std::string eir_pdf(const EirInput& in);
// "2026-11-26 18:05 +09:00"
std::string format_local(int64_t us, int utc_offset_s);

// Text made safe inside HTML elements and quoted attributes (& < > " ').
std::string html_escape(std::string_view s);

}  // namespace minato::app
