#include "edi/equipment.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "terminal/container_id.h"
#include "terminal/size_type.h"
#include "terminal/unit.h"

namespace minato::edi {
namespace {

std::string_view trim(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

// A value of a coded element, release characters removed and stray spaces dropped.
std::string code(const Segment& s, size_t element, size_t component = 1) {
  return std::string(trim(s.text(element, component)));
}

std::optional<double> decimal(std::string_view v, char decimal_mark) {
  std::string s(trim(v));
  for (char& c : s) {
    if (c == decimal_mark) c = '.';
  }
  if (s.empty() || s.size() > 24) return std::nullopt;
  double out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(out)) return std::nullopt;
  return out;
}

// One group of a message: a bay plan cell, or one piece of equipment, with what it says.
struct Group {
  Equipment eq;
  size_t start_segment = 0, start_offset = 0;
  bool has_eqd = false;
  std::string raw_id;   // as written
  std::string problem;  // why it cannot become a unit ("" when it can)
  bool stowage_bad = false;
};

class Mapper : public MessageHandler {
 public:
  Mapper(MappedFile& out, std::string_view input) : f_(out), lines_(input) {}

  void interchange(const InterchangeHeader& h) override { charset_ = h.charset; }

  void begin_message(const MessageHeader& h, const Segment& unh) override {
    MappedMessage m;
    m.info = MessageInfo{h.reference, h.type, h.version + h.release, h.association, unh.number(),
                         1,           true};
    m.kind = message_kind(h.type);
    f_.messages.push_back(std::move(m));
    header_operator_.clear();
    group_.reset();
    if (f_.messages.back().kind == MessageKind::kOther) {
      f_.diagnostics.warning("message-type",
                             "message type " + h.type +
                                 " is not one Minato maps (BAPLIE, COPRAR, COARRI, CODECO, "
                                 "VERMAS); its segments are read but not used",
                             unh);
    }
  }

  void segment(const Segment& seg) override {
    MappedMessage& m = f_.messages.back();
    ++m.info.segments;
    std::string_view tag = seg.tag();
    check_spaces(seg, tag);
    // The first element's qualifier, as a view: qualifiers are codes and seldom carry a
    // release character. When one does, it is read unescaped, as the mapping reads it ("C?N"
    // is "CN"), or an EQD would be mapped without being counted (found by fuzz_edi).
    std::string_view q1 = trim(seg.component(1));
    std::string q1_unescaped;
    if (q1.find(seg.separators().release) != std::string_view::npos) {
      q1_unescaped = code(seg, 1);
      q1 = q1_unescaped;
    }
    const bool cell = tag == "LOC" && q1 == "147";
    if (tag == "EQD" && q1 == "CN") count_id(seg);
    if (cell) ++f_.positions;
    if (m.kind == MessageKind::kOther) return;
    const bool baplie = m.kind == MessageKind::kBaplie;
    // Group boundaries.
    if ((baplie && cell) || (!baplie && tag == "EQD")) {
      close_group();
      open_group(seg);
    } else if (tag == "CNT") {
      close_group();
      return;
    }
    if (!group_) return header(seg, tag, m.call);
    item(seg, tag);
  }

  void end_message(const MessageHeader&, bool complete) override {
    close_group();
    in_message_.clear();
    MappedMessage& m = f_.messages.back();
    m.info.complete = complete;
    if (complete) ++m.info.segments;
  }

 private:
  void header(const Segment& seg, std::string_view tag, VesselCall& call) {
    if (tag == "BGM") {
      call.document_code = code(seg, 1);
      call.document = code(seg, 2);
      call.function = code(seg, 3);
    } else if (tag == "TDT" && code(seg, 1) == "20") {
      call.voyage = code(seg, 2);
      call.carrier = code(seg, 5);
      call.vessel_id = code(seg, 8, 1);
      call.vessel_id_kind = code(seg, 8, 2);
      call.vessel_name = to_utf8(seg.component(8, 4), seg.separators(), charset_);
    } else if (tag == "LOC") {
      std::string q = code(seg, 1);
      if (q == "61") {
        call.next_port = code(seg, 2);
      } else if (q == "5" || q == "9" || q == "11") {
        if (call.place.empty()) call.place = code(seg, 2);
      }
    } else if (tag == "NAD") {
      std::string q = code(seg, 1);
      if (q == "CF" || q == "CA") header_operator_ = code(seg, 2);
    }
  }

