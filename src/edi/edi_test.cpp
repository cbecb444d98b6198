// EDIFACT syntax and envelope tests, and the real-world files in tests/data/edi with their
// exact counts (checked independently of this code when the files were added).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "edi/equipment.h"
#include "edi/interchange.h"
#include "edi/syntax.h"
#include "edi/writer.h"

namespace minato::edi {
namespace {

std::vector<std::string> raws(std::string_view input) {
  Tokenizer t(input);
  std::vector<std::string> out;
  while (auto s = t.next()) out.emplace_back(s->raw());
  return out;
}

TEST(Tokenizer, DefaultSeparatorsAndLineBreaksOfAnyKind) {
  const std::vector<std::string> want = {"UNH+1+X:D:95B:UN", "EQD+CN+ABCU1234560", "UNT+3+1"};
  EXPECT_EQ(raws("UNH+1+X:D:95B:UN'EQD+CN+ABCU1234560'UNT+3+1'"), want);
  EXPECT_EQ(raws("UNH+1+X:D:95B:UN'\nEQD+CN+ABCU1234560'\nUNT+3+1'\n"), want);
  EXPECT_EQ(raws("UNH+1+X:D:95B:UN'\r\nEQD+CN+ABCU1234560'\r\nUNT+3+1'\r\n"), want);
  EXPECT_EQ(raws("\xEF\xBB\xBFUNH+1+X:D:95B:UN'EQD+CN+ABCU1234560'UNT+3+1'  \n"), want);
}

TEST(Tokenizer, UnaSetsSeparators) {
  Tokenizer t("UNA*|,! ~\nUNB|UNOC*3|A|B~UNH|1|X*D~");
  EXPECT_TRUE(t.has_una());
  EXPECT_EQ(t.separators().component, '*');
  EXPECT_EQ(t.separators().element, '|');
  EXPECT_EQ(t.separators().decimal, ',');
  EXPECT_EQ(t.separators().release, '!');
  EXPECT_EQ(t.separators().segment, '~');
  auto unb = t.next();
  ASSERT_TRUE(unb);
  EXPECT_EQ(unb->tag(), "UNB");
  EXPECT_EQ(unb->component(1, 1), "UNOC");
  EXPECT_EQ(unb->component(1, 2), "3");
  EXPECT_EQ(unb->number(), 1u);
  EXPECT_EQ(unb->offset(), 10u);
  auto unh = t.next();
  ASSERT_TRUE(unh);
  EXPECT_EQ(unh->component(2, 2), "D");
  EXPECT_FALSE(t.next());
  EXPECT_FALSE(t.error());
}

TEST(Tokenizer, UnusableUnaIsAnError) {
  Tokenizer clash("UNA::.? 'UNH+1'");
  EXPECT_FALSE(clash.next());
  ASSERT_TRUE(clash.error());
  EXPECT_NE(clash.error()->message.find("distinct"), std::string::npos);
  Tokenizer short_una("UNA:+");
  EXPECT_FALSE(short_una.next());
  ASSERT_TRUE(short_una.error());
}

TEST(Tokenizer, ReleaseCharacter) {
  // The cases of the release-character test file: ?? is a ?, ?' ?+ ?: are data.
  Tokenizer t(
      "IFT+3+NO MORE FLIGHTS 2?"
      "?'IFT+3+NO MORE ?' FLIGHTS 3'IFT+3+NO MORE ??"
      "?' FLIGHTS 3'"
      "IFT+3+FIELD 1???+FIELD 2'IFT+3+FIELD 1.1??:FIELD 1.2'IFT+3+A?:B'");
  auto a = t.next();
  EXPECT_EQ(a->text(2), "NO MORE FLIGHTS 2?");
  EXPECT_EQ(a->elements(), 2u);
  auto b = t.next();
  EXPECT_EQ(b->text(2), "NO MORE ' FLIGHTS 3");
  auto c = t.next();
  EXPECT_EQ(c->text(2), "NO MORE ?' FLIGHTS 3");
  auto d = t.next();
  EXPECT_EQ(d->elements(), 2u);
  EXPECT_EQ(d->text(2), "FIELD 1?+FIELD 2");
  auto e = t.next();
  EXPECT_EQ(e->components(2), 2u);
  EXPECT_EQ(e->text(2, 1), "FIELD 1.1?");
  EXPECT_EQ(e->text(2, 2), "FIELD 1.2");
  auto f = t.next();
  EXPECT_EQ(f->components(2), 1u);
  EXPECT_EQ(f->component(2), "A?:B");
  EXPECT_EQ(f->text(2), "A:B");
  EXPECT_FALSE(t.next());
}

TEST(Tokenizer, AbsentElementsAndComponentsAreEmpty) {
  Tokenizer t("EQD+CN++4200+++5'");
  auto s = t.next();
  EXPECT_EQ(s->elements(), 6u);
  EXPECT_EQ(s->component(2), "");
  EXPECT_EQ(s->component(3), "4200");
  EXPECT_EQ(s->component(3, 2), "");
  EXPECT_EQ(s->component(9), "");
  EXPECT_EQ(s->components(9), 0u);
  EXPECT_EQ(s->component(1, 0), "");
}

TEST(Tokenizer, OnePassOverEveryComponent) {
  Tokenizer t("LOC+147+0420090::5+?+?:X'");
  auto s = t.next();
  std::vector<std::string> seen;
  s->for_each_component([&](size_t e, size_t c, std::string_view v) {
    seen.push_back(std::to_string(e) + "." + std::to_string(c) + "=" + std::string(v));
    EXPECT_EQ(s->component(e, c), v);
  });
  const std::vector<std::string> want = {"0.1=LOC", "1.1=147", "2.1=0420090",
                                         "2.2=",    "2.3=5",   "3.1=?+?:X"};
  EXPECT_EQ(seen, want);
}

TEST(Tokenizer, UnterminatedLastSegment) {
  Tokenizer t("UNH+1+X'UNT+2+1  \n");
  EXPECT_TRUE(t.next());
  auto last = t.next();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->raw(), "UNT+2+1");
  EXPECT_TRUE(t.unterminated());
  EXPECT_FALSE(t.next());
}

TEST(Tokenizer, GarbageStopsWithWhere) {
  Tokenizer t("UNH+1+X'\x7f\x45LF binary'UNT+2+1'");
  EXPECT_TRUE(t.next());
  EXPECT_FALSE(t.next());
  ASSERT_TRUE(t.error());
  EXPECT_EQ(t.error()->offset, 8u);
  EXPECT_EQ(t.error()->segment, 2u);
  EXPECT_NE(t.error()->message.find("\\x7fELF"), std::string::npos) << t.error()->message;
  Tokenizer lower("unh+1'");
  EXPECT_FALSE(lower.next());
  EXPECT_TRUE(lower.error());
}

TEST(Tokenizer, EscapedTerminatorAtTheStartOfTheInputIsNotReadBackwards) {
  Tokenizer t("?'");  // a release character as the first byte: no tag, no crash
  EXPECT_FALSE(t.next());
  EXPECT_TRUE(t.error());
}

TEST(LineIndex, CountsLines) {
  LineIndex l("a\nb\nc");
  EXPECT_EQ(l.line(0), 1u);
  EXPECT_EQ(l.line(2), 2u);
  EXPECT_EQ(l.line(4), 3u);
  EXPECT_EQ(l.line(1), 1u);  // backwards starts again
  EXPECT_EQ(l.line(99), 3u);
}

// Records what the reader hands over.
struct Recorder : MessageHandler {
  std::vector<std::string> events;
  void interchange(const InterchangeHeader& h) override { events.push_back("UNB " + h.sender); }
  void begin_message(const MessageHeader& h, const Segment&) override {
    events.push_back("begin " + h.reference + " " + h.type);
  }
  void segment(const Segment& s) override { events.emplace_back(s.tag()); }
  void end_message(const MessageHeader& h, bool complete) override {
    events.push_back("end " + h.reference + (complete ? "" : " cut"));
  }
};

std::multiset<std::string> codes(const Diagnostics& d) {
  std::multiset<std::string> out;
  for (const auto& x : d.list()) out.insert(x.code);
  return out;
}

TEST(Interchange, WellFormedHasNoDiagnostics) {
  std::string in =
      "UNB+UNOA:2+SENDER+RECIPIENT+160414:0307+77'"
      "UNH+1+BAPLIE:D:95B:UN:SMDG20'BGM++1'EQD+CN+ABCU1234560'UNT+4+1'"
      "UNH+2+BAPLIE:D:95B:UN:SMDG20'UNT+2+2'"
      "UNZ+2+77'";
  Diagnostics d(in, Strictness::kStrict);
  Recorder r;
  ReadSummary s = read_interchange(in, r, d);
  EXPECT_EQ(d.warnings() + d.errors(), 0u) << (d.list().empty() ? "" : d.list()[0].message);
  EXPECT_EQ(s.messages, 2u);
  EXPECT_EQ(s.segments, 8u);
  EXPECT_EQ(s.header.syntax_id, "UNOA");
  EXPECT_EQ(s.header.charset, Charset::kLevelA);
  EXPECT_EQ(s.header.control_reference, "77");
  const std::vector<std::string> want = {"UNB SENDER", "begin 1 BAPLIE", "BGM",  "EQD",
                                         "end 1",      "begin 2 BAPLIE", "end 2"};
  EXPECT_EQ(r.events, want);
}

TEST(Interchange, CountsAndReferencesChecked) {
  std::string in =
      "UNB+UNOA:2+S+R+160414:0307+77'"
      "UNH+1+COPRAR:D:95B:UN'BGM++1'UNT+9+2'"
      "UNZ+5+78'";
  Diagnostics lenient(in, Strictness::kLenient);
  Recorder r;
  read_interchange(in, r, lenient);
  EXPECT_EQ(codes(lenient), (std::multiset<std::string>{"unt-count", "unt-reference", "unz-count",
                                                        "unz-reference"}));
  EXPECT_EQ(lenient.errors(), 0u);
  EXPECT_EQ(lenient.warnings(), 4u);
  const Diagnostic& unt = lenient.list()[0];
  EXPECT_EQ(unt.segment, 4u);
  EXPECT_EQ(unt.offset, in.find("UNT"));
  EXPECT_NE(unt.message.find("says 9 segments; the message has 3"), std::string::npos);
  EXPECT_NE(unt.message.find("missing"), std::string::npos);

  Diagnostics strict(in, Strictness::kStrict);
  read_interchange(in, r, strict);
  EXPECT_EQ(strict.errors(), 4u);
  EXPECT_EQ(strict.warnings(), 0u);
}

TEST(Interchange, GroupsAreCounted) {
  std::string in =
      "UNB+UNOB:3+S+R+20160414:0307+9'UNG+BAPLIE+S+R+160414:0307+G1+UN+D:95B'"
      "UNH+1+BAPLIE:D:95B:UN'UNT+2+1'UNE+1+G1'UNZ+1+9'";
  Diagnostics d(in, Strictness::kStrict);
  Recorder r;
  ReadSummary s = read_interchange(in, r, d);
  EXPECT_EQ(d.errors(), 0u) << (d.list().empty() ? "" : d.list()[0].message);
  EXPECT_EQ(s.groups, 1u);
  std::string bad = in;
  bad.replace(bad.find("UNE+1"), 5, "UNE+4");
  Diagnostics d2(bad, Strictness::kLenient);
  read_interchange(bad, r, d2);
  EXPECT_EQ(codes(d2), std::multiset<std::string>{"une-count"});
}

TEST(Interchange, MissingEnvelopeAndCutOffMessages) {
  std::string in = "UNH+1+CODECO:D:00B:UN'BGM++1'UNH+2+CODECO:D:00B:UN'EQD+CN+X'";
  Diagnostics d(in, Strictness::kLenient);
  Recorder r;
  ReadSummary s = read_interchange(in, r, d);
  EXPECT_EQ(s.messages, 2u);
  EXPECT_EQ(codes(d), (std::multiset<std::string>{"no-unb", "no-unt", "no-unt"}));
  const std::vector<std::string> want = {"begin 1 CODECO", "BGM", "end 1 cut",
                                         "begin 2 CODECO", "EQD", "end 2 cut"};
  EXPECT_EQ(r.events, want);
}

TEST(Interchange, NothingOutsideAMessageIsDroppedSilently) {
  std::string in = "UNB+UNOA:2+S+R+1:1+1'EQD+CN+ABCU1234560'UNH+1+X'UNT+2+1'UNZ+1+1'";
  Diagnostics d(in, Strictness::kLenient);
  Recorder r;
  read_interchange(in, r, d);
  ASSERT_EQ(codes(d), std::multiset<std::string>{"outside-message"});
  EXPECT_EQ(d.list()[0].segment, 2u);
}

TEST(Interchange, SyntaxErrorStopsAndSaysWhere) {
  std::string in = "UNB+UNOA:2+S+R+1:1+1'\nUNH+1+X'\n%PDF-1.4'\nUNT+2+1'";
  Diagnostics d(in, Strictness::kLenient);
  Recorder r;
  ReadSummary s = read_interchange(in, r, d);
  EXPECT_FALSE(s.complete);
  ASSERT_GE(d.errors(), 1u);
  const Diagnostic& e = d.list()[0];
  EXPECT_EQ(e.code, "syntax");
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.segment, 3u);
  EXPECT_EQ(e.offset, in.find('%'));
}

