// The terminal layout as JSON: the body of PUT /api/v1/yard/layout and the file that
// `minato layout apply` reads — {"blocks": [...], "berths": [...], "lanes": [...]}, strictly
// checked (unknown fields refused, every block validated).
#pragma once

#include <string>

#include "common/result.h"
#include "terminal/layout.h"

namespace minato::api {

// `what` names the text in errors ("request body", a file name).
Result<terminal::TerminalLayout> parse_layout(const std::string& text, const std::string& what);

}  // namespace minato::api
