#include "edi/interchange.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <optional>

namespace minato::edi {
namespace {

std::optional<size_t> number(std::string_view s) {
  size_t v = 0;
  if (s.empty() || s.size() > 12) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out + (s.size() > 40 ? "...\"" : "\"");
}

using Table = std::array<bool, 256>;

Table make_table(Charset charset) {
  Table t{};
  auto allow = [&](int from, int to) {
    for (int c = from; c <= to; ++c) t[static_cast<size_t>(c)] = true;
  };
  switch (charset) {
    case Charset::kLevelA:
      allow('A', 'Z');
      allow('0', '9');
      for (char c : std::string_view(" .,-()/='+:?!\"%&*;<>"))
        t[static_cast<unsigned char>(c)] = true;
      break;
    case Charset::kLevelB:
      allow(0x20, 0x7e);
      break;
    case Charset::kLatin:
      allow(0x20, 0x7e);
      allow(0xa0, 0xff);
      break;
    case Charset::kUtf8:  // checked as UTF-8 separately; here: no control characters
    case Charset::kUnknown:
      allow(0x20, 0x7e);
      allow(0x80, 0xff);
      break;
  }
  return t;
}

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = b(i);
  if (c < 0x80) return 1;
  size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (len == 0 || (c >= 0xf5) || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  const unsigned c1 = b(i + 1);
  if (c == 0xe0 && c1 < 0xa0) return 0;   // overlong
  if (c == 0xed && c1 >= 0xa0) return 0;  // surrogates
  if (c == 0xf0 && c1 < 0x90) return 0;   // overlong
  if (c == 0xf4 && c1 >= 0x90) return 0;  // beyond U+10FFFF
  return len;
}

std::string_view level_name(Charset c) {
  switch (c) {
    case Charset::kLevelA:
      return "syntax level A (UNOA)";
    case Charset::kLevelB:
      return "syntax level B (UNOB)";
    case Charset::kLatin:
      return "an ISO 8859 level (UNOC..UNOK)";
    case Charset::kUtf8:
      return "UTF-8 (UNOW/UNOY)";
    case Charset::kUnknown:
      return "the text characters";
  }
  return "the character set";
}

class Reader {
 public:
  Reader(std::string_view input, MessageHandler& handler, Diagnostics& diag)
      : in_(input), handler_(handler), diag_(diag), table_(make_table(Charset::kUnknown)) {}

  ReadSummary run() {
    Tokenizer tok(in_);
    sum_.separators = tok.separators();
    sum_.una = tok.has_una();
    allow_separators();
    while (auto seg = tok.next()) {
      ++sum_.segments;
      if (seg->tag() == "UNB") {  // it names the repertoire it is checked against
        dispatch(*seg);
        check_characters(*seg);
      } else {
        check_characters(*seg);
        dispatch(*seg);
      }
    }
    if (tok.error()) {
      const SyntaxError& e = *tok.error();
      diag_.error("syntax", e.message + "; reading stopped there", e.offset, e.segment);
      sum_.complete = false;
    }
    if (tok.unterminated()) {
      diag_.deviation("unterminated",
                      "the last segment has no segment terminator (the file may be cut short)",
                      last_offset_, sum_.segments);
    }
    finish(in_.size(), sum_.segments + 1);
    return sum_;
  }

 private:
  void dispatch(const Segment& seg) {
    last_offset_ = seg.offset();
    route(seg);
    seen_body_ = true;
  }

  void route(const Segment& seg) {
    std::string_view tag = seg.tag();
    if (tag == "UNB") return unb(seg);
    if (tag == "UNZ") return unz(seg);
    if (tag == "UNG") return ung(seg);
    if (tag == "UNE") return une(seg);
    if (tag == "UNH") return unh(seg);
    if (tag == "UNT") return unt(seg);
    if (in_message_) {
      ++message_segments_;
      handler_.segment(seg);
      return;
    }
    diag_.deviation("outside-message",
                    "segment " + std::string(tag) +
                        " stands outside any message (no UNH before it); it is not read",
                    seg);
  }