  void open_group(const Segment& seg) {
    group_.emplace();
    group_->start_segment = seg.number();
    group_->start_offset = seg.offset();
    group_->eq.message = f_.messages.size() - 1;
    group_->eq.segment = seg.number();
    group_->eq.offset = seg.offset();
  }

  void item(const Segment& seg, std::string_view tag) {
    Group& g = *group_;
    Equipment& e = g.eq;
    if (tag == "EQD") {
      if (g.has_eqd) {  // only in a bay plan cell: EQD-first messages open a group per EQD
        reject(code(seg, 2),
               "a second EQD in the stowage cell of segment " + std::to_string(g.start_segment) +
                   " (one container per cell)",
               seg.number(), seg.offset());
        return;
      }
      g.has_eqd = true;
      e.segment = seg.number();
      e.offset = seg.offset();
      equipment(seg, g);
    } else if (tag == "LOC") {
      std::string q = code(seg, 1);
      if (q == "147") {
        std::string written = code(seg, 2);
        if (written.empty()) {  // e.g. a COARRI that leaves the cell blank ("LOC+147+:139:5")
          f_.diagnostics.deviation("stowage", "LOC+147 gives no stowage cell", seg);
          return;
        }
        if (!e.stowage.empty() || g.stowage_bad) {
          f_.diagnostics.deviation("stowage",
                                   "a second stowage cell (LOC+147) for one "
                                   "container; the first is kept",
                                   seg);
          return;
        }
        if (auto s = normalise_stowage(written)) {
          e.stowage = *s;
        } else {
          g.stowage_bad = true;
          g.problem = "stowage cell \"" + written +
                      "\" is not BBBRRTT (bay 001-199, row 00-30, tier 01-99) or BBRRTT";
        }
      } else if (q == "9") {
        e.load_port = code(seg, 2);
      } else if (q == "11") {
        e.discharge_port = code(seg, 2);
      } else if (q == "83") {
        e.destination = code(seg, 2);
      }
    } else if (tag == "MEA") {
      measure(seg, e);
    } else if (tag == "TMP" && code(seg, 1) == "2") {
      auto v = decimal(seg.text(2, 1), seg.separators().decimal);
      std::string unit = code(seg, 2, 2);
      if (!v) {
        f_.diagnostics.deviation(
            "temperature", "TMP set point \"" + seg.text(2, 1) + "\" is not a number; not used",
            seg);
        return;
      }
      double c = unit == "FAH" ? (*v - 32.0) * 5.0 / 9.0 : *v;
      if (c < -40.0 || c > 30.0) {
        f_.diagnostics.deviation(
            "temperature",
            "TMP set point " + seg.text(2, 1) + " " + unit + " is outside -40..30 C; not used",
            seg);
        return;
      }
      e.set_point_dc = static_cast<int>(std::lround(c * 10.0));
    } else if (tag == "DGS" && code(seg, 1) == "IMD") {
      e.dangerous_goods.push_back(DangerousGoodsItem{code(seg, 2, 1), code(seg, 3, 1)});
    } else if (tag == "SEL") {
      std::string s = code(seg, 1);
      if (!s.empty()) e.seals.push_back(s);
    } else if (tag == "RFF") {
      std::string q = code(seg, 1, 1);
      if (q == "BN") e.booking = code(seg, 1, 2);
      if (q == "BM") e.bill_of_lading = code(seg, 1, 2);
    } else if (tag == "DTM") {
      std::string q = code(seg, 1, 1);
      if (q == "203" || q == "7") e.event_time = code(seg, 1, 2);
    } else if (tag == "NAD") {
      std::string q = code(seg, 1);
      if (q == "CA" || q == "CF") e.operator_code = code(seg, 2);
      if (q == "SPC") e.vgm_party = code(seg, 2).empty() ? code(seg, 4) : code(seg, 2);
    } else if (tag == "DOC") {
      std::string d = code(seg, 1, 1);
      if (d == "SM1" || d == "SM2") e.vgm_method = d;
    }
  }

