#include "common/qr.h"

#include <qrencode.h>

#include <memory>

namespace minato {

namespace {

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};
using Qr = std::unique_ptr<QRcode, QrFree>;

Qr encode(const std::string& text) {
  return Qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
}

bool dark(const QRcode& qr, int x, int y) {
  const int w = qr.width;
  if (x < 0 || y < 0 || x >= w || y >= w) return false;
  return (qr.data[y * w + x] & 1) != 0;
}

}  // namespace

std::string qr_terminal(const std::string& text) {
  Qr qr = encode(text);
  if (!qr) return {};
  const int w = qr->width;
  const int quiet = 2;
  std::string out;
  for (int y = -quiet; y < w + quiet; y += 2) {
    for (int x = -quiet; x < w + quiet; ++x) {
      bool top = !dark(*qr, x, y), bottom = !dark(*qr, x, y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\n";
  }
  return out;
}

std::string qr_svg(const std::string& text) {
  Qr qr = encode(text);
  if (!qr) return {};
  const int w = qr->width;
  const int size = w + 8;
  std::string path;
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      if (!dark(*qr, x, y)) continue;
      path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
    }
  }
  const std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + s + "\" height=\"" + s +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace minato
