#include "edi/inspect.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "terminal/container_id.h"

namespace minato::edi {
namespace {

class Counter : public MessageHandler {
 public:
  explicit Counter(InspectReport& r) : r_(r) {}

  void begin_message(const MessageHeader& h, const Segment& unh) override {
    r_.messages.push_back(MessageInfo{h.reference, h.type, h.version + h.release, h.association,
                                      unh.number(), 1, true});
  }

  void segment(const Segment& seg) override {
    ++r_.messages.back().segments;
    std::string_view tag = seg.tag();
    check_spaces(seg, tag);
    if (tag == "EQD" && seg.component(1) == "CN") {
      ++r_.containers;
      count_id(seg);
    } else if (tag == "LOC" && seg.component(1) == "147") {
      ++r_.positions;
    }
  }

  void end_message(const MessageHeader&, bool complete) override {
    seen_.clear();
    MessageInfo& m = r_.messages.back();
    m.complete = complete;
    if (complete) ++m.segments;  // the UNT
  }

 private:
  void count_id(const Segment& seg) {
    std::string raw(trim(seg.text(2, 1)));
    if (raw.empty()) {
      ++r_.invalid_ids;
      r_.diagnostics.warning("container-id", "EQD+CN has no container number", seg);
      return;
    }
    auto id = terminal::ContainerId::parse(raw);
    auto [it, fresh] = seen_.emplace(id ? id->str() : raw, seg.number());
    if (!fresh) {
      r_.diagnostics.warning("duplicate-container",
                             "container " + it->first +
                                 " is named again in this message (first "
                                 "at segment " +
                                 std::to_string(it->second) + ")",
                             seg);
    }
    if (!id) {
      ++r_.invalid_ids;
      r_.diagnostics.warning("container-id", "EQD+CN: " + id.error().message(), seg);
      return;
    }
    ++r_.valid_ids;
    if (id->str() != raw) {
      r_.diagnostics.deviation("container-id-format",
                               "container number \"" + raw +
                                   "\" is written with spaces, "
                                   "separators or lower case; read as " +
                                   id->str(),
                               seg);
    }
  }

  // Coded values (qualifiers, codes, identifiers) never carry leading or trailing spaces;
  // free text (names, FTX) may. A stray space is read past, and said.
  void check_spaces(const Segment& seg, std::string_view tag) {
    static constexpr std::array<std::string_view, 13> kCoded = {
        "LOC", "EQD", "EQA", "RFF", "DTM", "MEA", "SEL", "TMD", "DGS", "TMP", "RNG", "CNT", "BGM"};
    if (std::find(kCoded.begin(), kCoded.end(), tag) == kCoded.end()) return;
    seg.for_each_component([&](size_t e, size_t c, std::string_view v) {
      if (e == 0 || v.empty() || (v.front() != ' ' && v.back() != ' ')) return;
      r_.diagnostics.deviation("spaces",
                               std::string(tag) + " element " + std::to_string(e) + " component " +
                                   std::to_string(c) + " \"" + std::string(v) +
                                   "\" has stray spaces; read as \"" + std::string(trim(v)) + "\"",
                               seg);
    });
  }

  static std::string_view trim(std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  }

  InspectReport& r_;
  std::unordered_map<std::string, size_t> seen_;  // container -> first segment, this message
};

}  // namespace

InspectReport inspect(std::string_view input, Strictness strictness) {
  InspectReport r(input, strictness);
  Counter counter(r);
  r.summary = read_interchange(input, counter, r.diagnostics);
  return r;
}

}  // namespace minato::edi
