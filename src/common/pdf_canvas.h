// PdfCanvas: PDF pages drawn with cairo, text laid out by Pango — so any script the installed
// fonts cover prints, Japanese included (Noto Sans CJK JP from Debian's fonts-noto-cjk, found
// through fontconfig), with line wrapping, and the fonts used embedded as subsets.
//
// Pages are A4 portrait in points, origin at the top left. Nothing is written until finish(),
// which returns the whole file. Not thread-safe; one canvas per document.
//
//   PdfCanvas pdf("Compliance report");
//   double h = pdf.text(40, 60, 515, 10, "港湾 — port", /*bold=*/false);
//   auto bytes = pdf.finish("2026-12-08T01:00:00Z");
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato {

struct Rgb {
  double r = 0, g = 0, b = 0;
};

class PdfCanvas {
 public:
  static constexpr double kWidth = 595.276;  // A4
  static constexpr double kHeight = 841.890;
  static constexpr const char* kFamily = "Noto Sans CJK JP, Noto Sans, DejaVu Sans, sans-serif";

  explicit PdfCanvas(std::string title);
  ~PdfCanvas();
  PdfCanvas(const PdfCanvas&) = delete;
  PdfCanvas& operator=(const PdfCanvas&) = delete;

  // Ends the page and starts another (the first page starts by itself).
  void new_page();
  // Draws `utf8` in a box `width` points wide (0: one line, no wrapping) whose top left is at
  // (x, top), and returns the height it took.
  double text(double x, double top, double width, double size, std::string_view utf8,
              bool bold = false, Rgb color = {});
  // The height text() would take, without drawing.
  double measure(double width, double size, std::string_view utf8, bool bold = false) const;
  // The width of one line of `utf8`.
  double text_width(double size, std::string_view utf8, bool bold = false) const;
  void line(double x1, double y1, double x2, double y2, double width = 0.5, Rgb color = {});
  void rect(double x, double y, double w, double h, double width = 0.5, Rgb color = {});
  void fill(double x, double y, double w, double h, Rgb color);
  // The whole file; `created_utc` is "YYYY-MM-DDTHH:MM:SSZ" (the document's creation date).
  // kInternal if cairo failed. The canvas cannot be drawn on afterwards.
  Result<std::string> finish(std::string_view created_utc);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minato
