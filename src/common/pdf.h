// PdfDocument: a small PDF 1.4 writer for printed forms (the gate's EIR), with no dependency.
//
// Pages are A4 portrait (595 x 842 points, origin at the bottom left). Text uses the standard
// Helvetica and Helvetica-Bold fonts with WinAnsiEncoding, so no font is embedded: UTF-8 input
// is mapped to Latin-1, and a character outside it is printed as '?' (Japanese needs an
// embedded CID font; the HTML form carries both languages).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minato {

class PdfDocument {
 public:
  static constexpr double kWidth = 595;
  static constexpr double kHeight = 842;

  explicit PdfDocument(std::string title);
  // Starts a new page; the first text or line starts one if none is open.
  void new_page();
  void text(double x, double y, double size, std::string_view utf8, bool bold = false);
  void line(double x1, double y1, double x2, double y2, double width = 0.5);
  void rect(double x, double y, double w, double h, double width = 0.5);
  // Width of `utf8` in points at `size` (Helvetica metrics), for right alignment and wrapping.
  static double text_width(std::string_view utf8, double size, bool bold = false);
  // The whole file. `created_utc` is "YYYYMMDDHHMMSS" (PDF's CreationDate, in UTC).
  std::string render(std::string_view created_utc) const;

 private:
  std::string title_;
  std::vector<std::string> pages_;  // content streams
};

// Maps UTF-8 to WinAnsi (Latin-1 for U+00A0..U+00FF; printable ASCII as is); anything else,
// including malformed sequences, becomes '?'.
std::string to_win_ansi(std::string_view utf8);

}  // namespace minato
