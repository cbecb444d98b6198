#include "app/views.h"

#include <boost/json.hpp>

#include "common/clock.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;

json::object to_json(const t::Unit& u) {
  const auto& s = u.spec();
  return json::object{{"id", u.id()},
                      {"container_id", s.container_id.str()},
                      {"size_type", s.size_type.code()},
                      {"iso_size_type", s.size_type.iso_code()},
                      {"teu", s.size_type.teu()},
                      {"category", t::to_string(s.category)},
                      {"freight", t::to_string(s.freight)},
                      {"line_operator", s.line_operator},
                      {"gross_kg", s.gross_kg},
                      {"state", t::to_string(u.state())},
                      {"slot", u.slot() ? json::value(u.slot()->str()) : json::value(nullptr)}};
}

json::object to_json(const t::VesselVisit& v) {
  const auto& s = v.spec();
  return json::object{{"id", s.id},
                      {"vessel_name", s.vessel_name},
                      {"imo", s.imo},
                      {"berth", s.berth},
                      {"eta", format_utc(s.eta_us)},
                      {"etd", format_utc(s.etd_us)},
                      {"phase", t::to_string(v.phase())}};
}

}  // namespace minato::app