TEST(Interchange, CharacterRepertoireOfTheSyntaxLevel) {
  auto charset_codes = [](const std::string& in) {
    Diagnostics d(in, Strictness::kLenient);
    Recorder r;
    read_interchange(in, r, d);
    return d.warnings();
  };
  const std::string tail = "'UNT+3+1'UNZ+1+1'";
  auto file = [&](const std::string& level, const std::string& text) {
    return "UNB+" + level + ":2+S+R+1:1+1'UNH+1+X'FTX+AAA+++" + text + tail;
  };
  EXPECT_EQ(charset_codes(file("UNOA", "PLASTIC ARTICLES")), 0u);
  EXPECT_EQ(charset_codes(file("UNOA", "El Bluff")), 1u);  // lower case is level B
  EXPECT_EQ(charset_codes(file("UNOB", "El Bluff")), 0u);
  EXPECT_EQ(charset_codes(file("UNOB", "K\xD8LN")), 1u);  // 8-bit is not level B
  EXPECT_EQ(charset_codes(file("UNOC", "K\xD8LN")), 0u);
  EXPECT_EQ(charset_codes(file("UNOC", "K\x85LN")), 1u);  // C1 control
  EXPECT_EQ(charset_codes(file("UNOY", "\xE5\x90\x8D\xE5\x8F\xA4\xE5\xB1\x8B")), 0u);
  EXPECT_EQ(charset_codes(file("UNOY", "\xE5\x90")), 1u);  // cut UTF-8
  EXPECT_EQ(charset_codes(file("UNOY", "\xC0\xAF")), 1u);  // overlong
  EXPECT_EQ(charset_codes(file("UNOA", "TAB\tHERE")), 1u);
}

