// The compliance catalogue: every item of the port-sector guideline (../shared/guideline/
// requirements.md, builders and operators edition with Annex 1) as the report presents it —
// its ID, the chapter of the guideline it comes from, whether the law makes it mandatory, who
// can meet it (the product, the organisation, or both), and a short summary in English and
// Japanese written for the report. The summaries point to the chapter; they do not copy the
// guideline's sentences, which the report's reader has beside it.
//
// The IDs are exactly the catalogue's: scripts/check-guideline-ids fails when this list and
// requirements.md differ, and checks_test.cpp fails when an item has no check (checks.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace minato::app::compliance {

// How the item is met: in code (P), by the organisation with evidence (O), or both (P+O).
enum class Kind { kProduct, kProductAndOrganisation, kOrganisation };
std::string_view to_string(Kind k);  // "P", "P+O", "O"

struct Item {
  std::string_view id;       // "G2.1.1-b"
  std::string_view section;  // "2.1.1" (Annex 1: "annex-1.4.2")
  // The law column: "all" (mandatory at every port under the Port Transport Business Act),
  // "5p" (at the five designated ports), "all/5p" (part each), "" (recommended).
  std::string_view law;
  Kind kind = Kind::kProduct;
  std::string_view summary_en;
  std::string_view summary_ja;
};

// In the guideline's order.
std::span<const Item> catalogue();
const Item* find_item(std::string_view id);

// The chapter's title in the guideline ("2.1.1" -> "User access management" /
// "利用者アクセスの管理").
std::string_view section_title(std::string_view section, bool ja);

// The section as a reader sees it: "2.1.1", "Annex 1, 1.4.2" / "別紙1 1.4.2".
std::string section_label(std::string_view section, bool ja);

// Whether the law column makes the item mandatory, and where, in words.
std::string_view law_text(std::string_view law, bool ja);

}  // namespace minato::app::compliance