  void unb(const Segment& seg) {
    if (in_message_) cut_message(seg, "a UNB");
    if (in_interchange_) {
      diag_.deviation("no-unz",
                      "the interchange " + quoted(header_.control_reference) +
                          " has no UNZ before the next UNB",
                      seg);
    } else if (seen_message_ || seen_body_) {
      diag_.deviation("late-unb",
                      "UNB after the first message: messages before it are read "
                      "without an interchange header",
                      seg);
    }
    ++sum_.interchanges;
    in_interchange_ = true;
    interchange_messages_ = interchange_groups_ = 0;
    InterchangeHeader h;
    h.present = true;
    h.syntax_id = std::string(seg.component(1, 1));
    h.syntax_version = std::string(seg.component(1, 2));
    h.charset = charset_of(h.syntax_id);
    h.sender = seg.text(2, 1);
    h.recipient = seg.text(3, 1);
    h.prepared = std::string(seg.component(4, 1)) + ":" + std::string(seg.component(4, 2));
    h.control_reference = seg.text(5, 1);
    if (h.charset == Charset::kUnknown) {
      diag_.deviation("syntax-id",
                      "syntax identifier " + quoted(h.syntax_id) +
                          " is not an EDIFACT level (UNOA, UNOB, UNOC..UNOK, UNOW, UNOY); "
                          "read as printable ASCII and 8-bit text",
                      seg);
    }
    if (h.control_reference.empty()) {
      diag_.deviation("unb-reference", "UNB has no interchange control reference", seg);
    }
    charset_ = h.charset;
    table_ = make_table(charset_);
    allow_separators();
    header_ = h;
    if (sum_.interchanges == 1) sum_.header = h;
    handler_.interchange(h);
  }

  void unz(const Segment& seg) {
    if (in_message_) cut_message(seg, "the UNZ");
    if (in_group_) {
      diag_.deviation("no-une", "group " + quoted(group_reference_) + " has no UNE", seg);
      in_group_ = false;
    }
    if (!in_interchange_) {
      diag_.deviation("unz-without-unb", "UNZ without a UNB before it", seg);
      return;
    }
    in_interchange_ = false;
    const size_t expected = interchange_groups_ > 0 ? interchange_groups_ : interchange_messages_;
    const char* what = interchange_groups_ > 0 ? "groups" : "messages";
    check_count("unz-count", "UNZ", seg, expected, what);
    std::string ref = seg.text(2, 1);
    if (ref != header_.control_reference) {
      diag_.deviation(
          "unz-reference",
          "UNZ names interchange " + quoted(ref) + ", the UNB " + quoted(header_.control_reference),
          seg);
    }
  }

  void ung(const Segment& seg) {
    if (in_message_) cut_message(seg, "a UNG");
    if (in_group_) {
      diag_.deviation("no-une", "group " + quoted(group_reference_) + " has no UNE", seg);
    }
    ++sum_.groups;
    ++interchange_groups_;
    in_group_ = true;
    group_messages_ = 0;
    group_reference_ = seg.text(5, 1);
  }

  void une(const Segment& seg) {
    if (in_message_) cut_message(seg, "the UNE");
    if (!in_group_) {
      diag_.deviation("une-without-ung", "UNE without a UNG before it", seg);
      return;
    }
    in_group_ = false;
    check_count("une-count", "UNE", seg, group_messages_, "messages");
    std::string ref = seg.text(2, 1);
    if (ref != group_reference_) {
      diag_.deviation("une-reference",
                      "UNE names group " + quoted(ref) + ", the UNG " + quoted(group_reference_),
                      seg);
    }
  }