TEST(Interchange, TextAsUtf8) {
  Separators sep;
  EXPECT_EQ(to_utf8("K\xD6LN?:1", sep, Charset::kLatin), "K\xC3\x96LN:1");
  EXPECT_EQ(to_utf8("\xE5\x90\x8D", sep, Charset::kUtf8), "\xE5\x90\x8D");
  EXPECT_EQ(to_utf8("A\xFF", sep, Charset::kUtf8), "A\xEF\xBF\xBD");
}

TEST(Interchange, DiagnosticsAreCappedButCounted) {
  std::string in = "UNH+1+X'";
  for (int i = 0; i < 50; ++i) in += "EQA+RG+ X'";
  in += "UNT+52+1'";
  Diagnostics d(in, Strictness::kLenient, 10);
  for (int i = 0; i < 50; ++i) d.warning("w", "w", 8 + 10 * static_cast<size_t>(i), 2);
  d.error("e", "e", 0, 1);
  EXPECT_EQ(d.list().size(), 10u);
  EXPECT_EQ(d.warnings(), 50u);
  EXPECT_EQ(d.errors(), 1u);
  EXPECT_EQ(d.unrecorded(), 41u);
  MappedFile rep = map_file(in, Strictness::kLenient);
  EXPECT_EQ(rep.diagnostics.warnings(), 52u);  // no-unb, message type X, 50 stray spaces
  EXPECT_EQ(rep.diagnostics.list().back().line, 1u);
}

