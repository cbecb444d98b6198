// EDIFACT files come from outside (a USB stick from a vessel, a line's upload). The tokenizer,
// the envelope reader and inspect must never crash or read out of bounds, and what they say
// must hold together: counts add up, every position lies inside the input, every segment is a
// view into it in order, and text converted to UTF-8 is valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "edi/equipment.h"
#include "edi/interchange.h"
#include "edi/syntax.h"
#include "terminal/container_id.h"

namespace {

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace minato::edi;
  if (size == 0) return 0;
  const Strictness strictness = (data[0] & 1) ? Strictness::kStrict : Strictness::kLenient;
  const Charset charset = static_cast<Charset>((data[0] >> 1) % 5);
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  Tokenizer t(in);
  size_t segments = 0, last_end = 0;
  while (auto seg = t.next()) {
    ++segments;
    std::string_view raw = seg->raw();
    if (raw.data() < in.data() || raw.data() + raw.size() > in.data() + in.size()) std::abort();
    if (seg->offset() != static_cast<size_t>(raw.data() - in.data())) std::abort();
    if (seg->offset() < last_end || seg->number() != segments) std::abort();
    last_end = seg->offset() + raw.size();
    if (seg->tag().size() != 3) std::abort();
    // The one-pass walk and the indexed accessors agree (indexed: the first few only, they
    // rescan the segment each time).
    seg->for_each_component([&](size_t e, size_t c, std::string_view v) {
      if (e < 8 && c < 8 && seg->component(e, c) != v) std::abort();
      if (unescape(v, seg->separators().release).size() > v.size()) std::abort();
      if (!valid_utf8(to_utf8(v, seg->separators(), charset))) std::abort();
    });
  }
  if (t.error() && t.error()->offset > in.size()) std::abort();

  MappedFile r = map_file(in, strictness);
  if (r.containers != r.valid_ids + r.invalid_ids) std::abort();
  if (r.summary.segments != segments) std::abort();
  if (r.summary.messages != r.messages.size()) std::abort();
  for (const auto& d : r.diagnostics.list()) {
    if (d.offset > in.size() || d.line == 0 || d.message.empty() || d.code.empty()) std::abort();
    if (strictness == Strictness::kStrict && d.severity == Diagnostic::Severity::kWarning &&
        d.code != "container-id" && d.code != "duplicate-container" &&
        d.code != "legacy-size-type" && d.code != "message-type") {
      std::abort();  // strict turns every deviation into an error
    }
  }
  // What an import would take is sound; what it would refuse says why and where.
  for (const auto& e : r.equipment) {
    auto id = minato::terminal::ContainerId::parse(e.container);
    if (!id || id->str() != e.container) std::abort();
    if (!e.stowage.empty() && e.stowage.size() != 7) std::abort();
    if (e.offset >= in.size() || e.line == 0) std::abort();
  }
  for (const auto& x : r.rejected) {
    if (x.reason.empty() || x.offset >= in.size() || x.line == 0) std::abort();
  }
  // One rule for inspect and import: strict takes all or none, so a rejection is an error.
  if (strictness == Strictness::kStrict && r.diagnostics.errors() < r.rejected.size()) {
    std::abort();
  }
  if (r.equipment.size() > r.valid_ids) std::abort();
  if (!t.error() && !r.summary.complete) std::abort();
  return 0;
}
