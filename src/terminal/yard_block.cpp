#include "terminal/yard_block.h"

#include <charconv>

namespace minato::terminal {

bool valid_block_name(std::string_view name) {
  if (name.empty() || name.size() > 4) return false;
  if (name[0] < 'A' || name[0] > 'Z') return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

namespace {

// "a-b" or "a" with 1-2 digit numbers.
bool parse_range(std::string_view text, int* from, int* to) {
  auto number = [](std::string_view t, int* out) {
    if (t.empty() || t.size() > 2) return false;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
    return ec == std::errc() && p == t.data() + t.size();
  };
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!number(text, from)) return false;
    *to = *from;
    return true;
  }
  return number(text.substr(0, dash), from) && number(text.substr(dash + 1), to);
}

}  // namespace

Result<StackArea> StackArea::parse(std::string_view text) {
  constexpr const char* kField = "reefer";
  size_t slash = text.find('/');
  StackArea a;
  if (slash == std::string_view::npos ||
      !parse_range(text.substr(0, slash), &a.bay_from, &a.bay_to) ||
      !parse_range(text.substr(slash + 1), &a.row_from, &a.row_to)) {
    return fail(ErrorCode::kInvalidArgument,
                "stack area '" + std::string(text.substr(0, 16)) +
                    "' must be BAYS/ROWS with 20-foot bays, e.g. 01-09/1-2",
                kField);
  }
  if (a.bay_from % 2 == 0 || a.bay_to % 2 == 0 || a.bay_from > a.bay_to) {
    return fail(ErrorCode::kInvalidArgument,
                "stack area " + a.str() + ": bays must be odd (20-foot) numbers, low to high",
                kField);
  }
  if (a.row_from < 1 || a.row_from > a.row_to) {
    return fail(ErrorCode::kInvalidArgument,
                "stack area " + a.str() + ": rows must be 1 or more, low to high", kField);
  }
  return a;
}

std::string StackArea::str() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d-%02d/%d-%d", bay_from, bay_to, row_from, row_to);
  return buf;
}

Result<YardBlock> YardBlock::make(std::string_view name, int bays, int rows, int tiers) {
  YardBlock b{std::string(name), bays, rows, tiers, {}, false};
  MINATO_TRY(b.validate());
  return b;
}

Status YardBlock::validate() const {
  if (!valid_block_name(name)) {
    return fail(ErrorCode::kInvalidArgument,
                "block name must be 1-4 letters or digits starting with a letter", "name");
  }
  if (bays < 1 || bays > kMaxBlockBays) {
    return fail(ErrorCode::kInvalidArgument,
                "bays (20-foot ground bays) must be 1-" + std::to_string(kMaxBlockBays), "bays");
  }
  if (rows < 1 || rows > kMaxBlockRows) {
    return fail(ErrorCode::kInvalidArgument, "rows must be 1-" + std::to_string(kMaxBlockRows),
                "rows");
  }
  if (tiers < 1 || tiers > kMaxBlockTiers) {
    return fail(ErrorCode::kInvalidArgument, "tiers must be 1-" + std::to_string(kMaxBlockTiers),
                "tiers");
  }
  if (reefer.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "at most 64 reefer areas per block", "reefer");
  }
  for (const auto& a : reefer) {
    if (a.bay_to > max_bay() || a.row_to > rows) {
      return fail(ErrorCode::kInvalidArgument,
                  "reefer area " + a.str() + " lies outside block " + name + " (bays 01-" +
                      std::to_string(max_bay()) + ", rows 1-" + std::to_string(rows) + ")",
                  "reefer");
    }
  }
  return ok();
}

bool YardBlock::has_plug(int bay20, int row) const {
  for (const auto& a : reefer) {
    if (a.contains(bay20, row)) return true;
  }
  return false;
}

}  // namespace minato::terminal