// --- the real-world files -------------------------------------------------------------------

std::string read_data(const std::string& name) {
  std::ifstream f(std::string(MINATO_SOURCE_DIR) + "/tests/data/edi/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Expected {
  std::string file;
  size_t messages, segments, containers, valid_ids, invalid_ids, positions;
  std::multiset<std::string> warnings;  // diagnostic codes
  size_t units, rejected;               // what an import would make of it
};

std::multiset<std::string> many(const std::string& code, size_t n,
                                std::multiset<std::string> more) {
  for (size_t i = 0; i < n; ++i) more.insert(code);
  return more;
}

// Codes that are not deviations from the syntax: strict keeps them warnings.
bool plain_warning(const std::string& code) {
  return code == "container-id" || code == "duplicate-container" || code == "legacy-size-type" ||
         code == "message-type";
}

class RealFile : public testing::TestWithParam<Expected> {};

TEST_P(RealFile, ExactCountsAndEveryQuirkReported) {
  const Expected& x = GetParam();
  std::string in = read_data(x.file);
  ASSERT_FALSE(in.empty()) << x.file;
  MappedFile r = map_file(in, Strictness::kLenient);
  EXPECT_TRUE(r.summary.complete);
  EXPECT_EQ(r.summary.messages, x.messages);
  EXPECT_EQ(r.summary.segments, x.segments);
  EXPECT_EQ(r.containers, x.containers);
  EXPECT_EQ(r.valid_ids, x.valid_ids);
  EXPECT_EQ(r.invalid_ids, x.invalid_ids);
  EXPECT_EQ(r.positions, x.positions);
  EXPECT_EQ(r.diagnostics.errors(), 0u);
  EXPECT_EQ(r.diagnostics.unrecorded(), 0u);
  std::multiset<std::string> got;
  for (const auto& d : r.diagnostics.list()) {
    got.insert(d.code);
    EXPECT_GT(d.line, 0u) << d.message;
    EXPECT_LT(d.offset, in.size()) << d.message;
  }
  EXPECT_EQ(got, x.warnings);
  EXPECT_EQ(r.equipment.size(), x.units);
  EXPECT_EQ(r.rejected.size(), x.rejected);
  EXPECT_EQ(r.equipment.size() + r.rejected.size(), r.containers)
      << "every EQD+CN is a unit or a rejection";
  for (const auto& rej : r.rejected) {
    EXPECT_FALSE(rej.reason.empty());
    EXPECT_GT(rej.line, 0u);
    EXPECT_EQ(in.substr(rej.offset, 3), "EQD") << rej.reason;
  }
  // Strict: every deviation is an error, and so is every EQD an import would reject (strict
  // takes all or none, and inspect says what import would do); the counts stay.
  MappedFile strict = map_file(in, Strictness::kStrict);
  EXPECT_EQ(strict.containers, x.containers);
  size_t deviations = 0;
  for (const auto& d : r.diagnostics.list()) {
    deviations += !plain_warning(d.code);
  }
  EXPECT_EQ(strict.diagnostics.errors(), deviations + x.rejected);
  size_t rejected_errors = 0;
  for (const auto& d : strict.diagnostics.list()) rejected_errors += d.code == "eqd-rejected";
  EXPECT_EQ(rejected_errors, x.rejected);
  EXPECT_EQ(strict.rejected.size(), x.rejected);
}

INSTANTIATE_TEST_SUITE_P(
    TestData, RealFile,
    testing::Values(
        Expected{"baplie-d95b-smdg20-lbct.edi", 1, 32, 3, 3, 0, 3, many("legacy-size-type", 2, {}),
                 3, 0},
        Expected{"baplie-d95b-smdg22-demo.edi", 1, 6026, 609, 607, 2, 609,
                 many("legacy-size-type", 92, {"container-id", "container-id", "unt-count"}), 607,
                 2},
        Expected{"baplie-gbsou-arrival-synthetic.edi", 1, 9455, 1457, 0, 1457, 1457,
                 many("container-id", 1457, {}), 0, 1457},
        Expected{"coarri-d23a-moin.edi", 1, 835, 74, 74, 0, 74,
                 many("stowage", 74, {"charset", "charset", "unt-count"}), 74, 0},
        Expected{"coarri-d95b-two-messages.edi", 2, 272, 21, 21, 0, 21, {}, 21, 0},
        Expected{"codeco-1.edi",
                 1,
                 28,
                 1,
                 1,
                 0,
                 0,
                 {"no-unb", "spaces", "spaces", "spaces", "legacy-size-type", "unt-count"},
                 1,
                 0},
        Expected{"codeco-2.edi",
                 1,
                 28,
                 1,
                 1,
                 0,
                 0,
                 {"no-unb", "spaces", "spaces", "legacy-size-type", "unt-count"},
                 1,
                 0},
        Expected{"codeco-3.edi",
                 1,
                 32,
                 1,
                 1,
                 0,
                 0,
                 {"no-unb", "spaces", "legacy-size-type", "unt-count"},
                 1,
                 0},
        Expected{"coprar-d95b-truncated.edi",
                 1,
                 29,
                 2,
                 0,
                 2,
                 0,
                 {"no-unb", "container-id", "container-id", "duplicate-container", "unt-count"},
                 0,
                 2},
        Expected{"release-character.edi",
                 1,
                 25,
                 0,
                 0,
                 0,
                 0,
                 {"syntax-id", "message-type", "unt-count"},
                 0,
                 0}),
    [](const testing::TestParamInfo<Expected>& info) {
      std::string n;
      for (char c : info.param.file.substr(0, info.param.file.size() - 4)) {
        n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      }
      return n;
    });

TEST(RealFiles, ReleaseCharacterTexts) {
  std::string in = read_data("release-character.edi");
  Tokenizer t(in);
  std::vector<std::string> ift;
  while (auto s = t.next()) {
    if (s->tag() == "IFT") ift.push_back(s->text(2));
  }
  ASSERT_EQ(ift.size(), 12u);
  EXPECT_EQ(ift[2], "NO MORE FLIGHTS 2?");
  EXPECT_EQ(ift[3], "NO MORE ' FLIGHTS 3");
  EXPECT_EQ(ift[4], "NO MORE ? FLIGHTS 3");
  EXPECT_EQ(ift[5], "NO MORE ?' FLIGHTS 3");
  EXPECT_EQ(ift[7], "FIELD 1?");
  EXPECT_EQ(ift[6], "FIELD 1");
  EXPECT_EQ(ift[8], "FIELD 1?+FIELD 2");
  EXPECT_EQ(ift[10], "FIELD 1.1?");
  EXPECT_EQ(ift[11], "FIELD 1.1?:FIELD 1.2");
}

TEST(RealFiles, CoprarReleaseCharacterInText) {
  std::string in = read_data("coprar-d95b-truncated.edi");
  Tokenizer t(in);
  std::vector<std::string> ftx;
  while (auto s = t.next()) {
    if (s->tag() == "FTX" && s->component(1) == "AAA") ftx.push_back(s->text(4));
  }
  EXPECT_EQ(ftx, (std::vector<std::string>{"PLASTICS:ARTICLES", "PLASTICS:ARTICLES"}));
}

}  // namespace
}  // namespace minato::edi

