#include "common/pdf.h"

#include <array>
#include <cstdio>

namespace minato {

namespace {

// Advance widths (1/1000 em) of Helvetica and Helvetica-Bold for 32..126, from the Adobe
// Font Metrics of the standard 14 fonts; other characters use the width of 'n'.
constexpr std::array<short, 95> kHelvetica = {
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333,  278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,  611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278,  556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,  500, 334, 260, 334, 584};
constexpr std::array<short, 95> kHelveticaBold = {
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A PDF literal string: ( ) and \ escaped; bytes outside printable ASCII as octal escapes.
std::string literal(std::string_view bytes) {
  std::string out = "(";
  for (unsigned char c : bytes) {
    if (c == '(' || c == ')' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 32 || c > 126) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + ")";
}

}  // namespace

std::string to_win_ansi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += (c >= 32 && c < 127) ? static_cast<char>(c) : '?';
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; only U+00A0..U+00FF survive.
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out += '?';
      ++i;
      continue;
    }
    uint32_t cp = c & (0x7F >> len);
    bool good = true;
    for (int k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) good = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!good) {
      out += '?';
      ++i;
      continue;
    }
    out += (cp >= 0xA0 && cp <= 0xFF) ? static_cast<char>(cp) : '?';
    i += len;
  }
  return out;
}

PdfDocument::PdfDocument(std::string title) : title_(std::move(title)) {}

void PdfDocument::new_page() { pages_.emplace_back(); }

void PdfDocument::text(double x, double y, double size, std::string_view utf8, bool bold) {
  if (pages_.empty()) new_page();
  pages_.back() += "BT /" + std::string(bold ? "F2 " : "F1 ") + num(size) + " Tf " + num(x) + " " +
                   num(y) + " Td " + literal(to_win_ansi(utf8)) + " Tj ET\n";
}

void PdfDocument::line(double x1, double y1, double x2, double y2, double width) {
  if (pages_.empty()) new_page();
  pages_.back() +=
      num(width) + " w " + num(x1) + " " + num(y1) + " m " + num(x2) + " " + num(y2) + " l S\n";
}

void PdfDocument::rect(double x, double y, double w, double h, double width) {
  if (pages_.empty()) new_page();
  pages_.back() +=
      num(width) + " w " + num(x) + " " + num(y) + " " + num(w) + " " + num(h) + " re S\n";
}

double PdfDocument::text_width(std::string_view utf8, double size, bool bold) {
  const auto& widths = bold ? kHelveticaBold : kHelvetica;
  double units = 0;
  for (unsigned char c : to_win_ansi(utf8)) {
    units += (c >= 32 && c <= 126) ? widths[c - 32] : widths['n' - 32];
  }
  return units * size / 1000.0;
}

std::string PdfDocument::render(std::string_view created_utc) const {
  std::vector<std::string> pages = pages_;
  if (pages.empty()) pages.emplace_back();
  // Objects: 1 catalog, 2 page tree, 3 Helvetica, 4 Helvetica-Bold, 5 info, then a page and
  // its content stream for each page.
  const int n_pages = static_cast<int>(pages.size());
  const int n_objects = 5 + 2 * n_pages;
  std::vector<std::string> objects(n_objects + 1);
  std::string kids;
  for (int p = 0; p < n_pages; ++p) kids += std::to_string(6 + 2 * p) + " 0 R ";
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n_pages) + " >>";
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  objects[4] =
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>";
  objects[5] = "<< /Title " + literal(to_win_ansi(title_)) + " /Producer (Minato) /CreationDate " +
               literal("D:" + std::string(created_utc) + "Z") + " >>";
  for (int p = 0; p < n_pages; ++p) {
    int page = 6 + 2 * p, content = page + 1;
    objects[page] =
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << "
        "/F1 3 0 R /F2 4 0 R >> >> /Contents " +
        std::to_string(content) + " 0 R >>";
    const std::string& stream = pages[p];
    objects[content] =
        "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "\nendstream";
  }
  // The binary comment line marks the file as binary for transfer programs.
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets(n_objects + 1, 0);
  for (int i = 1; i <= n_objects; ++i) {
    offsets[i] = out.size();
    out += std::to_string(i) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = out.size();
  out += "xref\n0 " + std::to_string(n_objects + 1) + "\n0000000000 65535 f \n";
  for (int i = 1; i <= n_objects; ++i) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", offsets[i]);
    out += buf;
  }
  out += "trailer\n<< /Size " + std::to_string(n_objects + 1) + " /Root 1 0 R /Info 5 0 R >>\n" +
         "startxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace minato
