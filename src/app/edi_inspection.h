// The inspection of an EDIFACT file as JSON: what the reader found (interchange, messages,
// containers, stowage positions, every warning and error with its line, segment and byte) and
// what an import would make of it (units, and the EQDs it would reject, each with its reason).
// `minato edi inspect --json` prints it; the console shows it before an import
// (POST /api/v1/edi/inspections).
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>

#include "edi/equipment.h"

namespace minato::app {

boost::json::object inspection_json(const std::string& file, size_t bytes,
                                    const edi::MappedFile& mapped);

}  // namespace minato::app