namespace minato::edi {
namespace {

const Equipment* find(const MappedFile& f, std::string_view container) {
  for (const auto& e : f.equipment) {
    if (e.container == container) return &e;
  }
  return nullptr;
}

TEST(Mapping, BayPlanCellsWithTheirContainers) {
  std::string in = read_data("baplie-d95b-smdg20-lbct.edi");
  MappedFile f = map_file(in, Strictness::kLenient);
  ASSERT_EQ(f.messages.size(), 1u);
  const VesselCall& call = f.messages[0].call;
  EXPECT_EQ(f.messages[0].kind, MessageKind::kBaplie);
  EXPECT_EQ(call.voyage, "042");
  EXPECT_EQ(call.vessel_id, "VRIB3");
  EXPECT_EQ(call.vessel_id_kind, "103");
  EXPECT_EQ(call.vessel_name, "OOCL BEIJING");
  EXPECT_EQ(call.place, "USLGB");
  const Equipment* a = find(f, "OOLU4293959");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->stowage, "0780690");
  EXPECT_EQ(a->size_type, "4200");  // legacy, as written (warned)
  EXPECT_FALSE(a->full);
  EXPECT_EQ(a->gross_kg, 3833);
  EXPECT_EQ(a->load_port, "USLGB");
  EXPECT_EQ(a->discharge_port, "CNYTN");
  EXPECT_EQ(a->operator_code, "OOL");
  EXPECT_EQ(a->bill_of_lading, "1");
  EXPECT_EQ(a->line, 15u);
  const Equipment* c = find(f, "OOLU8757889");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->stowage, "0100114");
  EXPECT_TRUE(c->full);
  EXPECT_EQ(c->gross_kg, 26000);
  EXPECT_EQ(c->discharge_port, "TWKHH");
}

