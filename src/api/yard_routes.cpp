// The yard as the console draws it: the map of every block stack by stack, and the units of
// one stack. Reads only (terminal.read); the commands on the yard are in terminal_routes.cpp.
#include <boost/json.hpp>

#include "api/handlers.h"
#include "app/views.h"
#include "common/clock.h"

namespace minato::api {

namespace json = boost::json;
namespace t = minato::terminal;

namespace {

// A number of at most two digits in [min, max] from a path parameter, named in the error.
Result<int> small_number(const PathParams& p, const char* name, int min, int max) {
  const std::string& text = p.at(name);
  int v = 0;
  bool good = !text.empty() && text.size() <= 2;
  for (char ch : text) {
    good = good && ch >= '0' && ch <= '9';
    if (good) v = v * 10 + (ch - '0');
  }
  if (!good || v < min || v > max) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(name) + " must be a number from " + std::to_string(min) + " to " +
                    std::to_string(max),
                name);
  }
  return v;
}

}  // namespace

void Api::add_yard_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  // Each stack is one number: tiers in use (bits 0-3), a reefer plug (16), a powered reefer
  // (32), dangerous goods (64), a unit on hold (128). Index (bay20 - 1) * rows + row - 1.
  router_.add("GET", "/api/v1/yard/map",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto map = rt_.terminal().yard_map(c.actor);
                if (!map) return fail(map.error());
                json::array blocks;
                for (const auto& m : *map) {
                  json::array stacks;
                  stacks.reserve(m.stacks.size());
                  for (size_t i = 0; i < m.stacks.size(); ++i) {
                    const auto& s = m.stacks[i];
                    stacks.emplace_back(s.height | (s.plug ? 16 : 0) | (s.powered ? 32 : 0) |
                                        (s.dangerous ? 64 : 0) | (m.held[i] != 0 ? 128 : 0));
                  }
                  blocks.push_back(json::object{{"name", m.block.name},
                                                {"bays", m.block.bays},
                                                {"rows", m.block.rows},
                                                {"tiers", m.block.tiers},
                                                {"hazardous", m.block.hazardous},
                                                {"stacks", std::move(stacks)}});
                }
                return ok_json(json::object{{"at", format_utc(rt_.clock().now_us())},
                                            {"blocks", std::move(blocks)}});
              }));

  // The units of one stack, tier 1 first; `bay` is the stack's 20-foot bay as slots write it
  // (01, 03, ...).
  router_.add(
      "GET", "/api/v1/yard/blocks/{name}/stacks/{bay}/{row}",
      authed(
          [this](const HttpRequest&, const PathParams& p, const Caller& c) -> Result<HttpResponse> {
            auto bay = small_number(p, "bay", 1, 97);
            if (!bay) return fail(bay.error());
            if (*bay % 2 == 0) {
              return fail(ErrorCode::kInvalidArgument,
                          "bay must be odd: a stack is named by its 20-foot bay", "bay");
            }
            auto row = small_number(p, "row", 1, t::kMaxBlockRows);
            if (!row) return fail(row.error());
            auto units = rt_.terminal().stack_units(c.actor, p.at("name"), (*bay + 1) / 2, *row);
            if (!units) return fail(units.error());
            json::array arr;
            for (const auto& u : *units) arr.push_back(app::to_json(u));
            return ok_json(json::object{
                {"block", p.at("name")}, {"bay", *bay}, {"row", *row}, {"units", std::move(arr)}});
          }));
}

}  // namespace minato::api
