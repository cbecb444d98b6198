// EDIFACT envelopes: UNB/UNZ interchanges, UNG/UNE groups and UNH/UNT messages, read as a
// stream and checked (control counts and references, syntax level and character set), with
// every finding recorded as a Diagnostic that names the byte offset, segment number and line.
//
// read_interchange() drives a MessageHandler: begin_message() at each UNH, segment() for each
// segment inside the message, end_message() at its UNT (or where the message is cut off).
// Nothing is skipped silently: a segment outside any message is a diagnostic, not a drop.
//
// Strictness decides what a deviation from the standard is. kLenient (the default for files
// from outside) records the deviations that are safe to read past (wrong UNT/UNZ counts, a
// missing UNB envelope, a character outside the declared syntax level, a missing terminator
// at the end) as warnings; kStrict records them as errors. Faults that make the rest unreadable
// (a segment without a tag, an unusable UNA) are always errors and stop the reading.
//
//   Diagnostics diag(bytes, Strictness::kLenient);
//   MyMapping m;                             // a MessageHandler
//   ReadSummary sum = read_interchange(bytes, m, diag);
//   if (diag.errors() > 0) ... refuse; diag.list() says what and where
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "edi/syntax.h"

namespace minato::edi {

enum class Strictness { kStrict, kLenient };
// "strict" / "lenient"; nullopt for anything else.
std::optional<Strictness> parse_strictness(std::string_view text);
std::string_view to_string(Strictness s);

// The character repertoire of a syntax level (UNB S001 syntax identifier).
enum class Charset {
  kLevelA,   // UNOA: upper-case letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >
  kLevelB,   // UNOB: printable ASCII
  kLatin,    // UNOC..UNOK: an ISO 8859 part (8-bit)
  kUtf8,     // UNOW, UNOY: ISO 10646 as UTF-8
  kUnknown,  // another or no identifier: read as printable ASCII plus 8-bit bytes, warned
};
Charset charset_of(std::string_view syntax_identifier);

struct Diagnostic {
  enum class Severity { kWarning, kError };
  Severity severity = Severity::kWarning;
  std::string code;     // stable, for programs: "unt-count", "charset", "no-unb", ...
  std::string message;  // a sentence for a person
  size_t offset = 0;    // byte offset in the file
  size_t segment = 0;   // 1-based segment number (0: before the first segment)
  size_t line = 0;      // 1-based line
};

// Collects diagnostics for one input. Keeps the first `limit` of them (enough for one per
// container of the largest bay plan, not for a hostile file's millions); the counts go on.
class Diagnostics {
 public:
  Diagnostics(std::string_view input, Strictness strictness, size_t limit = 100'000)
      : lines_(input), strictness_(strictness), limit_(limit) {}

  Strictness strictness() const { return strictness_; }
  void warning(std::string code, std::string message, size_t offset, size_t segment);
  void error(std::string code, std::string message, size_t offset, size_t segment);
  // A deviation from the standard: a warning when lenient, an error when strict.
  void deviation(std::string code, std::string message, size_t offset, size_t segment);
  void warning(std::string code, std::string message, const Segment& at) {
    warning(std::move(code), std::move(message), at.offset(), at.number());
  }
  void error(std::string code, std::string message, const Segment& at) {
    error(std::move(code), std::move(message), at.offset(), at.number());
  }
  void deviation(std::string code, std::string message, const Segment& at) {
    deviation(std::move(code), std::move(message), at.offset(), at.number());
  }

  size_t warnings() const { return warnings_; }
  size_t errors() const { return errors_; }
  // The recorded diagnostics, in the order found (at most `limit`).
  const std::vector<Diagnostic>& list() const { return list_; }
  // How many were counted but not recorded because of the limit.
  size_t unrecorded() const { return warnings_ + errors_ - list_.size(); }

 private:
  void add(Diagnostic::Severity severity, std::string code, std::string message, size_t offset,
           size_t segment);

  LineIndex lines_;
  Strictness strictness_;
  size_t limit_;
  size_t warnings_ = 0;
  size_t errors_ = 0;
  std::vector<Diagnostic> list_;
};

struct InterchangeHeader {
  bool present = false;        // false: the file has no UNB
  std::string syntax_id;       // "UNOA"
  std::string syntax_version;  // "2"
  Charset charset = Charset::kUnknown;
  std::string sender;             // S002 sender identification
  std::string recipient;          // S003 recipient identification
  std::string prepared;           // S004 date:time as written ("160414:0307")
  std::string control_reference;  // 0020
};

struct MessageHeader {
  std::string reference;    // 0062 message reference number
  std::string type;         // "BAPLIE"
  std::string version;      // "D"
  std::string release;      // "95B"
  std::string agency;       // "UN"
  std::string association;  // "SMDG20"
  size_t offset = 0;        // of the UNH
  size_t segment = 0;
};

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  virtual void interchange(const InterchangeHeader& /*header*/) {}
  virtual void begin_message(const MessageHeader& /*header*/, const Segment& /*unh*/) {}
  // A segment of the current message, between its UNH and UNT.
  virtual void segment(const Segment& /*seg*/) {}
  // `complete`: the message ended with its UNT (false: cut off by the next UNH or the end).
  virtual void end_message(const MessageHeader& /*header*/, bool /*complete*/) {}
};

struct ReadSummary {
  Separators separators;
  bool una = false;
  size_t interchanges = 0;   // UNB segments
  size_t groups = 0;         // UNG segments
  size_t messages = 0;       // UNH segments
  size_t segments = 0;       // every segment read (the UNA advice is not a segment)
  bool complete = true;      // false: reading stopped at a syntax error
  InterchangeHeader header;  // the first interchange's
};

ReadSummary read_interchange(std::string_view input, MessageHandler& handler, Diagnostics& diag);

// The value with its release characters removed, as UTF-8: bytes of an 8-bit syntax level
// (UNOC..) are taken as ISO 8859-1; invalid UTF-8 in a UTF-8 level becomes U+FFFD.
std::string to_utf8(std::string_view raw, const Separators& sep, Charset charset);

}  // namespace minato::edi