// Found by fuzz_edi: a qualifier written with a release character ("C?N") was counted as no
// container but mapped as one, so an import would take more containers than inspect counted.
TEST(Mapping, AnEscapedQualifierIsCountedAsItIsMapped) {
  std::string in =
      "UNH+1+CODECO:D:95B:UN:ITG14'BGM+34+1+9'EQD+C?N+MSKU9070323+22G1:102:5+2+2+5'"
      "UNT+4+1'";
  MappedFile f = map_file(in, Strictness::kLenient);
  ASSERT_EQ(f.equipment.size(), 1u);
  EXPECT_EQ(f.containers, 1u);
  EXPECT_EQ(f.valid_ids, 1u);
}

TEST(Mapping, DischargeAndLoadReportsWithSixDigitCells) {
  std::string in = read_data("coarri-d95b-two-messages.edi");
  MappedFile f = map_file(in, Strictness::kStrict);
  EXPECT_EQ(f.diagnostics.errors(), 0u);
  ASSERT_EQ(f.messages.size(), 2u);
  EXPECT_EQ(f.messages[0].call.document_code, "44");  // discharge report
  EXPECT_EQ(f.messages[1].call.document_code, "46");  // loading report
  EXPECT_EQ(f.messages[0].equipment + f.messages[1].equipment, 21u);
  const Equipment* d = find(f, "FCIU9908030");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message, 0u);
  EXPECT_EQ(d->stowage, "0380886");  // written 380886
  EXPECT_EQ(d->status, "3");         // import
  EXPECT_EQ(d->gross_kg, 8914);
  EXPECT_EQ(d->event_time, "201602030913");
  EXPECT_EQ(d->operator_code, "COE");  // from the header's NAD+CF
  EXPECT_EQ(d->seals, std::vector<std::string>{"SI"});
  const Equipment* l = find(f, "CBHU8671943");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->message, 1u);
  EXPECT_EQ(l->status, "2");  // export
  EXPECT_EQ(l->booking, "9000157590");
  EXPECT_EQ(l->stowage, "0261588");  // the segments after its EQD, not the ones before
  EXPECT_EQ(l->gross_kg, 8200);
  EXPECT_EQ(l->seals, std::vector<std::string>{"1566003"});
  EXPECT_EQ(l->event_time, "201602041449");
}

TEST(Mapping, GateReportWithStraySpaces) {
  std::string in = read_data("codeco-1.edi");
  MappedFile f = map_file(in, Strictness::kLenient);
  ASSERT_EQ(f.equipment.size(), 1u);
  const Equipment& e = f.equipment[0];
  EXPECT_EQ(e.container, "PONU4863849");
  EXPECT_EQ(e.size_type, "4532");
  EXPECT_EQ(e.event_time, "201512271639");
  EXPECT_EQ(e.set_point_dc, 110);
  EXPECT_EQ(e.seals, std::vector<std::string>{"0465672"});
  EXPECT_EQ(e.discharge_port, "ZACPT");
  EXPECT_EQ(f.messages[0].call.document_code, "109");
}

TEST(Mapping, RejectionsSayWhyAndWhere) {
  std::string in =
      "UNB+UNOA:2+S+R+1:1+1'UNH+1+BAPLIE:D:95B:UN:SMDG20'"
      "LOC+147+0020082::5'EQD+CN+ABCU1234560+22G1+++5'"  // fine
      "LOC+147+0040082::5'EQD+CN+ABCU1234561+22G1+++5'"  // wrong check digit
      "LOC+147+9990082::5'EQD+CN+MSKU0000006+22G1+++5'"  // bay 999
      "LOC+147+0060082::5'"                              // a cell without a container
      "LOC+147+0080082::5'EQD+CN+ABCU1234560+22G1+++5'"  // again
      "LOC+147+0100082::5'EQD+CN+TGHU0000008+22G1+++5'EQD+CN+TGHU0000013+22G1+++5'"
      "LOC+147+0120082::5'EQD+CN+TCLU0000009+X1+++5'"  // bad size-type
      "LOC+147+0140082::5'EQD+BB+PART1'"               // not a container
      "UNT+18+1'UNZ+1+1'";
  MappedFile f = map_file(in, Strictness::kLenient);
  EXPECT_EQ(f.diagnostics.errors(), 0u) << f.diagnostics.list()[0].message;
  // Strict takes all or none: each rejection is also an error, with the same place.
  MappedFile strict = map_file(in, Strictness::kStrict);
  ASSERT_EQ(strict.rejected.size(), 7u);
  std::vector<size_t> error_segments;
  for (const auto& d : strict.diagnostics.list()) {
    if (d.code == "eqd-rejected") error_segments.push_back(d.segment);
  }
  std::vector<size_t> rejected_segments;
  for (const auto& r : strict.rejected) rejected_segments.push_back(r.segment);
  EXPECT_EQ(error_segments, rejected_segments);
  EXPECT_EQ(strict.diagnostics.errors(), 7u);
  std::vector<std::string> units;
  for (const auto& e : f.equipment) units.push_back(e.container + "@" + e.stowage);
  EXPECT_EQ(units, (std::vector<std::string>{"ABCU1234560@0020082", "TGHU0000008@0100082"}));
  std::vector<std::string> why;
  for (const auto& r : f.rejected) why.push_back(r.container + ": " + r.reason);
  ASSERT_EQ(why.size(), 7u);
  EXPECT_NE(why[0].find("ABCU1234561: container id 'ABCU1234561': check digit"), std::string::npos)
      << why[0];
  EXPECT_NE(why[1].find("\"9990082\" is not BBBRRTT"), std::string::npos) << why[1];
  EXPECT_NE(why[2].find("stowage cell 0060082 has no EQD"), std::string::npos) << why[2];
  EXPECT_NE(why[3].find("named again in this file (first at segment 4)"), std::string::npos)
      << why[3];
  EXPECT_NE(why[4].find("TGHU0000013: a second EQD in the stowage cell"), std::string::npos)
      << why[4];
  EXPECT_NE(why[5].find("size-type \"X1\""), std::string::npos) << why[5];
  EXPECT_NE(why[6].find("\"BB\" is not a container"), std::string::npos) << why[6];
  EXPECT_EQ(f.rejected[2].segment, 9u);
  EXPECT_EQ(in.substr(f.rejected[2].offset, 11), "LOC+147+006");
}