  void equipment(const Segment& seg, Group& g) {
    Equipment& e = g.eq;
    std::string qualifier = code(seg, 1);
    g.raw_id = code(seg, 2);
    if (qualifier != "CN") {
      g.problem = "equipment qualifier \"" + qualifier + "\" is not a container (CN)";
      return;
    }
    if (g.raw_id.empty()) {
      g.problem = "no container number";
      return;
    }
    auto id = terminal::ContainerId::parse(g.raw_id);
    if (!id) {
      g.problem = id.error().message();
      return;
    }
    e.container = id->str();
    e.size_type = code(seg, 3);
    // Reports (COARRI, CODECO, VERMAS) name units the terminal knows, and some leave the
    // size-type out; a bay plan creates units on board and needs it (close_group()).
    if (e.size_type.empty()) return;
    auto st = terminal::SizeType::parse(e.size_type);
    if (!st) {
      g.problem = "size-type \"" + e.size_type + "\": " + st.error().message();
      return;
    }
    if (st->is_legacy()) {
      f_.diagnostics.warning(
          "legacy-size-type",
          "size-type " + e.size_type + " is a legacy ISO 6346:1984 code; read as " + st->iso_code(),
          seg);
    }
    e.status = code(seg, 5);
    std::string full = code(seg, 6);
    if (full == "4") {
      e.full = false;
    } else if (full != "5" && !full.empty()) {
      f_.diagnostics.deviation("full-empty",
                               "full/empty indicator \"" + full +
                                   "\" is neither 5 (full) nor 4 (empty); read "
                                   "as full",
                               seg);
    }
  }

  void measure(const Segment& seg, Equipment& e) {
    std::string q = code(seg, 1);
    std::string what = code(seg, 2, 1);
    std::string unit = code(seg, 3, 1);
    std::string value = code(seg, 3, 2);
    bool gross = q == "WT" || (q == "AAE" && (what == "G" || what == "AAB" || what == "EGW"));
    // D95B COPRAR: MEA+AAE+VGM; SMDG 2.2 bay plans: MEA+VGM.
    bool vgm = (q == "AAE" && what == "VGM") || q == "VGM";
    if (!gross && !vgm) return;
    auto kg = weight_kg(unit, value);
    if (!kg || *kg < 0 || *kg > terminal::kMaxGrossKg) {
      f_.diagnostics.deviation("weight",
                               "weight \"" + value + " " + unit + "\" is not a weight of 0-" +
                                   std::to_string(terminal::kMaxGrossKg) + " kg; not used",
                               seg);
      return;
    }
    (vgm ? e.vgm_kg : e.gross_kg) = *kg;
  }

  // The counts of `inspect`, for every EQD+CN of every message; a number given twice in one
  // message is said here (the second mention in the file is also rejected in close_group).
  void count_id(const Segment& seg) {
    ++f_.containers;
    std::string raw(trim(seg.text(2, 1)));
    if (raw.empty()) {
      ++f_.invalid_ids;
      f_.diagnostics.warning("container-id", "EQD+CN has no container number", seg);
      return;
    }
    auto id = terminal::ContainerId::parse(raw);
    auto [it, fresh] = in_message_.emplace(id ? id->str() : raw, seg.number());
    if (!fresh) {
      f_.diagnostics.warning("duplicate-container",
                             "container " + it->first +
                                 " is named again in this message (first "
                                 "at segment " +
                                 std::to_string(it->second) + ")",
                             seg);
    }
    if (!id) {
      ++f_.invalid_ids;
      f_.diagnostics.warning("container-id", "EQD+CN: " + id.error().message(), seg);
      return;
    }
    ++f_.valid_ids;
    if (id->str() != raw) {
      f_.diagnostics.deviation("container-id-format",
                               "container number \"" + raw +
                                   "\" is written with spaces, separators or lower case; read "
                                   "as " +
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
      f_.diagnostics.deviation("spaces",
                               std::string(tag) + " element " + std::to_string(e) + " component " +
                                   std::to_string(c) + " \"" + std::string(v) +
                                   "\" has stray spaces; read as \"" + std::string(trim(v)) + "\"",
                               seg);
    });
  }

