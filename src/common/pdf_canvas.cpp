#include "common/pdf_canvas.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

namespace minato {

struct PdfCanvas::Impl {
  std::string out;
  std::string title;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  bool finished = false;

  static cairo_status_t write(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<Impl*>(closure)->out.append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  }

  PangoLayout* layout(double width, double size, std::string_view utf8, bool bold) const {
    PangoLayout* l = pango_cairo_create_layout(cr);
    PangoFontDescription* font = pango_font_description_from_string(kFamily);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, font);
    pango_font_description_free(font);
    if (width > 0) {
      pango_layout_set_width(l, static_cast<int>(width * PANGO_SCALE));
      pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    // Invalid UTF-8 would make Pango complain and draw nothing: replace it first.
    gchar* valid = g_utf8_make_valid(utf8.data(), static_cast<gssize>(utf8.size()));
    pango_layout_set_text(l, valid, -1);
    g_free(valid);
    return l;
  }
};

PdfCanvas::PdfCanvas(std::string title) : impl_(std::make_unique<Impl>()) {
  impl_->title = std::move(title);
  impl_->surface = cairo_pdf_surface_create_for_stream(&Impl::write, impl_.get(), kWidth, kHeight);
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_TITLE, impl_->title.c_str());
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_CREATOR, "Minato");
  impl_->cr = cairo_create(impl_->surface);
}

PdfCanvas::~PdfCanvas() {
  if (impl_->cr) cairo_destroy(impl_->cr);
  if (impl_->surface) cairo_surface_destroy(impl_->surface);
}

void PdfCanvas::new_page() {
  if (!impl_->finished) cairo_show_page(impl_->cr);
}

double PdfCanvas::text(double x, double top, double width, double size, std::string_view utf8,
                       bool bold, Rgb color) {
  if (impl_->finished) return 0;
  PangoLayout* l = impl_->layout(width, size, utf8, bold);
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  cairo_set_source_rgb(impl_->cr, color.r, color.g, color.b);
  cairo_move_to(impl_->cr, x, top);
  pango_cairo_show_layout(impl_->cr, l);
  g_object_unref(l);
  return static_cast<double>(h) / PANGO_SCALE;
}

double PdfCanvas::measure(double width, double size, std::string_view utf8, bool bold) const {
  if (impl_->finished) return 0;
  PangoLayout* l = impl_->layout(width, size, utf8, bold);
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  g_object_unref(l);
  return static_cast<double>(h) / PANGO_SCALE;
}

double PdfCanvas::text_width(double size, std::string_view utf8, bool bold) const {
  if (impl_->finished) return 0;
  PangoLayout* l = impl_->layout(0, size, utf8, bold);
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  g_object_unref(l);
  return static_cast<double>(w) / PANGO_SCALE;
}

void PdfCanvas::line(double x1, double y1, double x2, double y2, double width, Rgb color) {
  if (impl_->finished) return;
  cairo_set_source_rgb(impl_->cr, color.r, color.g, color.b);
  cairo_set_line_width(impl_->cr, width);
  cairo_move_to(impl_->cr, x1, y1);
  cairo_line_to(impl_->cr, x2, y2);
  cairo_stroke(impl_->cr);
}

void PdfCanvas::rect(double x, double y, double w, double h, double width, Rgb color) {
  if (impl_->finished) return;
  cairo_set_source_rgb(impl_->cr, color.r, color.g, color.b);
  cairo_set_line_width(impl_->cr, width);
  cairo_rectangle(impl_->cr, x, y, w, h);
  cairo_stroke(impl_->cr);
}

void PdfCanvas::fill(double x, double y, double w, double h, Rgb color) {
  if (impl_->finished) return;
  cairo_set_source_rgb(impl_->cr, color.r, color.g, color.b);
  cairo_rectangle(impl_->cr, x, y, w, h);
  cairo_fill(impl_->cr);
}

Result<std::string> PdfCanvas::finish(std::string_view created_utc) {
  if (impl_->finished) return fail(ErrorCode::kInternal, "the PDF is already finished");
  std::string created(created_utc);
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_CREATE_DATE, created.c_str());
  cairo_destroy(impl_->cr);
  impl_->cr = nullptr;
  cairo_surface_finish(impl_->surface);
  const cairo_status_t st = cairo_surface_status(impl_->surface);
  cairo_surface_destroy(impl_->surface);
  impl_->surface = nullptr;
  impl_->finished = true;
  if (st != CAIRO_STATUS_SUCCESS) {
    return fail(ErrorCode::kInternal,
                std::string("cairo could not write the PDF: ") + cairo_status_to_string(st));
  }
  return std::move(impl_->out);
}

}  // namespace minato