TEST(Mapping, WeightsAndTemperatures) {
  EXPECT_EQ(weight_kg("KGM", "24500"), 24500);
  EXPECT_EQ(weight_kg("TNE", "24.5"), 24500);
  EXPECT_EQ(weight_kg("TNE", "24,5"), 24500);
  EXPECT_EQ(weight_kg("LBR", "2204.62"), 1000);
  EXPECT_EQ(weight_kg("GRM", "1"), std::nullopt);
  EXPECT_EQ(weight_kg("KGM", "lots"), std::nullopt);
  EXPECT_EQ(normalise_stowage("380886"), "0380886");
  EXPECT_EQ(normalise_stowage("0780690"), "0780690");
  EXPECT_EQ(normalise_stowage("78069"), std::nullopt);
  EXPECT_EQ(normalise_stowage("0000101"), std::nullopt);  // bay 000
  std::string in =
      "UNH+1+COPRAR:D:95B:UN'EQD+CN+ABCU1234560+45R1+++5'TMP+2+-18.5:CEL'MEA+AAE+VGM+TNE:"
      "29.4'EQD+CN+TGHU0000008+45R1+++5'TMP+2+0:FAH'EQD+CN+TCLU0000009+45R1+++5'"
      "TMP+2+99:CEL'UNT+9+1'";
  MappedFile f = map_file(in, Strictness::kLenient);
  ASSERT_EQ(f.equipment.size(), 3u);
  EXPECT_EQ(f.equipment[0].set_point_dc, -185);
  EXPECT_EQ(f.equipment[0].vgm_kg, 29400);
  EXPECT_EQ(f.equipment[1].set_point_dc, -178);  // 0 F
  EXPECT_EQ(f.equipment[2].set_point_dc, std::nullopt);
  EXPECT_EQ(f.diagnostics.list().back().code, "temperature");
}

}  // namespace
}  // namespace minato::edi

namespace minato::edi {
namespace {

std::string units_text(const MappedFile& f) {
  std::string out;
  for (const auto& e : f.equipment) {
    out += e.container + " " + e.stowage + " " + e.size_type + " " + (e.full ? "F" : "E") + " " +
           std::to_string(e.gross_kg.value_or(-1)) + " " + e.load_port + ">" + e.discharge_port +
           " " + e.operator_code + " " + std::to_string(e.set_point_dc.value_or(9999)) + " " +
           std::to_string(e.dangerous_goods.size()) + "\n";
  }
  return out;
}

TEST(Writer, BaplieRoundTripOfEveryRealBayPlan) {
  for (const char* name : {"baplie-d95b-smdg20-lbct.edi", "baplie-d95b-smdg22-demo.edi"}) {
    std::string in = read_data(name);
    MappedFile first = map_file(in, Strictness::kLenient);
    ASSERT_FALSE(first.equipment.empty()) << name;
    Interchange ic{"MINATO", "LINE", "77", 1795594320LL * 1'000'000};
    std::string out = write_baplie(ic, first.messages[0].call, first.equipment);
    MappedFile again = map_file(out, Strictness::kStrict);
    EXPECT_EQ(again.diagnostics.errors(), 0u)
        << name << ": "
        << (again.diagnostics.list().empty() ? "" : again.diagnostics.list()[0].message);
    EXPECT_TRUE(again.rejected.empty()) << name;
    EXPECT_EQ(units_text(again), units_text(first)) << name;
    EXPECT_EQ(again.messages[0].call.vessel_name, first.messages[0].call.vessel_name);
    EXPECT_EQ(again.messages[0].call.voyage, first.messages[0].call.voyage);
  }
}

TEST(Writer, EscapesEverySeparatorAndKeepsLatin1) {
  EXPECT_EQ(escape("A+B:C'D?E"), "A?+B?:C?'D??E");
  VesselCall call;
  call.voyage = "042E";
  call.vessel_name = "K\xC3\x96LN EXPRESS+1:2'3?";  // UTF-8 Ö and every separator
  call.vessel_id = "9355769";
  call.vessel_id_kind = "146";
  Equipment e;
  e.container = "ABCU1234560";
  e.size_type = "45R1";
  e.stowage = "0340282";
  e.discharge_port = "JPNGO";
  e.set_point_dc = -185;
  e.dangerous_goods = {{"3", "1203"}};
  std::string out = write_baplie({"A", "B", "1", 0}, call, {e});
  MappedFile f = map_file(out, Strictness::kStrict);
  EXPECT_EQ(f.diagnostics.errors(), 0u);
  ASSERT_EQ(f.equipment.size(), 1u);
  EXPECT_EQ(f.messages[0].call.vessel_name, "K\xC3\x96LN EXPRESS+1:2'3?");
  EXPECT_EQ(f.summary.header.syntax_id, "UNOC");
  EXPECT_EQ(f.equipment[0].set_point_dc, -185);
  EXPECT_EQ(f.equipment[0].dangerous_goods[0].un_number, "1203");
}

TEST(Writer, ReportsReadBack) {
  Equipment e;
  e.container = "ABCU1234560";
  e.size_type = "22G1";
  e.stowage = "0020082";
  e.status = "3";
  e.event_time = "202611251230";
  e.gross_kg = 18000;
  e.operator_code = "ONE";
  VesselCall call;
  call.voyage = "1";
  call.place = "JPNGO";
  for (ReportKind k :
       {ReportKind::kDischarge, ReportKind::kLoad, ReportKind::kGateIn, ReportKind::kGateOut}) {
    std::string out = write_report({"A", "B", "1", 0}, call, k, {e, e});
    MappedFile f = map_file(out, Strictness::kLenient);
    EXPECT_EQ(f.diagnostics.errors(), 0u) << out;
    // The same container twice in one report is read as one unit and one rejection (an
    // error when strict).
    EXPECT_EQ(map_file(out, Strictness::kStrict).diagnostics.errors(), 1u) << out;
    ASSERT_EQ(f.equipment.size(), 1u) << out;
    EXPECT_EQ(f.equipment[0].event_time, "202611251230");
    EXPECT_EQ(f.equipment[0].operator_code, "ONE");
    EXPECT_EQ(f.equipment[0].gross_kg, 18000);
    bool gate = k == ReportKind::kGateIn || k == ReportKind::kGateOut;
    EXPECT_EQ(f.equipment[0].stowage, gate ? "" : "0020082");
    EXPECT_EQ(f.messages[0].kind, gate ? MessageKind::kCodeco : MessageKind::kCoarri);
  }
}

}  // namespace
}  // namespace minato::edi

