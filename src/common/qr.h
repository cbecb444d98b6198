// QR codes of short texts (an otpauth:// URI for TOTP enrolment), drawn for a terminal or as
// SVG for the console's enrolment page. Error correction level M; an empty result when the
// text does not fit a QR code.
#pragma once

#include <string>

namespace minato {

// Block characters, two module rows per line, light modules as blocks (reads on dark
// terminals), with a quiet zone of two modules.
std::string qr_terminal(const std::string& text);
// A standalone SVG document (black modules on white, quiet zone of four modules), one path.
std::string qr_svg(const std::string& text);

}  // namespace minato
