#include "edi/syntax.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace minato::edi {
namespace {

bool layout_space(char c, const Separators& sep) {
  return (c == '\r' || c == '\n' || c == ' ' || c == '\t') && c != sep.segment;
}

bool tag_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The next `c` in [p, end), or end. Segments are short (20-40 bytes), so an inline 16-byte
// SSE2 scan beats a call to memchr, whose set-up costs as much as the search.
inline const char* find_byte(const char* p, const char* end, char c) {
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c);
  while (end - p >= 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int m = _mm_movemask_epi8(_mm_cmpeq_epi8(block, needle));
    if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
    p += 16;
  }
  while (p < end && *p != c) ++p;
  return p;
#else
  const void* hit = std::memchr(p, c, static_cast<size_t>(end - p));
  return hit ? static_cast<const char*>(hit) : end;
#endif
}

// Index of the first unescaped `sep` in `s` at or after `from`, or npos.
size_t find_unescaped(std::string_view s, char sep, const Separators& seps, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (seps.has_release && c == seps.release) {
      ++i;  // the next character is data
    } else if (c == sep) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The `index`-th (0-based) part of `s` split on unescaped `sep`, or nullopt.
std::optional<std::string_view> part(std::string_view s, char sep, const Separators& seps,
                                     size_t index) {
  size_t start = 0;
  for (size_t k = 0; k < index; ++k) {
    size_t at = find_unescaped(s, sep, seps, start);
    if (at == std::string_view::npos) return std::nullopt;
    start = at + 1;
  }
  size_t end = find_unescaped(s, sep, seps, start);
  return s.substr(start, end == std::string_view::npos ? s.size() - start : end - start);
}

size_t count_parts(std::string_view s, char sep, const Separators& seps) {
  size_t n = 1;
  for (size_t at = find_unescaped(s, sep, seps, 0); at != std::string_view::npos;
       at = find_unescaped(s, sep, seps, at + 1)) {
    ++n;
  }
  return n;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 20)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

}  // namespace

std::string_view Segment::tag() const {
  // The tokenizer made sure a segment starts with three tag characters and then a separator
  // or its end, so the tag is always the first three bytes.
  return raw_.substr(0, 3);
}

std::optional<std::string_view> Segment::element(size_t index) const {
  return part(raw_, sep_->element, *sep_, index);
}

size_t Segment::elements() const { return count_parts(raw_, sep_->element, *sep_) - 1; }

size_t Segment::components(size_t element_no) const {
  auto e = element(element_no);
  return e ? count_parts(*e, sep_->component, *sep_) : 0;
}

std::string_view Segment::component(size_t element_no, size_t component_no) const {
  if (component_no == 0) return {};
  auto e = element(element_no);
  if (!e) return {};
  auto c = part(*e, sep_->component, *sep_, component_no - 1);
  return c ? *c : std::string_view{};
}

std::string Segment::text(size_t element_no, size_t component_no) const {
  std::string_view raw = component(element_no, component_no);
  if (!escaped(raw)) return std::string(raw);
  return unescape(raw, sep_->release);
}

bool Segment::escaped(std::string_view raw_value) const {
  return sep_->has_release && raw_value.find(sep_->release) != std::string_view::npos;
}

std::string unescape(std::string_view raw, char release) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == release && i + 1 < raw.size()) ++i;
    out += raw[i];
  }
  return out;
}

Tokenizer::Tokenizer(std::string_view input) : in_(input) {
  size_t at = 0;
  if (in_.substr(0, 3) == "\xEF\xBB\xBF") at = 3;
  if (in_.substr(at, 3) == "UNA") {
    una_ = true;
    if (in_.size() < at + 9) {
      error_ =
          SyntaxError{"the UNA service string advice is cut short: it needs 6 characters", at, 0};
      pos_ = in_.size();
      return;
    }
    std::string_view a = in_.substr(at + 3, 6);
    sep_ = Separators{a[0], a[1], a[2], a[3], true, a[4], a[5]};
    if (sep_.release == ' ') sep_.has_release = false;
    const char distinct[] = {sep_.component, sep_.element, sep_.segment};
    bool clash =
        distinct[0] == distinct[1] || distinct[0] == distinct[2] || distinct[1] == distinct[2] ||
        (sep_.has_release && (sep_.release == sep_.component || sep_.release == sep_.element ||
                              sep_.release == sep_.segment));
    bool letters = false;
    for (char c : a) letters |= tag_char(c);
    if (clash || letters) {
      error_ = SyntaxError{"the UNA service string advice \"" + printable(a) +
                               "\" is unusable: the component, element and segment separators "
                               "and the release character must be distinct and not letters "
                               "or digits",
                           at, 0};
      pos_ = in_.size();
      return;
    }
    at += 9;
  }
  while (at < in_.size() && layout_space(in_[at], sep_)) ++at;
  body_ = pos_ = at;
}

std::optional<Segment> Tokenizer::next() {
  if (error_) return std::nullopt;
  const char* base = in_.data();
  const size_t n = in_.size();
  size_t start = pos_;
  while (start < n && layout_space(base[start], sep_)) ++start;
  if (start >= n) {
    pos_ = n;
    return std::nullopt;
  }
  size_t end = std::string_view::npos;
  for (size_t from = start; from < n;) {
    const char* hit = find_byte(base + from, base + n, sep_.segment);
    if (hit == base + n) break;
    size_t p = static_cast<size_t>(hit - base);
    size_t releases = 0;
    if (sep_.has_release) {
      while (p - releases > start && base[p - releases - 1] == sep_.release) ++releases;
    }
    if (releases % 2 == 0) {
      end = p;
      break;
    }
    from = p + 1;  // an escaped terminator is data
  }
  size_t next_pos;
  if (end == std::string_view::npos) {
    end = n;
    while (end > start && layout_space(base[end - 1], sep_)) --end;
    unterminated_ = true;
    next_pos = n;
  } else {
    next_pos = end + 1;
  }
  std::string_view raw(base + start, end - start);
  // A tag is three upper-case letters or digits, then a separator or the end of the segment.
  bool tag_ok = raw.size() >= 3 && tag_char(raw[0]) && tag_char(raw[1]) && tag_char(raw[2]) &&
                (raw.size() == 3 || raw[3] == sep_.element || raw[3] == sep_.component);
  if (!tag_ok) {
    error_ = SyntaxError{"segment " + std::to_string(count_ + 1) + " does not start with a " +
                             "segment tag (three upper-case letters or digits): \"" +
                             printable(raw) + "\"",
                         start, count_ + 1};
    pos_ = n;
    return std::nullopt;
  }
  pos_ = next_pos;
  ++count_;
  return Segment(raw, &sep_, start, count_);
}

size_t LineIndex::line(size_t offset) {
  offset = std::min(offset, in_.size());
  if (offset < at_) {
    at_ = 0;
    line_ = 1;
  }
  line_ += static_cast<size_t>(std::count(in_.begin() + static_cast<std::ptrdiff_t>(at_),
                                          in_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  at_ = offset;
  return line_;
}

}  // namespace minato::edi