namespace minato::edi {
namespace {

// SMDG BAPLIE 3.x (D13B): the stowage cell (LOC+147) opens its group too, but the equipment's
// details follow the EQD (ports, VGM, dangerous goods), and the message is D13B.
TEST(Mapping, BayPlanVersion3OnD13B) {
  std::string in =
      "UNB+UNOC:3+LINE+TERM+261126:1200+9'\n"
      "UNH+1+BAPLIE:D:13B:UN:SMDG31'\nBGM+659+B3-1+9'\nDTM+137:202611261200:203'\n"
      "TDT+20+042E++++++9321483:146:11:ONE HARMONY'\nLOC+5+CNSHA:139:6'\n"
      "LOC+147+0340282::5'\nEQD+CN+ABCU1234560+45R1:102:5++6+5'\nNAD+CF+ONE:LINES:306'\n"
      "MEA+AAE+VGM+KGM:24500'\nTMP+2+-18.0:CEL'\nLOC+9+CNSHA:139:6'\nLOC+11+JPNGO:139:6'\n"
      "DGS+IMD+3+1203'\n"
      "LOC+147+0340284::5'\nEQD+CN+TGHU0000008+22G1:102:5++2+4'\nNAD+CF+ONE:LINES:306'\n"
      "LOC+9+CNSHA:139:6'\nLOC+11+USLAX:139:6'\n"
      "CNT+8:2'\nUNT+20+1'\nUNZ+1+9'\n";
  MappedFile f = map_file(in, Strictness::kStrict);
  EXPECT_EQ(f.diagnostics.errors(), 0u)
      << (f.diagnostics.list().empty() ? "" : f.diagnostics.list()[0].message);
  ASSERT_EQ(f.equipment.size(), 2u);
  const Equipment& a = f.equipment[0];
  EXPECT_EQ(f.messages[0].info.directory, "D13B");
  EXPECT_EQ(f.messages[0].call.vessel_name, "ONE HARMONY");
  EXPECT_EQ(f.messages[0].call.vessel_id_kind, "146");
  EXPECT_EQ(a.stowage, "0340282");
  EXPECT_EQ(a.operator_code, "ONE");
  EXPECT_EQ(a.vgm_kg, 24500);
  EXPECT_EQ(a.set_point_dc, -180);
  EXPECT_EQ(a.discharge_port, "JPNGO");
  EXPECT_EQ(a.status, "6");
  ASSERT_EQ(a.dangerous_goods.size(), 1u);
  EXPECT_EQ(a.dangerous_goods[0].un_number, "1203");
  const Equipment& b = f.equipment[1];
  EXPECT_EQ(b.stowage, "0340284");
  EXPECT_FALSE(b.full);
  EXPECT_EQ(b.discharge_port, "USLAX");
  EXPECT_TRUE(b.dangerous_goods.empty());
}

}  // namespace
}  // namespace minato::edi
