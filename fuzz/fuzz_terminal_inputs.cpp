// Terminal inputs that come from outside or from stored rows (issue 5): a layout file or body,
// the stored unit description and holds (a corrupt or tampered row), the EIR printed from a
// stored snapshot, and the small domain parsers. Each must refuse or accept, never crash; what
// decodes must encode back to what decodes the same (round trip).
#include <cstdint>
#include <string>

#include "api/layout_json.h"
#include "app/eir.h"
#include "common/pdf.h"
#include "store/unit_codec.h"
#include "terminal/unit.h"
#include "terminal/yard_block.h"

namespace t = minato::terminal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0] % 4;
  std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (which) {
    case 0: {
      auto l = minato::api::parse_layout(s, "fuzz");
      if (l && !l->validate()) __builtin_trap();  // accepted means valid
      break;
    }
    case 1: {
      t::UnitSpec spec(*t::ContainerId::parse("CSQU3054383"), *t::SizeType::parse("45R1"));
      if (minato::store::decode_unit_details(s, &spec)) {
        t::UnitSpec again(spec.container_id, spec.size_type);
        if (!minato::store::decode_unit_details(minato::store::encode_unit_details(spec), &again))
          __builtin_trap();
        if (!(again == spec)) __builtin_trap();
      }
      auto holds = minato::store::decode_holds(s);
      if (holds) {
        auto back = minato::store::decode_holds(minato::store::encode_holds(*holds));
        if (!back || !(*back == *holds)) __builtin_trap();
      }
      break;
    }
    case 2: {
      minato::app::EirInput in;
      in.terminal_name = "fuzz";
      in.gate.id = 1;
      in.gate.container_id = "CSQU3054383";
      in.gate.snapshot = s;
      (void)minato::app::eir_html(in);
      std::string pdf = minato::app::eir_pdf(in);
      if (pdf.rfind("%PDF-1.4", 0) != 0) __builtin_trap();
      (void)minato::to_win_ansi(s);
      break;
    }
    case 3:
      (void)t::parse_vessel_slot(s);
      (void)t::StackArea::parse(s);
      (void)t::YardSlot::parse(s);
      (void)t::ImdgClass::parse(s);
      (void)t::normalise_truck_plate(s);
      break;
  }
  return 0;
}