  void unh(const Segment& seg) {
    if (in_message_) cut_message(seg, "the next UNH");
    if (!in_interchange_ && !warned_no_unb_) {
      warned_no_unb_ = true;
      diag_.deviation("no-unb",
                      "the file has no UNB interchange header before its first message; read "
                      "as a bare message" +
                          std::string(sum_.interchanges > 0 ? " (after the last UNZ)" : ""),
                      seg);
    }
    seen_message_ = true;
    ++sum_.messages;
    ++interchange_messages_;
    if (in_group_) ++group_messages_;
    in_message_ = true;
    message_segments_ = 1;
    message_ = MessageHeader{};
    message_.reference = seg.text(1, 1);
    message_.type = seg.text(2, 1);
    message_.version = seg.text(2, 2);
    message_.release = seg.text(2, 3);
    message_.agency = seg.text(2, 4);
    message_.association = seg.text(2, 5);
    message_.offset = seg.offset();
    message_.segment = seg.number();
    if (message_.reference.empty()) {
      diag_.deviation("unh-reference", "UNH has no message reference number", seg);
    }
    if (message_.type.empty()) diag_.deviation("unh-type", "UNH names no message type", seg);
    handler_.begin_message(message_, seg);
  }

  void unt(const Segment& seg) {
    if (!in_message_) {
      diag_.deviation("unt-without-unh", "UNT without a UNH before it", seg);
      return;
    }
    ++message_segments_;
    in_message_ = false;
    std::string_view said = seg.component(1, 1);
    auto n = number(said);
    if (!n) {
      diag_.deviation("unt-count",
                      "UNT of message " + quoted(message_.reference) + " gives the count " +
                          quoted(said) + ", not a number; the message has " +
                          std::to_string(message_segments_) + " segments",
                      seg);
    } else if (*n != message_segments_) {
      std::string why = *n > message_segments_ ? ": segments may be missing (cut short?)"
                                               : ": the count is wrong";
      diag_.deviation("unt-count",
                      "UNT of message " + quoted(message_.reference) + " says " +
                          std::to_string(*n) + " segments; the message has " +
                          std::to_string(message_segments_) + " (UNH to UNT)" + why,
                      seg);
    }
    std::string ref = seg.text(2, 1);
    if (ref != message_.reference) {
      diag_.deviation(
          "unt-reference",
          "UNT names message " + quoted(ref) + ", its UNH " + quoted(message_.reference), seg);
    }
    handler_.end_message(message_, true);
  }

  void cut_message(const Segment& at, std::string_view by) {
    diag_.deviation("no-unt",
                    "message " + quoted(message_.reference) + " (" + message_.type + ", segment " +
                        std::to_string(message_.segment) + ") has no UNT before " +
                        std::string(by) + ": it may be cut short",
                    at);
    in_message_ = false;
    handler_.end_message(message_, false);
  }

  void check_count(const char* code, const char* tag, const Segment& seg, size_t expected,
                   const char* what) {
    std::string_view said = seg.component(1, 1);
    auto n = number(said);
    if (!n || *n != expected) {
      diag_.deviation(code,
                      std::string(tag) + " gives " + quoted(said) + " " + what + "; there are " +
                          std::to_string(expected),
                      seg);
    }
  }

  void finish(size_t offset, size_t segment) {
    if (in_message_) {
      diag_.deviation("no-unt",
                      "message " + quoted(message_.reference) + " (" + message_.type +
                          ", segment " + std::to_string(message_.segment) +
                          ") has no UNT: the file ends inside it",
                      offset, segment);
      in_message_ = false;
      handler_.end_message(message_, false);
    }
    if (in_group_) {
      diag_.deviation("no-une", "group " + quoted(group_reference_) + " has no UNE", offset,
                      segment);
    }
    if (in_interchange_) {
      diag_.deviation("no-unz",
                      "the interchange " + quoted(header_.control_reference) +
                          " has no UNZ: the file ends inside it",
                      offset, segment);
    }
    if (sum_.segments > 0 && sum_.messages == 0) {
      diag_.deviation("no-message", "the file holds no message (no UNH)", offset, segment);
    }
  }

  // The separators a UNA chose are part of every repertoire.
  void allow_separators() {
    for (char c : {sum_.separators.component, sum_.separators.element, sum_.separators.release}) {
      table_[static_cast<unsigned char>(c)] = true;
    }
  }

