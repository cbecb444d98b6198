// How the store keeps the parts of a unit that are not columns of their own: the description
// (VGM, seals, dangerous goods, reefer, over-dimensions, damages, port, delivery order) and the
// active holds, each as a small JSON document. Decoding validates: a corrupt or tampered row is
// reported (kDataLoss), never half-read.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "terminal/unit.h"

namespace minato::store {

std::string encode_unit_details(const terminal::UnitSpec& spec);
// Fills the fields encode_unit_details() wrote into `spec`.
Status decode_unit_details(std::string_view text, terminal::UnitSpec* spec);

std::string encode_holds(const std::vector<terminal::Hold>& holds);
Result<std::vector<terminal::Hold>> decode_holds(std::string_view text);

}  // namespace minato::store
