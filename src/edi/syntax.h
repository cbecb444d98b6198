// EDIFACT syntax (ISO 9735): separators, segments, data elements and components, read straight
// from the input bytes without copying.
//
// A Tokenizer walks an interchange segment by segment. Each Segment is a view into the input
// with the release characters still in place; component() gives a raw view, text() the value
// with its release characters removed. Line breaks (CR, LF) between segments are skipped, so
// files with one segment per line, with CRLF, or with no line breaks at all read the same.
//
//   Tokenizer t(bytes);                        // reads a UNA service string advice if present
//   while (auto seg = t.next()) {
//     if (seg->tag() == "EQD") use(seg->text(2, 1));   // element 2, component 1
//   }
//   if (t.error()) ... t.error()->message, t.error()->offset
//
// Positions: every Segment carries its byte offset and its number (1-based, UNA not counted);
// LineIndex turns an offset into a line number when a diagnostic needs one.
//
// Thread-safety: a Tokenizer is used by one thread; Segments are plain views.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minato::edi {

struct Separators {
  char component = ':';
  char element = '+';
  char decimal = '.';
  char release = '?';
  bool has_release = true;  // a UNA with a space for the release character turns it off
  char reserved = ' ';      // repetition separator from syntax version 4; unused before
  char segment = '\'';
};

// A segment as it stands in the input, without its terminator.
class Segment {
 public:
  Segment() = default;
  Segment(std::string_view raw, const Separators* sep, size_t offset, size_t number)
      : raw_(raw), sep_(sep), offset_(offset), number_(number) {}

  // The whole segment, release characters in place, without the terminator.
  std::string_view raw() const { return raw_; }
  // The segment tag (the first component of the first element): "UNH", "EQD", ...
  std::string_view tag() const;
  // Byte offset of the segment's first byte in the input.
  size_t offset() const { return offset_; }
  // 1-based segment number in the input (a UNA advice is not a segment).
  size_t number() const { return number_; }

  // Data elements after the tag (so "EQD+CN+ABCU1234560" has 2).
  size_t elements() const;
  // Components of data element `element` (1-based); 0 when the element is absent.
  size_t components(size_t element) const;
  // Component `component` (1-based) of data element `element` (1-based), raw: release
  // characters still in place. Empty when absent.
  std::string_view component(size_t element, size_t component = 1) const;
  // The same with release characters removed.
  std::string text(size_t element, size_t component = 1) const;
  // Calls f(element, component, raw value) for every component of every data element
  // (element 0 is the tag), in one pass: linear in the segment's length however many
  // separators it has.
  template <class F>
  void for_each_component(F&& f) const {
    size_t element = 0, comp = 1, start = 0;
    for (size_t i = 0; i < raw_.size(); ++i) {
      const char c = raw_[i];
      if (sep_->has_release && c == sep_->release) {
        ++i;
      } else if (c == sep_->element || c == sep_->component) {
        f(element, comp, raw_.substr(start, i - start));
        start = i + 1;
        if (c == sep_->element) {
          ++element;
          comp = 1;
        } else {
          ++comp;
        }
      }
    }
    f(element, comp, raw_.substr(std::min(start, raw_.size())));
  }
  // Whether the raw value has a release character (text() then differs from component()).
  bool escaped(std::string_view raw_value) const;
  const Separators& separators() const { return *sep_; }

 private:
  // The raw element `element` (0 = the tag element), or nullopt when absent.
  std::optional<std::string_view> element(size_t element) const;

  std::string_view raw_;
  const Separators* sep_ = nullptr;
  size_t offset_ = 0;
  size_t number_ = 0;
};

// A fault in the syntax that stops reading (the rest of the input cannot be trusted).
struct SyntaxError {
  std::string message;
  size_t offset = 0;
  size_t segment = 0;  // the segment number it would have had
};

class Tokenizer {
 public:
  // Reads a UNA advice at the start (after an optional UTF-8 byte-order mark); without one the
  // standard separators apply (:+.? ').
  explicit Tokenizer(std::string_view input);

  const Separators& separators() const { return sep_; }
  bool has_una() const { return una_; }
  // Where the first segment starts (after UNA and line breaks).
  size_t body_offset() const { return body_; }

  // The next segment, or nullopt at the end of the input or after a syntax error (error()).
  // Text after the last terminator that is only white space is ignored; anything else there is
  // returned as a last segment and reported by unterminated().
  std::optional<Segment> next();

  const std::optional<SyntaxError>& error() const { return error_; }
  // Whether the last segment ran to the end of the input without a terminator.
  bool unterminated() const { return unterminated_; }
  // Segments returned so far.
  size_t segments() const { return count_; }

 private:
  std::string_view in_;
  Separators sep_;
  bool una_ = false;
  size_t body_ = 0;
  size_t pos_ = 0;
  size_t count_ = 0;
  bool unterminated_ = false;
  std::optional<SyntaxError> error_;
};

// Removes release characters: "NO MORE ?' FLIGHTS" -> "NO MORE ' FLIGHTS".
std::string unescape(std::string_view raw, char release);

// Byte offset -> 1-based line number, for diagnostics. Queries in increasing order are cheap
// (it counts forward from the last one); an earlier offset starts again from the beginning.
class LineIndex {
 public:
  explicit LineIndex(std::string_view input) : in_(input) {}
  size_t line(size_t offset);

 private:
  std::string_view in_;
  size_t at_ = 0;
  size_t line_ = 1;
};

}  // namespace minato::edi