  void check_characters(const Segment& seg) {
    std::string_view s = seg.raw();
    // Fast path: every byte in the repertoire (the usual case), one table lookup each.
    bool all = true;
    for (char ch : s) all &= table_[static_cast<unsigned char>(ch)];
    if (all && charset_ != Charset::kUtf8) return;
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      bool fine = table_[c];
      if (fine && charset_ == Charset::kUtf8 && c >= 0x80) {
        size_t len = utf8_length(s, i);
        if (len == 0) {
          fine = false;
        } else {
          i += len - 1;
          continue;
        }
      }
      if (!fine) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", c);
        std::string what = c < 0x20 || c == 0x7f ? std::string("control character ") + hex
                           : (c >= 0x20 && c < 0x7f)
                               ? "'" + std::string(1, static_cast<char>(c)) + "' (" + hex + ")"
                               : std::string("byte ") + hex;
        diag_.deviation("charset",
                        "segment " + std::string(seg.tag()) + " has " + what + " at byte " +
                            std::to_string(seg.offset() + i) + ", outside " +
                            std::string(level_name(charset_)) +
                            " (first such character in the segment)",
                        seg);
        return;
      }
    }
  }

  std::string_view in_;
  MessageHandler& handler_;
  Diagnostics& diag_;
  ReadSummary sum_;
  Charset charset_ = Charset::kUnknown;
  Table table_;
  InterchangeHeader header_;
  MessageHeader message_;
  bool in_interchange_ = false, in_group_ = false, in_message_ = false;
  bool seen_message_ = false, seen_body_ = false, warned_no_unb_ = false;
  size_t interchange_messages_ = 0, interchange_groups_ = 0, group_messages_ = 0;
  size_t message_segments_ = 0;
  size_t last_offset_ = 0;
  std::string group_reference_;
};

}  // namespace

std::optional<Strictness> parse_strictness(std::string_view text) {
  if (text == "strict") return Strictness::kStrict;
  if (text == "lenient") return Strictness::kLenient;
  return std::nullopt;
}

std::string_view to_string(Strictness s) { return s == Strictness::kStrict ? "strict" : "lenient"; }

Charset charset_of(std::string_view id) {
  if (id == "UNOA") return Charset::kLevelA;
  if (id == "UNOB") return Charset::kLevelB;
  if (id.size() == 4 && id.substr(0, 3) == "UNO" && id[3] >= 'C' && id[3] <= 'K') {
    return Charset::kLatin;
  }
  if (id == "UNOW" || id == "UNOY") return Charset::kUtf8;
  return Charset::kUnknown;
}

void Diagnostics::add(Diagnostic::Severity severity, std::string code, std::string message,
                      size_t offset, size_t segment) {
  (severity == Diagnostic::Severity::kError ? errors_ : warnings_) += 1;
  if (list_.size() >= limit_) return;
  list_.push_back(Diagnostic{severity, std::move(code), std::move(message), offset, segment,
                             lines_.line(offset)});
}

void Diagnostics::warning(std::string code, std::string message, size_t offset, size_t segment) {
  add(Diagnostic::Severity::kWarning, std::move(code), std::move(message), offset, segment);
}

void Diagnostics::error(std::string code, std::string message, size_t offset, size_t segment) {
  add(Diagnostic::Severity::kError, std::move(code), std::move(message), offset, segment);
}

void Diagnostics::deviation(std::string code, std::string message, size_t offset, size_t segment) {
  add(strictness_ == Strictness::kStrict ? Diagnostic::Severity::kError
                                         : Diagnostic::Severity::kWarning,
      std::move(code), std::move(message), offset, segment);
}

ReadSummary read_interchange(std::string_view input, MessageHandler& handler, Diagnostics& diag) {
  return Reader(input, handler, diag).run();
}

std::string to_utf8(std::string_view raw, const Separators& sep, Charset charset) {
  std::string plain = sep.has_release ? unescape(raw, sep.release) : std::string(raw);
  std::string out;
  out.reserve(plain.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    const auto c = static_cast<unsigned char>(plain[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (charset == Charset::kUtf8) {
      size_t len = utf8_length(plain, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(plain, i, len);
        i += len - 1;
      }
    } else {  // ISO 8859-1 (and what an unknown level holds)
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

}  // namespace minato::edi