  void close_group() {
    if (!group_) return;
    Group g = std::move(*group_);
    group_.reset();
    MappedMessage& m = f_.messages[g.eq.message];
    if (!g.has_eqd) {  // a bay plan cell without equipment
      reject("",
             "stowage cell " + (g.eq.stowage.empty() ? std::string("?") : g.eq.stowage) +
                 " has no EQD (no container)",
             g.start_segment, g.start_offset);
      return;
    }
    if (g.problem.empty() && m.kind == MessageKind::kBaplie) {
      if (g.eq.stowage.empty()) g.problem = "the bay plan gives no stowage cell for it";
      if (g.eq.size_type.empty()) g.problem = "the bay plan gives no size-type for it";
    }
    if (g.problem.empty()) {
      auto [it, fresh] = seen_.emplace(g.eq.container, g.eq.segment);
      if (!fresh) {
        g.problem =
            "named again in this file (first at segment " + std::to_string(it->second) + ")";
      }
    }
    if (!g.problem.empty()) {
      reject(g.raw_id, g.problem, g.eq.segment, g.eq.offset);
      return;
    }
    if (g.eq.operator_code.empty()) g.eq.operator_code = header_operator_;
    g.eq.line = lines_.line(g.eq.offset);
    ++m.equipment;
    f_.equipment.push_back(std::move(g.eq));
  }

  // One rule for `inspect` and `import`: strict takes all or nothing, so in strict mode an
  // EQD that cannot be imported is an error of the file (the import refuses it); lenient
  // imports the rest and lists the rejection.
  void reject(std::string container, std::string reason, size_t segment, size_t offset) {
    // Groups close inside their own message, so the current message is theirs.
    ++f_.messages.back().rejected;
    if (f_.diagnostics.strictness() == Strictness::kStrict) {
      f_.diagnostics.error("eqd-rejected",
                           (container.empty() ? std::string("an EQD") : "container " + container) +
                               " cannot be imported (" + reason +
                               ") and strict mode takes all or none",
                           offset, segment);
    }
    f_.rejected.push_back(Rejection{std::move(container), std::move(reason), f_.messages.size() - 1,
                                    segment, offset, lines_.line(offset)});
  }

  MappedFile& f_;
  LineIndex lines_;
  Charset charset_ = Charset::kUnknown;
  std::optional<Group> group_;
  std::string header_operator_;
  std::unordered_map<std::string, size_t> seen_;        // container -> its EQD, this file
  std::unordered_map<std::string, size_t> in_message_;  // the same, this message (as written)
};

}  // namespace

MessageKind message_kind(std::string_view type) {
  if (type == "BAPLIE") return MessageKind::kBaplie;
  if (type == "COPRAR") return MessageKind::kCoprar;
  if (type == "COARRI") return MessageKind::kCoarri;
  if (type == "CODECO") return MessageKind::kCodeco;
  if (type == "VERMAS") return MessageKind::kVermas;
  return MessageKind::kOther;
}

std::string_view to_string(MessageKind k) {
  switch (k) {
    case MessageKind::kBaplie:
      return "BAPLIE";
    case MessageKind::kCoprar:
      return "COPRAR";
    case MessageKind::kCoarri:
      return "COARRI";
    case MessageKind::kCodeco:
      return "CODECO";
    case MessageKind::kVermas:
      return "VERMAS";
    case MessageKind::kOther:
      return "other";
  }
  return "other";
}

std::optional<std::string> normalise_stowage(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != ' ') s += c;
  }
  if (s.size() != 6 && s.size() != 7) return std::nullopt;
  auto slot = terminal::parse_vessel_slot(s);
  if (!slot) return std::nullopt;
  return *slot;
}

std::optional<int> weight_kg(std::string_view unit, std::string_view value) {
  auto v = decimal(value, '.');
  if (!v) v = decimal(value, ',');
  if (!v) return std::nullopt;
  double kg;
  if (unit == "KGM" || unit.empty()) {
    kg = *v;
  } else if (unit == "TNE") {
    kg = *v * 1000.0;
  } else if (unit == "LBR") {
    kg = *v * 0.45359237;
  } else {
    return std::nullopt;
  }
  if (kg < -1e9 || kg > 1e9) return std::nullopt;
  return static_cast<int>(std::lround(kg));
}

MappedFile map_file(std::string_view input, Strictness strictness) {
  MappedFile f(input, strictness);
  Mapper m(f, input);
  f.summary = read_interchange(input, m, f.diagnostics);
  return f;
}

}  // namespace minato::edi
